"""Teams side by side: the rule naming the team of an unminted key, keys minted into the
minting key's team, and wallets, keys, jobs, generation records and activity that one
team can neither see nor touch from another (docs/teams.md). Every answer is checked
against the contract."""

from __future__ import annotations

import pytest

from mockserver.auth import parse_key, team_of_kid
from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.state.store import Bounds, Store
from tests.support import KEY, ContractClient, contract_checker, make_client

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}
VIDEO = {"model": "openai/sora-2", "prompt": "A paper boat on a rainy street", "seconds": "4"}
MUSIC = {"model": "suno/v4.5plus", "prompt": "warm jazz trio with brushed drums", "duration": 4}
KEY_BASES = ("/v1/management/keys", "/v1/provisioning/keys", "/v1/keys")
INITIAL = 100 * NANOS_PER_USD
OPERATOR = {"x-control-secret": "operator-secret-7"}
OAUTH_CLIENT = {"name": "Release dashboard", "redirect_uris": ["https://dashboard.example.com/cb"]}


@pytest.fixture(scope="module")
def api():
    client = ContractClient(
        "async",
        job_seconds=10,
        job_failure_rate=0.0,
        credits_usd=100,
        admin="any",
        control_secret=OPERATOR["x-control-secret"],
    )
    yield client
    client.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def team_auth(label: str, name: str = "k1") -> dict[str, str]:
    """An unminted key of team ``team_<label>`` (its kid is ``<label>.<name>``)."""
    return bearer(f"aistats_v1_sk_{label}.{name}_secret_of_{label}")


def remaining(api, auth: dict[str, str]) -> int:
    return api.get("/v1/credits", auth=auth).json()["credits"]["remaining"]


def mint(api, auth: dict[str, str], name: str, base: str = KEY_BASES[0]) -> dict:
    created = api.post(base, json={"name": name}, auth=auth)
    assert created.status_code == 201
    return created.json()["key"]


@pytest.mark.parametrize(
    ("kid", "team"),
    [
        ("acme.k1", "team_acme"),
        ("Acme-2.ci", "team_Acme-2"),
        ("acme.", "team_acme"),
        ("a.b.c", "team_a"),
        ("mock.ci", "team_mock"),
        ("testkid0001", "team_mock"),
        ("u8jzPde0IgxL", "team_mock"),
        (".k1", "team_mock"),
        ("-acme.k1", "team_mock"),
        ("ac!me.k1", "team_mock"),
        ("x" * 33 + ".k1", "team_mock"),
        ("x" * 32 + ".k1", "team_" + "x" * 32),
    ],
)
def test_the_team_rule_for_unminted_kids(kid, team):
    assert team_of_kid(kid) == team
    assert parse_key(f"aistats_v1_sk_{kid}_secret_part").team_id == team
    assert parse_key(f"aistats_v1_k_{kid}_secret_part", "k").team_id == team, "2025-12 keys follow the same rule"


def test_an_unminted_key_authenticates_as_the_team_its_kid_names(api):
    acme = team_auth("rule-acme")
    assert api.get("/v1/credits?team_id=team_rule-acme", auth=acme).status_code == 200
    forbidden = api.get("/v1/credits?team_id=team_mock", auth=acme)
    assert forbidden.status_code == 403 and forbidden.json()["message"] == "team_id must match authenticated team"
    assert api.get("/v1/credits?team_id=team_mock", auth=bearer(KEY)).status_code == 200, "ordinary keys: team_mock"
    assert api.get("/v1/credits?team_id=team_mock", auth=team_auth("mock")).status_code == 200
    assert api.get("/v1/activity?team_id=team_rule-acme", auth=team_auth("rule-acme", "other")).status_code == 200


