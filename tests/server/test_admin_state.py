"""GET /__mock/state: every wallet, the newest jobs and generation records, read only;
every answer checked against spec/admin. The same on the SQLite store and on a real Redis."""

from __future__ import annotations

import uuid

import pytest

from tests.support import AUTH, UNPACED, FakeClock, contract_checker, make_client

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "hello"}]}
VIDEO = {"model": "openai/sora-2", "prompt": "a cat"}
ACME = {"Authorization": "Bearer aistats_v1_sk_acme.k1_secret"}


@pytest.fixture(params=["sqlite", "redis"])
def mock(request):
    options = {}
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        options["state_url"] = server.url(prefix=uuid.uuid4().hex[:12])
    client = make_client(admin="any", job_seconds=10, **options)
    store = client.app.runtime.state
    store.clock = FakeClock()
    with client:
        yield client
    store.reset()
    store.close()


def state(mock, **params):
    return contract_checker("admin").check(mock.get("/__mock/state", params=params))


def test_a_charged_request_shows_in_its_teams_wallet_and_as_a_costed_generation(mock):
    before = state(mock).json()
    assert before["wallets"] == [] and before["generations"] == [] and before["jobs"] == []
    answer = mock.post("/v1/chat/completions", json=CHAT, headers={**AUTH, **UNPACED})
    cost = answer.json()["usage"]["pricing"]["total_nanos"]
    mock.post("/v1/chat/completions", json=CHAT, headers={**ACME, **UNPACED})

    snapshot = state(mock).json()
    wallets = {wallet["team_id"]: wallet for wallet in snapshot["wallets"]}
    assert set(wallets) == {"team_mock", "team_acme"}
    assert wallets["team_mock"]["balance_nanos"] == snapshot["initial_nanos"] - cost
    assert wallets["team_mock"]["spent_nanos"] == cost
    assert wallets["team_mock"]["balance_usd"] == pytest.approx(wallets["team_mock"]["balance_nanos"] / 1e9)
    newest, older = snapshot["generations"]
    assert newest["team_id"] == "team_acme"
    assert (older["request_id"], older["cost_nanos"], older["model_id"]) == (answer.json()["id"], cost, CHAT["model"])
    journal = mock.get("/__mock/journal").json()["entries"]
    assert older["request_id"] == journal[0]["generation_id"]  # how the dashboard joins the cost


def test_jobs_show_as_a_poll_would_see_them_and_reading_charges_nothing(mock):
    job = mock.post("/v1/videos", json=VIDEO, headers=AUTH).json()
    clock = mock.app.runtime.state.clock
    clock.advance(60)
    balance = mock.get("/v1/credits", headers=AUTH).json()["credits"]["remaining"]

    listed = state(mock).json()["jobs"]
    assert [(j["id"], j["kind"], j["status"], j["progress"], j["charged_nanos"]) for j in listed] == [
        (job["id"], "video", "completed", 100, None)
    ]
    assert mock.get("/v1/credits", headers=AUTH).json()["credits"]["remaining"] == balance
    mock.get(f"/v1/videos/{job['id']}", headers=AUTH)  # the poll charges it
    assert state(mock).json()["jobs"][0]["charged_nanos"] > 0


def test_limit_bounds_each_list_and_a_bad_limit_is_a_400_naming_it(mock):
    for _ in range(3):
        mock.post("/v1/chat/completions", json=CHAT, headers={**AUTH, **UNPACED})
    assert len(state(mock, limit=2).json()["generations"]) == 2
    assert len(state(mock).json()["generations"]) == 3
    for bad in ("0", "501", "x", "-1"):
        refused = state(mock, limit=bad)
        assert refused.status_code == 400 and "limit" in refused.json()["message"]


def test_state_is_loopback_only_like_every_admin_route():
    with make_client() as remote:  # TestClient's client address is "testclient", not loopback
        refused = contract_checker("admin").check(remote.get("/__mock/state"))
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
