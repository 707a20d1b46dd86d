"""The admin API served by Connexion from spec/admin/openapi.yaml, under both frameworks."""

from __future__ import annotations

import shutil

import pytest
from starlette.testclient import TestClient

from mockserver.contract import load_admin_contract
from mockserver.pipeline.assembly import assemble
from mockserver.scenarios.admin_api import HTTP_METHODS, AdminApi
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import FRAMEWORKS
from tests.support.constants import ROOT

LOCAL = ("127.0.0.1", 50124)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def local(request):
    app = create_app(Settings.of(framework=request.param, ttft_ms=0, tokens_per_second=0))
    with TestClient(app, raise_server_exceptions=False, client=LOCAL) as client:
        yield client


def _operations(contract: dict) -> dict[str, tuple[str, str]]:
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in contract["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_every_admin_operation_has_a_handler_and_every_handler_an_operation():
    runtime = assemble(Settings())
    handled = set(AdminApi(runtime.scenarios).operations) | {"adminDashboard"}
    assert handled == set(_operations(load_admin_contract()))


def test_the_allowed_methods_are_the_contracts(local):
    for path, item in load_admin_contract()["paths"].items():
        if path == "/ui":
            continue  # the dashboard's files answer GET and HEAD (test_dashboard_route.py)
        allowed = ", ".join(method.upper() for method in item if method in HTTP_METHODS)
        refused = local.patch(f"/__mock{path}", headers={"Content-Type": "application/json"})
        assert refused.status_code == 405, path
        assert refused.headers["allow"] == allowed
        assert refused.json() == {"error": "method_not_allowed", "message": f"/__mock{path} accepts {allowed}"}


def test_the_handlers_check_the_query_not_connexion(local):
    bad = local.get("/__mock/journal", params={"limit": "abc"})
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_request", "message": "limit must be an integer 1..500"}
    over = local.get("/__mock/requests", params={"limit": "501"})
    assert over.status_code == 400 and "limit" in over.json()["message"]


def test_the_handlers_check_the_body_and_name_the_rule(local):
    rule = local.post("/__mock/rules", json=[{"scenario": "slow"}, {"scenario": 7}])
    assert rule.status_code == 400 and rule.json()["error"] == "invalid_rule"
    assert "rule 2" in rule.json()["message"]
    reply = local.post("/__mock/replies", json=["not a rule"])
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_reply"
    assert "reply rule 1" in reply.json()["message"]


def test_trailing_slashes_and_the_bare_prefix(local):
    assert local.get("/__mock/scenarios/").status_code == 200
    for path in ("/__mock", "/__mock/", "/__mock/no/such/route"):
        missing = local.get(path, follow_redirects=False)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
        assert "/__mock/openapi.json" in missing.json()["message"]


def test_no_swagger_ui_or_served_spec_of_connexion_under_the_prefix(local):
    page = local.get("/__mock/ui/")
    assert page.status_code == 200 and "dashboard.js" in page.text and "swagger" not in page.text.lower()
    contract = local.get("/__mock/openapi.json")
    assert contract.json() == load_admin_contract()
    assert contract.headers["cache-control"] == "no-store"


def test_the_metrics_exposition_and_a_journal_page_keep_their_media_types(local):
    metrics = local.get("/__mock/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert "aistats_mock_requests_total" in metrics.text
    page = local.get("/__mock/journal", params={"limit": "1"})
    assert page.status_code == 200 and page.headers["content-type"] == "application/json"
    assert page.json()["count"] <= 1


def test_any_json_media_type_is_taken_as_the_guard_takes_it(local):
    body = b'{"scenario": "slow", "times": 1}'
    added = local.post("/__mock/rules", content=body, headers={"Content-Type": "application/merge-patch+json"})
    assert added.status_code == 201 and added.json()["added"][0]["scenario"] == "slow"
    assert local.delete("/__mock/rules").status_code == 200
    text = local.post("/__mock/rules", content=body, headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["error"] == "unsupported_media_type"


def test_recording_a_contract_served_from_the_root_never_forwards_the_admin_api(tmp_path):
    """A contract whose server is "/" takes every path; /__mock stays the admin's, not the upstream's."""
    spec = tmp_path / "spec"
    shutil.copytree(ROOT / "spec", spec)
    root = spec / "2026-03" / "openapi.yaml"
    root.write_text(root.read_text("utf-8").replace("  - url: /v1\n", "  - url: /\n", 1), "utf-8")
    cassettes = tmp_path / "cassettes"
    settings = Settings.of(
        spec=root, record_dir=cassettes, upstream_url="http://127.0.0.1:9", ttft_ms=0, tokens_per_second=0
    )
    with TestClient(create_app(settings), raise_server_exceptions=False, client=LOCAL) as client:
        assert client.app.runtime.index.base_path == ""
        journal = client.get("/__mock/journal")
        assert journal.status_code == 200 and journal.json()["count"] == 0
        assert client.get("/__mock/nothing").json()["error"] == "not_found"
    assert not cassettes.exists() or not list(cassettes.iterdir())