@pytest.mark.parametrize("base", KEY_BASES)
def test_a_minted_key_belongs_to_the_minting_team(api, base):
    label = "mint" + base.replace("/", "-")
    founder = team_auth(label)
    minted = mint(api, founder, "child", base)
    child = bearer(minted["key"])
    team = f"team_{label}"
    assert api.get(f"/v1/management/keys/{minted['id']}", auth=founder).json()["key"]["team_id"] == team
    assert api.get(f"/v1/credits?team_id={team}", auth=child).status_code == 200, "authenticates as the team"
    assert api.get("/v1/credits?team_id=team_mock", auth=child).status_code == 403
    grandchild = mint(api, child, "grandchild")
    assert api.get(f"/v1/management/keys/{grandchild['id']}", auth=founder).json()["key"]["team_id"] == team
    listed = api.get("/v1/management/keys", auth=child).json()
    assert {key["id"] for key in listed["keys"]} == {minted["id"], grandchild["id"]} and listed["total"] == 2
    assert api.post("/v1/chat/completions", json=CHAT, auth=child).status_code == 200
    assert remaining(api, founder) < INITIAL, "the minted key spends its team's wallet"


def _key_paths(key_id: str) -> list[str]:
    return [f"/v1/management/keys/{key_id}", f"/v1/provisioning/keys/{key_id}"]


def test_another_teams_keys_are_invisible_and_untouchable(api):
    acme, globex = team_auth("keys-acme"), team_auth("keys-globex")
    owned = mint(api, acme, "acme pipeline")
    not_found = {"ok": False, "error": "Key not found"}
    for path in _key_paths(owned["id"]):
        read = api.get(path, auth=globex)
        assert read.status_code == 404 and read.json() == not_found
        patched = api.patch(path, json={"name": "stolen", "status": "revoked", "soft_blocked": True}, auth=globex)
        assert patched.status_code == 404 and patched.json() == not_found
        deleted = api.delete(path, auth=globex)
        assert deleted.status_code == 404 and deleted.json() == not_found
    alias = api.get(f"/v1/key?id={owned['id']}", auth=globex)
    assert alias.status_code == 404 and alias.json() == not_found
    for base in KEY_BASES:
        listed = api.get(base, auth=globex).json()
        assert listed["total"] == 0 and listed["keys"] == []
        assert api.get(f"{base}?team_id=team_keys-acme", auth=globex).status_code == 403
    assert (
        api.post("/v1/management/keys", json={"name": "x", "team_id": "team_keys-acme"}, auth=globex).status_code == 403
    )
    detail = api.get(f"/v1/management/keys/{owned['id']}", auth=acme).json()["key"]
    assert detail["name"] == "acme pipeline" and detail["status"] == "active" and detail["soft_blocked"] is False
    assert api.get("/v1/credits", auth=bearer(owned["key"])).status_code == 200, "still authenticates"
    assert api.get("/v1/management/keys", auth=acme).json()["total"] == 1


def test_wallets_are_per_team(api):
    acme, globex = team_auth("wallet-acme"), team_auth("wallet-globex")
    assert remaining(api, acme) == remaining(api, globex) == INITIAL, "every team starts at --credits"
    answer = api.post("/v1/chat/completions", json=CHAT, auth=acme).json()
    cost = answer["usage"]["pricing"]["total_nanos"]
    assert cost > 0
    assert remaining(api, acme) == INITIAL - cost and api.store.ledger.balance("team_wallet-acme") == INITIAL - cost
    assert remaining(api, globex) == INITIAL, "nothing landed in the other wallet"
    acme_credits = api.get("/v1/credits", auth=acme).json()["credits"]
    globex_credits = api.get("/v1/credits", auth=globex).json()["credits"]
    assert acme_credits["thirty_day_usage"] == cost and acme_credits["thirty_day_requests"] == 1
    assert globex_credits["thirty_day_usage"] == 0 and globex_credits["thirty_day_requests"] == 0
    api.store.ledger.set_balance("team_wallet-acme", NANOS_PER_USD - 1)
    refused = api.post("/v1/chat/completions", json=CHAT, auth=acme)
    assert refused.status_code == 402 and refused.json()["error"] == "insufficient_funds"
    assert api.post("/v1/chat/completions", json=CHAT, auth=globex).status_code == 200, "402 is per team"
    assert api.post("/v1/chat/completions", json=CHAT, auth=bearer(KEY)).status_code == 200


