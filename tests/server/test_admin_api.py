"""The /__mock/ admin API: journal, rules, reset, catalogue; loopback only; its own spec."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mockserver.contract import load_admin_contract
from mockserver.scenarios.catalogue import SCENARIOS
from mockserver.scenarios.journal import decode_body
from mockserver.scenarios.violations import VIOLATIONS
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, FRAMEWORKS, contract_checker

LOCAL = ("127.0.0.1", 50123)
CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Grüße, \u2603!"}]}


def client_for(framework="async", client=LOCAL, **settings) -> TestClient:
    app = create_app(Settings.of(framework=framework, ttft_ms=0, tokens_per_second=0, **settings))
    return TestClient(app, raise_server_exceptions=False, client=client)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def mock(request):
    with client_for(request.param) as client:
        yield client


@pytest.fixture(scope="module")
def admin_checker():
    return contract_checker("admin")


def admin(mock, checker, method, path, **kwargs):
    return checker.check(mock.request(method, f"/__mock{path}", **kwargs))


def test_the_admin_spec_is_valid_and_served(mock, admin_checker):
    from openapi_spec_validator import validate

    validate(load_admin_contract())
    assert admin(mock, admin_checker, "GET", "/openapi.json").json() == load_admin_contract()


def test_admin_spec_names_every_scenario_and_violation():
    schemas = load_admin_contract()["components"]["schemas"]
    assert schemas["ScenarioName"]["enum"] == list(SCENARIOS)
    assert schemas["ViolationName"]["enum"] == list(VIOLATIONS)


def test_journal_records_bodies_faithfully_and_the_scenario_chosen(mock, admin_checker):
    admin(mock, admin_checker, "DELETE", "/journal")
    raw_json = json.dumps(CHAT, ensure_ascii=False).encode("utf-8")
    binary = bytes(range(256)) + b"\xff\xfe"
    mock.post(
        "/v1/chat/completions",
        content=raw_json,
        headers={**AUTH, "Content-Type": "application/json", "X-Mock-Scenario": "key_limit"},
    )
    mock.post("/v1/chat/completions", content=binary, headers={**AUTH, "Content-Type": "application/json"})
    mock.get("/v1/providers?limit=2", headers=AUTH)
    entries = admin(mock, admin_checker, "GET", "/journal").json()["entries"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/chat/completions", 429),
        ("POST", "/v1/chat/completions", 400),
        ("GET", "/v1/providers", 200),
    ]
    first, second, third = entries
    assert first["body"]["encoding"] == "utf-8" and decode_body(first["body"]) == raw_json
    assert second["body"]["encoding"] == "base64" and decode_body(second["body"]) == binary
    assert third["body"] == {"encoding": "utf-8", "text": "", "size": 0} and third["query"] == "limit=2"
    assert (first["scenario"], first["operation_id"], first["outcome"]) == (
        "key_limit",
        "createChatCompletion",
        "completed",
    )
    assert second["scenario"] is None and first["generation_id"].startswith("G-")
    assert dict(first["headers"])["authorization"] == "Bearer [redacted]"
    assert dict(first["response_headers"])["x-gateway-error-attribution"] == "user"
    assert first["seq"] < second["seq"] < third["seq"]


def test_journal_paging_and_clearing(mock, admin_checker):
    for _ in range(3):
        mock.get("/v1/health")
    page = admin(mock, admin_checker, "GET", "/journal?limit=2").json()
    assert page["count"] == 2 and page["capacity"] == 500
    last = page["entries"][-1]["seq"]
    assert admin(mock, admin_checker, "GET", f"/journal?since={last}").json()["entries"] == []
    assert admin(mock, admin_checker, "GET", "/journal?limit=0").status_code == 400
    assert admin(mock, admin_checker, "DELETE", "/journal").json()["cleared"] >= 3
    assert admin(mock, admin_checker, "GET", "/journal").json()["count"] == 0


def test_rules_can_be_added_listed_and_cleared_at_run_time(mock, admin_checker):
    admin(mock, admin_checker, "DELETE", "/rules")
    rule = {"name": "second-fails", "path": "/v1/chat/completions", "nth": 2, "status": 402}
    added = admin(mock, admin_checker, "POST", "/rules", json=[rule])
    assert added.status_code == 201 and added.json()["added"][0]["nth"] == [2]
    statuses = [mock.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code for _ in range(3)]
    assert statuses == [200, 402, 200]
    listed = admin(mock, admin_checker, "GET", "/rules").json()["rules"]
    assert listed == [
        {
            "name": "second-fails",
            "source": "admin",
            "calls": 3,
            "path": "/v1/chat/completions",
            "status": 402,
            "nth": [2],
        }
    ]
    journal = admin(mock, admin_checker, "GET", "/journal?limit=2").json()["entries"]
    assert [(e["scenario"], e["rule"]) for e in journal] == [("status:402", "second-fails"), (None, None)]
    assert admin(mock, admin_checker, "DELETE", "/rules?source=admin").json() == {"cleared": 1}
    assert mock.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_rule"),
        (json.dumps({"scenario": "no_such"}).encode(), "invalid_rule"),
        (json.dumps({"rules": [{"path": "/x"}]}).encode(), "invalid_rule"),
    ],
)
def test_bad_rules_are_refused(mock, admin_checker, body, code):
    response = admin(mock, admin_checker, "POST", "/rules", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == code


def test_reset_restarts_rule_counts_and_empties_the_journal(mock, admin_checker):
    admin(
        mock,
        admin_checker,
        "POST",
        "/rules",
        json={"name": "first", "path": "/v1/chat/*", "times": 1, "scenario": "all_providers_failed"},
    )
    assert mock.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 502
    assert mock.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200
    assert admin(mock, admin_checker, "POST", "/reset").json() == {"reset": True}
    assert admin(mock, admin_checker, "GET", "/journal").json()["count"] == 0
    assert mock.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 502
    admin(mock, admin_checker, "DELETE", "/rules")


def test_scenario_catalogue(mock, admin_checker):
    body = admin(mock, admin_checker, "GET", "/scenarios").json()
    assert [s["name"] for s in body["scenarios"]] == list(SCENARIOS)
    assert not any(v["active"] for v in body["violations"])
    assert body["error_rate"] == 0.0 and body["latency"] is None


def test_unknown_routes_and_methods(mock, admin_checker):
    missing = mock.get("/__mock/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = mock.put("/__mock/journal")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, DELETE"


@pytest.fixture(scope="module")
def shared_app():
    return create_app(Settings.of(ttft_ms=0, tokens_per_second=0))


@pytest.mark.parametrize("host", ["203.0.113.7", "10.1.2.3", "192.168.0.9", "testclient"])
def test_only_loopback_clients_reach_the_admin_api(shared_app, admin_checker, host):
    remote = TestClient(shared_app, raise_server_exceptions=False, client=(host, 40000))
    refused = admin(remote, admin_checker, "GET", "/journal")
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert admin(remote, admin_checker, "POST", "/reset").status_code == 403
    assert remote.get("/v1/health").status_code == 200  # the gateway itself still answers


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost"])
def test_loopback_addresses_are_accepted(shared_app, host):
    local = TestClient(shared_app, raise_server_exceptions=False, client=(host, 40000))
    assert local.get("/__mock/journal").status_code == 200


def test_admin_any_host_opens_it_and_no_admin_turns_it_off():
    with client_for(client=("203.0.113.7", 40000), admin="any") as opened:
        assert opened.get("/__mock/journal").status_code == 200
    with client_for(admin="off") as closed:
        off = closed.get("/__mock/journal")
        assert off.status_code == 404 and off.text == "404 Not Found"  # the gateway's plain 404
        assert closed.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code == 200


def test_journal_is_bounded_by_its_size():
    with client_for(journal_size=2) as small:
        for _ in range(4):
            small.get("/v1/health")
        page = small.get("/__mock/journal").json()
        assert page["capacity"] == 2 and [e["seq"] for e in page["entries"]] == [3, 4]


def test_reset_forgets_the_state_and_the_id_counts(shared_app, monkeypatch):
    calls = []
    runtime = shared_app.runtime
    monkeypatch.setattr(runtime.state, "reset", lambda: calls.append("state"))
    monkeypatch.setattr(runtime.occurrences, "clear", lambda: calls.append("occurrences"))
    local = TestClient(shared_app, raise_server_exceptions=False, client=LOCAL)
    assert local.post("/__mock/reset").json() == {"reset": True}
    assert calls == ["state", "occurrences"]
