"""GET /__mock/ui: the dashboard's files, served from the package behind the admin API's guards."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.server.dashboard import ASSETS
from mockserver.settings import Settings

LOCAL = ("127.0.0.1", 50123)
FILES = sorted({name for name, _ in ASSETS.values()})


@pytest.fixture(scope="module")
def app():
    return create_app(Settings.of(ttft_ms=0, tokens_per_second=0))


@pytest.fixture(scope="module")
def local(app):
    with TestClient(app, raise_server_exceptions=False, client=LOCAL) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "media_type", "name"),
    [
        ("/__mock/ui", "text/html", "index.html"),
        ("/__mock/ui/", "text/html", "index.html"),
        ("/__mock/ui/dashboard.js", "text/javascript", "dashboard.js"),
        ("/__mock/ui/dashboard.css", "text/css", "dashboard.css"),
    ],
)
def test_each_file_is_served_from_the_package_with_a_same_origin_only_policy(local, path, media_type, name):
    answer = local.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media_type)
    assert answer.content == resources.files("mockserver.server").joinpath("ui", name).read_bytes()
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", FILES)
def test_nothing_is_loaded_from_another_host(name):
    text = resources.files("mockserver.server").joinpath("ui", name).read_text("utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE), "a CDN or remote URL"
    # The page writes what it shows with textContent only: no API that parses a string as HTML.
    assert not re.search(r"\.(inner|outer)HTML\s*[+]?=|insertAdjacentHTML\(|document\.write|DOMParser", text)


def test_unknown_files_and_other_methods(local):
    missing = local.get("/__mock/ui/../admin.py")
    assert missing.status_code in (403, 404)
    assert local.get("/__mock/ui/app.js").status_code == 404
    refused = local.post("/__mock/ui", json={})
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("host", ["203.0.113.7", "10.1.2.3", "192.168.0.9", "testclient"])
def test_non_loopback_clients_are_refused_as_by_the_admin_api(app, host):
    with TestClient(app, raise_server_exceptions=False, client=(host, 40000)) as remote:
        for path in ("/__mock/ui", "/__mock/ui/dashboard.js"):
            refused = remote.get(path)
            assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
            assert refused.json() == remote.get("/__mock/journal").json()


def test_a_dns_rebound_host_name_is_refused(local):
    rebound = local.get("/__mock/ui", headers={"Host": "evil.example:8080"})
    assert rebound.status_code == 403 and "DNS rebinding" in rebound.json()["message"]
    assert local.get("/__mock/ui", headers={"Host": "localhost:8080"}).status_code == 200


def test_any_host_opens_it_and_no_admin_turns_it_off():
    opened = create_app(Settings.of(admin="any"))
    with TestClient(opened, raise_server_exceptions=False, client=("203.0.113.7", 1)) as client:
        assert client.get("/__mock/ui").status_code == 200
    closed = create_app(Settings.of(admin="off"))
    with TestClient(closed, raise_server_exceptions=False, client=LOCAL) as client:
        off = client.get("/__mock/ui")
        assert off.status_code == 404 and off.text == "404 Not Found"