def test_generations_and_activity_are_per_team(api):
    acme, globex = team_auth("gen-acme"), team_auth("gen-globex")
    mine = api.post("/v1/chat/completions", json=CHAT, auth=acme, headers={"X-Mock-Seed": "4101"}).json()
    theirs = api.post(
        "/v1/chat/completions",
        json={**CHAT, "messages": [{"role": "user", "content": "Something else"}]},
        auth=globex,
        headers={"X-Mock-Seed": "4102"},
    ).json()
    assert mine["id"] != theirs["id"]
    record = api.get(f"/v1/generations?id={mine['id']}", auth=acme).json()
    assert record["team_id"] == "team_gen-acme" and record["request_id"] == mine["id"]
    hidden = api.get(f"/v1/generations?id={mine['id']}", auth=globex)
    assert hidden.status_code == 404 and hidden.json() == {"ok": False, "error": "not_found"}
    assert api.get(f"/v1/generations?id={theirs['id']}", auth=acme).status_code == 404
    acme_page, globex_page = (api.get("/v1/activity", auth=auth).json() for auth in (acme, globex))
    assert [entry["request_id"] for entry in acme_page["activity"]] == [mine["id"]] and acme_page["total"] == 1
    assert [entry["request_id"] for entry in globex_page["activity"]] == [theirs["id"]] and globex_page["total"] == 1
    assert api.get("/v1/activity?team_id=team_gen-acme", auth=globex).status_code == 403


def test_video_jobs_are_per_team(api):
    acme, globex = team_auth("video-acme"), team_auth("video-globex")
    job = api.post("/v1/videos", json=VIDEO, auth=acme).json()
    for prefix in ("/v1/videos", "/v1/video/generations"):
        for method, suffix in (("GET", ""), ("GET", "/content"), ("DELETE", "")):
            refused = api.call(method, f"{prefix}/{job['id']}{suffix}", auth=globex)
            assert refused.status_code == 404, (method, prefix, suffix)
            assert refused.json()["error"] == "not_found"
            assert refused.json()["reason"] == "video_not_found_or_not_owned"
            assert refused.json()["team_id"] == "team_video-globex" and refused.json()["video_id"] == job["id"]
    api.clock.advance(60)
    assert api.get(f"/v1/videos/{job['id']}", auth=globex).status_code == 404, "polling by another team charges no one"
    assert remaining(api, globex) == INITIAL and remaining(api, acme) == INITIAL
    done = api.get(f"/v1/videos/{job['id']}", auth=acme).json()
    assert done["status"] == "completed"
    assert remaining(api, acme) == INITIAL - done["usage"]["pricing"]["total_nanos"], "charged to the owner"
    assert remaining(api, globex) == INITIAL
    assert api.delete(f"/v1/videos/{job['id']}", auth=acme).json()["deleted"] is True


def test_music_jobs_are_per_team(api):
    acme, globex = team_auth("music-acme"), team_auth("music-globex")
    job = api.post("/v1/music/generate", json=MUSIC, auth=acme).json()
    for prefix in ("/v1/music/generate", "/v1/music/generations"):
        refused = api.get(f"{prefix}/{job['id']}", auth=globex)
        assert refused.status_code == 404 and refused.json()["reason"] == "music_not_found_or_not_owned"
        assert refused.json()["team_id"] == "team_music-globex" and refused.json()["music_id"] == job["id"]
    api.clock.advance(60)
    assert api.get(f"/v1/music/generate/{job['id']}", auth=globex).status_code == 404
    assert api.get(f"/v1/music/generate/{job['id']}", auth=acme).json()["status"] == "completed"
    assert remaining(api, acme) < INITIAL and remaining(api, globex) == INITIAL


