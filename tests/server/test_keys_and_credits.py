"""Management keys end to end, the credit wallet (402 at the right moment), /credits,
/activity and /generations lookups, all checked against the contract."""

from __future__ import annotations

import re

import pytest

from tests.support import FRAMEWORKS, ContractClient

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}


@pytest.fixture(scope="module", params=FRAMEWORKS)
def api(request):
    client = ContractClient(request.param, job_seconds=0, job_failure_rate=0.0)
    yield client
    client.close()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("base", ["/v1/management/keys", "/v1/provisioning/keys", "/v1/keys"])
def test_key_crud_end_to_end(api, base):
    created = api.post(base, json={"name": " CI pipeline ", "scopes": ["read", "write"]})
    assert created.status_code == 201
    key = created.json()["key"]
    assert re.fullmatch(r"aistats_v1_sk_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}", key["key"])
    assert key["prefix"] == key["key"].split("_")[3][:6] and key["name"] == "CI pipeline"
    assert key["scopes"] == '["read","write"]' and key["status"] == "active"
    own = _bearer(key["key"])
    assert api.get("/v1/credits", auth=own).status_code == 200, "a created key authenticates"
    wrong_secret = _bearer(key["key"][:-1] + ("A" if key["key"][-1] != "A" else "B"))
    assert api.get("/v1/credits", auth=wrong_secret).json()["reason"] == "invalid_secret"
    detail_path = f"{base}/{key['id']}" if base != "/v1/keys" else f"/v1/key?id={key['id']}"
    detail = api.get(detail_path).json()["key"]
    assert detail["last_used_at"] is not None and detail["team_id"] == "team_mock" and "key" not in detail
    item = f"/v1/management/keys/{key['id']}"
    assert api.patch(item, json={"status": "disabled"}).json() == {
        "ok": True,
        "message": "Key updated successfully",
    }
    refused = api.get("/v1/credits", auth=own)
    assert refused.status_code == 401 and refused.json()["reason"] == "key_not_found_or_revoked"
    inference = api.post("/v1/chat/completions", json=CHAT, auth=own)
    assert inference.status_code == 401 and inference.json()["description"] == "key_not_found_or_revoked"
    api.patch(item, json={"status": "active"})
    assert api.get("/v1/credits", auth=own).status_code == 200, "re-enabled"
    deleted = api.delete(item)
    assert deleted.json() == {"ok": True, "message": 'Key "CI pipeline" deleted successfully'}
    assert api.get(item).json() == {"ok": False, "error": "Key not found"}
    assert api.get(item).status_code == 404
    assert api.get("/v1/credits", auth=own).status_code == 401
    assert api.delete(item).status_code == 404


def test_list_paginates_newest_first(api):
    names = [f"page-key-{i}" for i in range(5)]
    for name in names:
        api.clock.advance(1)
        api.post("/v1/management/keys", json={"name": name})
    first = api.get("/v1/management/keys?limit=2").json()
    second = api.get("/v1/management/keys?limit=2&offset=2").json()
    assert first["total"] == second["total"] >= 5
    assert [k["name"] for k in first["keys"]] == names[::-1][:2]
    assert [k["name"] for k in second["keys"]] == names[::-1][2:4]
    assert api.get("/v1/management/keys?limit=251").status_code == 400
    forbidden = api.get("/v1/management/keys?team_id=someone_else")
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"


def test_key_validation(api):
    assert api.post("/v1/management/keys", json={"name": "   "}).status_code == 400
    assert api.post("/v1/management/keys", json={"name": "x" * 101}).status_code == 400
    assert api.get("/v1/management/keys/not-a-uuid").status_code == 400
    missing = api.get("/v1/management/keys/3f1c2a9e-6b7d-4e21-9a57-0c8d4b2e1f60")
    assert missing.status_code == 404
    assert api.patch("/v1/management/keys/3f1c2a9e-6b7d-4e21-9a57-0c8d4b2e1f60", json={"name": "x"}).status_code == 404


def test_credits_run_out_at_the_right_moment():
    api = ContractClient("async", credits_usd=1.5)
    try:
        team = "team_mock"
        spent = 0
        while api.store.ledger.balance(team) >= 1_000_000_000:
            answer = api.post(
                "/v1/chat/completions",
                json={**CHAT, "model": "anthropic/claude-opus-4-1", "max_tokens": 4000},
                headers={"X-Mock-Seed": str(spent)},
            )
            assert answer.status_code == 200
            spent += answer.json()["usage"]["pricing"]["total_nanos"]
        assert api.store.ledger.balance(team) == 1_500_000_000 - spent
        refused = api.post("/v1/chat/completions", json=CHAT)
        assert refused.status_code == 402
        assert refused.json()["error"] == "insufficient_funds" and refused.json()["error_type"] == "user"
        assert refused.headers["x-gateway-error-attribution"] == "user"
        assert api.post("/v1/videos", json={"model": "openai/sora-2", "prompt": "x"}).status_code == 402
        assert api.get("/v1/credits").status_code == 200, "control routes are not credit-checked"
        credits = api.get("/v1/credits").json()["credits"]
        assert credits["remaining"] == 1_500_000_000 - spent and credits["thirty_day_usage"] == spent
        record = api.get(f"/v1/generations?id={refused.json()['generation_id']}").json()
        assert record["success"] is False and record["error_code"] == "user:insufficient_funds"
    finally:
        api.close()


def test_generations_and_activity_report_what_happened(api):
    answer = api.post("/v1/chat/completions", json=CHAT, headers={"X-Mock-Seed": "777"}).json()
    record = api.get(f"/v1/generations?id={answer['id']}").json()
    assert record["request_id"] == answer["id"] and record["success"] is True and record["status_code"] == 200
    assert record["model_id"] == "openai/gpt-5-nano" and record["endpoint"] == "chat.completions"
    assert record["cost_nanos"] == answer["usage"]["pricing"]["total_nanos"]
    assert record["usage"]["input_text_tokens"] == answer["usage"]["prompt_tokens"]
    assert record["pricing_lines"] == answer["usage"]["pricing"]["lines"]
    failed = api.post("/v1/chat/completions", json={**CHAT, "model": "openai/sora-2"})
    failure = api.get(f"/v1/generations?id={failed.json()['generation_id']}").json()
    assert failure["success"] is False and failure["status_code"] == 400
    assert failure["error_code"] == "user:unsupported_model_or_endpoint" and failure["cost_nanos"] == 0
    unknown = api.get("/v1/generations?id=G-00000000000000000000000000")
    assert unknown.status_code == 404 and unknown.json() == {"ok": False, "error": "not_found"}
    no_id = api.get("/v1/generations", auth=None)
    assert no_id.status_code == 400 and no_id.json() == {"ok": False, "error": "missing_id"}
    page = api.get("/v1/activity?limit=2&days=7").json()
    assert page["period_days"] == 7 and len(page["activity"]) == 2 and page["total"] >= 2
    assert page["activity"][0]["request_id"] == failed.json()["generation_id"]
    assert page["total_cost_cents"] == pytest.approx(sum(a["cost_cents"] for a in page["activity"]))
    assert api.get("/v1/activity?team_id=other").status_code == 403
    stream = api.post(
        "/v1/chat/completions",
        json={**CHAT, "stream": True},
        headers={"X-Mock-Seed": "778", "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"},
    )
    stream_id = re.search(r'"id":"(G-[0-9A-Z]{26})"', stream.text).group(1)
    streamed = api.get(f"/v1/generations?id={stream_id}").json()
    assert streamed["stream"] is True and streamed["cost_nanos"] > 0