def test_oauth_clients_are_per_team(api):
    acme, globex = team_auth("oauth-acme"), team_auth("oauth-globex")
    created = api.post("/v1/oauth-clients", json=OAUTH_CLIENT, auth=acme).json()
    assert created["team_id"] == "team_oauth-acme"
    item = f"/v1/oauth-clients/{created['client_id']}"
    for method, path in (("GET", item), ("PATCH", item), ("DELETE", item), ("POST", f"{item}/regenerate-secret")):
        refused = api.call(method, path, auth=globex, json={"name": "stolen"} if method == "PATCH" else None)
        assert refused.status_code == 404 and refused.json()["error"] == "not_found", method
    assert api.get("/v1/oauth-clients", auth=globex).json()["data"] == []
    assert api.get(item, auth=acme).json()["name"] == OAUTH_CLIENT["name"], "untouched"


def test_an_operator_cannot_invalidate_another_teams_key(api):
    acme, globex = team_auth("cache-acme"), team_auth("cache-globex")
    owned = mint(api, acme, "rotating")
    foreign = api.post(f"/v1/keys/{owned['id']}/invalidate", auth=globex, headers=OPERATOR)
    assert foreign.status_code == 403 and foreign.json()["error"] == "forbidden"
    answer = api.post(f"/v1/keys/{owned['id']}/invalidate", auth=acme, headers=OPERATOR)
    assert answer.status_code == 200 and answer.json()["key"]["team_id"] == "team_cache-acme"


def test_the_2025_12_contract_bills_the_team_its_kid_names():
    checker = contract_checker("2025-12")
    with make_client("async", contract="2025-12") as client:
        store = client.app.runtime.state
        for label in ("old-acme", "old-globex"):
            answer = client.post(
                "/v1/chat/completions",
                json=CHAT,
                headers={"Authorization": f"Bearer aistats_v1_k_{label}.k1_secret", "X-Mock-Seed": "5"},
            )
            assert answer.status_code == 200
            checker.check(answer)
        spent = [INITIAL - store.ledger.balance(f"team_{label}") for label in ("old-acme", "old-globex")]
        assert spent[0] > 0 and spent[0] == spent[1], "each team paid for its own request"
        assert store.ledger.balance("team_mock") == INITIAL


def test_reset_clears_every_team(api):
    teams = [team_auth("reset-acme"), team_auth("reset-globex")]
    for auth in teams:
        mint(api, auth, "to be forgotten")
        assert api.post("/v1/chat/completions", json=CHAT, auth=auth).status_code == 200
        assert remaining(api, auth) < INITIAL
    api.store.ledger.set_balance("team_reset-globex", 0)
    assert api.client.post("/__mock/reset").status_code == 200
    for auth in teams:
        assert remaining(api, auth) == INITIAL
        assert api.get("/v1/management/keys", auth=auth).json()["total"] == 0
        assert api.get("/v1/activity", auth=auth).json()["total"] == 0


def test_teams_beyond_the_cap_are_forgotten_least_recently_charged_first():
    now = [1_000_000.0]
    store = Store(bounds=Bounds(max_teams=3), clock=lambda: now[0])
    try:
        for index, team in enumerate(("team_mock", "team_a", "team_b", "team_c", "team_d")):
            now[0] += 1
            store.ledger.settle({"request_id": f"G-{index}", "team_id": team, "cost_nanos": 5}, store.now_ms())
        store.ledger.settle({"request_id": "G-free", "team_id": "team_free", "cost_nanos": 0}, store.now_ms())
        now[0] += 1
        store.ledger.settle({"request_id": "G-again", "team_id": "team_a", "cost_nanos": 5}, store.now_ms())
        store.prune()
        kept = {row["team_id"] for row in store.db.query("SELECT team_id FROM wallets")}
        assert kept == {"team_mock", "team_a", "team_d"}, "the default team stays; b and c were idlest"
        assert store.ledger.balance("team_a") == INITIAL - 10 and store.ledger.balance("team_mock") == INITIAL - 5
        assert store.ledger.balance("team_b") == INITIAL and store.ledger.generation("team_b", "G-2") is None
        assert store.ledger.spend_since("team_c", 0) == 0 and store.ledger.requests_since("team_c", 0) == 0
        assert store.ledger.generation("team_free", "G-free") is not None, "a free request writes no wallet"
        store.prune()
        assert store.ledger.balance("team_d") == INITIAL - 5, "nothing more to forget under the cap"
    finally:
        store.close()
