"""The control-plane routes beyond keys and credits: organisations, price cards, price
calculation, provider derank status, key cache invalidation and OAuth clients. Every
answer is checked against the contract; figures are checked against fixtures/ and the
state store."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from mockserver.catalogue import load_catalogue
from mockserver.cli import build_parser, settings_from
from mockserver.enrichment.pricing import price_of, price_usage
from mockserver.enrichment.usage import price_rules
from mockserver.operations.health import WINDOW_MS
from mockserver.operations.keys import iso_ms
from mockserver.state import Store
from tests.support import FRAMEWORKS, ContractClient
from tests.support.clients import START

SECRET = "operator-secret-42"
OPERATOR = {"x-control-secret": SECRET}
CATALOGUE = load_catalogue()
CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Price me, please."}]}
CLIENT = {
    "name": "Release dashboard",
    "description": "Shows spend per release train.",
    "homepage_url": "https://dashboard.example.com",
    "redirect_uris": ["https://dashboard.example.com/oauth/callback", "http://localhost:5173/callback"],
}


@pytest.fixture(scope="module")
def api():
    client = ContractClient("async", job_seconds=0, job_failure_rate=0.0, control_secret=SECRET)
    yield client
    client.close()


@pytest.fixture(scope="module")
def no_secret():
    client = ContractClient("async", job_seconds=0)
    yield client
    client.close()


@pytest.fixture(scope="module", params=FRAMEWORKS)
def both(request):
    client = ContractClient(request.param, job_seconds=0, control_secret=SECRET)
    yield client
    client.close()


# ------------------------------------------------------------------ organisations


def test_organisations_come_from_the_fixtures_in_pages(api):
    everything = api.get("/v1/organisations?limit=250")
    assert everything.headers["cache-control"] == "private, max-age=300, stale-while-revalidate=600"
    body = everything.json()
    assert body["total"] == len(CATALOGUE.organisations) == len(body["organisations"])
    names = [entry["name"] for entry in body["organisations"]]
    assert names == sorted(names, key=str.lower)
    for entry in body["organisations"]:
        fixture = CATALOGUE.organisations[entry["organisation_id"]]
        assert (entry["name"], entry["country_code"], entry["colour"], entry["description"]) == (
            fixture["name"],
            fixture["country_code"],
            fixture["colour"],
            fixture["description"],
        )
    first = api.get("/v1/organisations?limit=3").json()
    rest = api.get("/v1/organisations?limit=250&offset=3").json()
    assert first["limit"] == 3 and first["offset"] == 0 and len(first["organisations"]) == 3
    assert first["organisations"] + rest["organisations"] == body["organisations"]
    assert api.get("/v1/organisations?offset=100").json()["organisations"] == []
    refused = api.get("/v1/organisations?limit=251")
    assert refused.status_code == 400 and refused.json()["ok"] is False


# ------------------------------------------------------------------ price cards


def test_price_cards_cover_every_servable_model_with_its_fixture_prices(api):
    answer = api.get("/v1/pricing/models")
    assert answer.headers["cache-control"] == "private, max-age=300, stale-while-revalidate=600"
    cards = answer.json()["models"]
    order = [(card["provider"], card["model"], card["endpoint"]) for card in cards]
    assert order == sorted(order)
    servable = [m for m in CATALOGUE.models.values() if m.providers and m.pricing]
    expected = {(p, m.model_id, c) for m in servable for p in m.providers for c in m.endpoints}
    assert set(order) == expected
    for card in cards:
        model = CATALOGUE.models[card["model"]]
        plans = [c["value"] for meter in card["meters"] for c in meter["conditions"]] or ["standard"]
        plan = plans[0]
        assert set(plans) == {plan} and card["display_name"] == model.name
        rules = price_rules(model, plan)
        assert [meter["meter"] for meter in card["meters"]] == list(rules)
        for meter in card["meters"]:
            price = price_of(meter["meter"], rules[meter["meter"]])
            assert Decimal(meter["price_per_unit"]) == price.usd and meter["unit_size"] == price.unit_size
    nano_model = CATALOGUE.get("openai/gpt-5-nano")
    nano = [card for card in cards if card["model"] == nano_model.model_id and card["provider"] == "openai"]
    assert len(nano) == 1 + len(nano_model.extra["pricing_plans"])
    standard = next(card for card in nano if not card["meters"][0]["conditions"])
    assert {m["meter"]: m["price_per_unit"] for m in standard["meters"]}["output_text_tokens"] == "0.4"
    whisper = next(card for card in cards if card["meters"][0]["meter"] == "input_audio_seconds")
    assert whisper["meters"][0]["unit"] == "second" and whisper["meters"][0]["unit_size"] == 60


# ------------------------------------------------------------------ price calculation


def _calculate(api, usage, model="openai/gpt-5-nano", provider="openai", endpoint="text.generate"):
    return api.post(
        "/v1/pricing/calculate", json={"provider": provider, "model": model, "endpoint": endpoint, "usage": usage}
    )


@pytest.mark.parametrize(
    "model_id, usage",
    [
        ("openai/gpt-5-nano", {"input_text_tokens": 1000, "output_text_tokens": 200}),
        ("openai/gpt-5", {"input_text_tokens": 123457, "cached_read_text_tokens": 999, "output_text_tokens": 3}),
        ("openai/whisper-1", {"input_audio_seconds": 95.5}),
        ("mistral/mistral-ocr-2505", {"pages": 7}),
    ],
)
def test_calculation_equals_the_pricing_arithmetic_on_the_standard_card(api, model_id, usage):
    model = CATALOGUE.models.get(model_id) or CATALOGUE.get(model_id)
    answer = _calculate(api, usage, model.model_id, model.providers[-1], model.endpoints[0])
    assert answer.status_code == 200, answer.text
    pricing = answer.json()["pricing"]
    expected = price_usage(usage, model.pricing)
    assert [{k: v for k, v in line.items() if k in expected["lines"][0]} for line in pricing["lines"]] == expected[
        "lines"
    ]
    total = expected["total_nanos"]
    assert sum(line["line_nanos"] for line in pricing["lines"]) == total
    assert pricing["cost_usd_str"] == f"{Decimal(total) / 10**9:.9f}"
    assert pricing["cost_cents"] == -(-total // 10**7) and pricing["cost_usd"] == pytest.approx(total / 1e9)


def test_calculation_prices_what_a_chat_request_is_charged(api):
    charged = api.post("/v1/chat/completions", json=CHAT).json()["usage"]["pricing"]
    quantities = {line["dimension"]: line["quantity"] for line in charged["lines"]}
    pricing = _calculate(api, quantities).json()["pricing"]
    assert sum(line["line_nanos"] for line in pricing["lines"]) == charged["total_nanos"]
    assert pricing["cost_cents"] >= charged["total_cents"], "rounded up here, down on inference answers"


def test_calculation_ignores_unpriced_meters_and_zero_counts(api):
    pricing = _calculate(api, {"input_text_tokens": 0, "output_video_seconds": 4, "output_text_tokens": 10})
    assert [line["dimension"] for line in pricing.json()["pricing"]["lines"]] == ["output_text_tokens"]
    nothing = _calculate(api, {}).json()["pricing"]
    assert nothing["lines"] == [] and nothing["cost_cents"] == 0 and nothing["cost_usd_str"] == "0.000000000"


@pytest.mark.parametrize(
    "model, provider, endpoint",
    [
        ("openai/no-such-model", "openai", "text.generate"),
        ("gpt-5-nano", "openai", "text.generate"),
        ("openai/gpt-5-nano", "anthropic", "text.generate"),
        ("openai/gpt-5-nano", "openai", "image.generate"),
    ],
)
def test_calculation_of_unknown_combinations_is_404(api, model, provider, endpoint):
    answer = _calculate(api, {"input_text_tokens": 5}, model, provider, endpoint)
    assert answer.status_code == 404 and answer.json()["error"] == "pricing_not_found"
    assert answer.json()["ok"] is False and model in answer.json()["message"]


@pytest.mark.parametrize(
    "body, error",
    [
        (
            {"provider": " ", "model": "openai/gpt-5-nano", "endpoint": "text.generate", "usage": {}},
            "missing_required_fields",
        ),
        ({"provider": "openai", "model": "openai/gpt-5-nano", "endpoint": "text.generate"}, "validation_error"),
        (
            {
                "provider": "openai",
                "model": "openai/gpt-5-nano",
                "endpoint": "text.generate",
                "usage": {"input_text_tokens": -1},
            },
            "validation_error",
        ),
        (
            {
                "provider": "openai",
                "model": "openai/gpt-5-nano",
                "endpoint": "text.generate",
                "usage": {"input_text_tokens": "many"},
            },
            "validation_error",
        ),
    ],
)
def test_bad_calculation_requests_are_400(api, body, error):
    answer = api.post("/v1/pricing/calculate", json=body)
    assert answer.status_code == 400 and answer.json()["error"] == error and answer.json()["ok"] is False


# ------------------------------------------------------------------ control secret


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/health/providers/openai/derank"),
        ("POST", "/v1/keys/3f1c2a9e-6b7d-4e21-9a57-0c8d4b2e1f60/invalidate"),
    ],
)
def test_control_secret_semantics(api, no_secret, method, path):
    assert api.call(method, path, auth=None, headers=OPERATOR).status_code == 401, "the key is checked first"
    unset = no_secret.call(method, path, headers=OPERATOR)
    assert unset.status_code == 503 and unset.json()["error"] == "control_secret_missing"
    for headers in ({}, {"x-control-secret": SECRET + "x"}, {"x-control-secret": ""}):
        refused = api.call(method, path, headers=headers)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert api.call(method, path, headers=OPERATOR).status_code in (200, 404)


def test_cli_takes_the_control_secret():
    parser = build_parser()
    assert settings_from(parser.parse_args(["serve", "--control-secret", "abc"])).api.control_secret == "abc"
    assert settings_from(parser.parse_args(["serve"])).api.control_secret is None


# ------------------------------------------------------------------ derank


def _settle(
    store,
    index,
    *,
    provider="anthropic",
    model="anthropic/claude-haiku-4-5-2025-10-15",
    endpoint="chat.completions",
    success=True,
    latency=800.0,
    throughput=50.0,
):
    now = store.now_ms()
    store.ledger.settle(
        {
            "request_id": f"G-derank-{provider}-{index}",
            "team_id": "team_mock",
            "provider": provider,
            "model_id": model,
            "endpoint": endpoint,
            "success": success,
            "latency_ms": latency,
            "throughput": throughput,
            "created_at": iso_ms(now),
            "cost_nanos": 0,
        },
        now,
    )


def _derank(api, provider, query=""):
    answer = api.get(f"/v1/health/providers/{provider}/derank{query}", headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "private, max-age=15, stale-while-revalidate=15"
    return answer.json()


def test_derank_follows_recorded_traffic(api):
    store, provider = api.store, "together"
    quiet = _derank(api, provider)
    assert quiet["pairs"] == [] and not quiet["deranked"] and quiet["now_ms"] == store.now_ms()
    for index in range(6):
        _settle(store, index, provider=provider, success=index == 0, latency=1000.0 + index)
        api.clock.advance(1)
    _settle(store, 99, provider=provider, endpoint="embeddings", model="qwen/qwen3-embedding-8b")
    status = _derank(api, provider)
    assert status["deranked"] and status["open_count"] == 1 and status["checked_pairs"] == 2
    embeddings, chat = status["pairs"]
    assert embeddings["endpoint"] == "embeddings" and embeddings["breaker"] == "closed"
    assert chat["breaker"] == "open" and chat["err_ewma_60s"] > 0.75
    first_failure_ms = int((START + 1) * 1000)
    assert chat["breaker_until_ms"] == first_failure_ms + WINDOW_MS + 1, "open until the second record ages out"
    assert 1000 < chat["lat_ewma_60s"] < 1005 and chat["tp_ewma_60s"] == 50.0
    assert chat["seconds_until_reopen"] == -(-(chat["breaker_until_ms"] - status["now_ms"]) // 1000)
    health = next(p for p in api.get("/v1/health", auth=None).json()["providers"] if p["provider"] == provider)
    assert health["breaker"] == "open" and health["success_rate"] == round(2 / 7, 4), "same records, same rule"
    assert len(_derank(api, provider, "?max_pairs=1")["pairs"]) == 1
    api.clock.now = (chat["breaker_until_ms"] - 1.5) / 1000
    assert _derank(api, provider)["deranked"], "still open a millisecond before"
    api.clock.now = (chat["breaker_until_ms"] + 0.5) / 1000
    later = _derank(api, provider)
    assert not later["deranked"] and [p["breaker"] for p in later["pairs"]] == ["closed", "closed"]
    api.clock.advance(2 * 3600)
    assert _derank(api, provider, "?window_hours=1")["pairs"] == []
    assert _derank(api, provider)["checked_pairs"] == 2


def test_derank_half_open_is_recovering(api):
    for index in range(10):
        _settle(api.store, index, provider="groq", model="meta/llama-3.3-70b-instruct", success=index not in (3, 7))
    status = _derank(api, "groq")
    assert status["recovering"] and not status["deranked"] and status["half_open_count"] == 1
    assert status["pairs"][0]["breaker_until_ms"] == 0 and status["pairs"][0]["seconds_until_reopen"] == 0


def test_derank_counts_real_requests_and_upstream_failures(api):
    assert api.post("/v1/chat/completions", json=CHAT).status_code == 200
    for _ in range(5):
        failed = api.post("/v1/chat/completions", json=CHAT, headers={"X-Mock-Scenario": "upstream_error"})
        assert failed.status_code == 500
    status = _derank(api, "openai")
    pair = next(p for p in status["pairs"] if p["model"] == "openai/gpt-5-nano")
    assert pair["endpoint"] == "chat.completions" and pair["breaker"] == "open" and status["deranked"]
    assert pair["err_ewma_60s"] > 0.5 and pair["breaker_until_ms"] > status["now_ms"]


def test_derank_bounds_are_400(api):
    for query in ("window_hours=0", "window_hours=169", "max_pairs=101", "fetch_limit=49"):
        answer = api.get(f"/v1/health/providers/openai/derank?{query}", headers=OPERATOR)
        assert answer.status_code == 400 and answer.json()["ok"] is False


# ------------------------------------------------------------------ key cache invalidation


def test_invalidate_checks_the_key_and_its_team(api):
    created = api.post("/v1/management/keys", json={"name": "rotating"}).json()["key"]
    answer = api.post(f"/v1/keys/{created['id']}/invalidate", headers=OPERATOR)
    assert answer.status_code == 200
    body = answer.json()
    kid = created["key"].split("_")[3]
    assert body["key"] == {"id": created["id"], "kid": kid, "team_id": "team_mock", "status": "active"}
    assert body["cache_version"] == {"id": api.store.now_ms(), "kid": api.store.now_ms()}
    unknown = api.post("/v1/keys/3f1c2a9e-6b7d-4e21-9a57-0c8d4b2e1f60/invalidate", headers=OPERATOR)
    assert unknown.status_code == 404 and unknown.json() == {"ok": False, "error": "Key not found"}
    other, _ = api.store.keys.create("team_other", "theirs", api.store.now_ms())
    foreign = api.post(f"/v1/keys/{other['id']}/invalidate", headers=OPERATOR)
    assert foreign.status_code == 403 and foreign.json()["error"] == "forbidden"
    malformed = api.post("/v1/keys/not-a-uuid/invalidate", headers=OPERATOR)
    assert malformed.status_code == 400


# ------------------------------------------------------------------ OAuth clients


def test_oauth_client_crud_end_to_end(both):
    created = both.post("/v1/oauth-clients", json={**CLIENT, "ignored": True})
    assert created.status_code == 201
    client = created.json()
    secret, client_id = client.pop("client_secret"), client["client_id"]
    assert both.store.oauth.secret_matches(client_id, secret)
    assert client["status"] == "active" and client["team_id"] == "team_mock" and client["logo_url"] is None
    assert client["redirect_uris"] == CLIENT["redirect_uris"] and client["created_at"] == client["updated_at"]
    item = f"/v1/oauth-clients/{client_id}"
    assert both.get(item).json() == client, "read back without the secret"
    listed = both.get("/v1/oauth-clients").json()
    assert listed["data"][0] == client and listed["pagination"]["total"] == len(listed["data"])
    both.clock.advance(5)
    changed = both.patch(item, json={"logo_url": "https://dashboard.example.com/logo.png"}).json()
    assert changed["logo_url"] == "https://dashboard.example.com/logo.png"
    assert changed["updated_at"] != client["updated_at"] and changed["name"] == client["name"]
    renewed = both.post(f"{item}/regenerate-secret").json()
    assert renewed["client_id"] == client_id and renewed["client_secret"] != secret
    assert not both.store.oauth.secret_matches(client_id, secret)
    assert both.store.oauth.secret_matches(client_id, renewed["client_secret"])
    assert "client_secret" not in both.get(item).json()
    refused = both.patch(item, json={"name": "  ab "})
    assert refused.status_code == 400 and refused.json()["error"] == "validation_error"
    deleted = both.delete(item)
    assert deleted.json() == {"message": "OAuth app deleted successfully", "client_id": client_id}
    for method, path in (("GET", item), ("PATCH", item), ("DELETE", item), ("POST", f"{item}/regenerate-secret")):
        gone = both.call(method, path, json={"name": "renamed"} if method == "PATCH" else None)
        assert gone.status_code == 404 and gone.json()["error"] == "not_found" and "ok" not in gone.json()
    assert client_id not in [c["client_id"] for c in both.get("/v1/oauth-clients").json()["data"]]


def test_oauth_clients_are_per_team_and_newest_first(api):
    other, _ = api.store.oauth.create(
        "team_other", {"name": "Not yours", "redirect_uris": ["https://x.dev/cb"]}, api.store.now_ms()
    )
    assert api.get(f"/v1/oauth-clients/{other['client_id']}").status_code == 404
    ids = []
    for index in range(3):
        api.clock.advance(1)
        ids.append(api.post("/v1/oauth-clients", json={**CLIENT, "name": f"App {index}"}).json()["client_id"])
    listed = [c["client_id"] for c in api.get("/v1/oauth-clients").json()["data"]]
    assert listed[:3] == ids[::-1] and other["client_id"] not in listed


@pytest.mark.parametrize(
    "body",
    [
        {**CLIENT, "redirect_uris": ["http://dashboard.example.com/cb"]},
        {**CLIENT, "redirect_uris": []},
        {**CLIENT, "name": "  ab  "},
        {"name": "No redirects"},
    ],
)
def test_bad_oauth_clients_get_the_bare_error_shape(api, body):
    refused = api.post("/v1/oauth-clients", json=body)
    assert refused.status_code == 400
    assert set(refused.json()) <= {"error", "message", "details"} and refused.json()["error"] == "validation_error"


def test_oauth_table_is_added_to_an_older_state_file(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE wallets (team_id TEXT PRIMARY KEY, balance_nanos INTEGER NOT NULL)")
        conn.execute("INSERT INTO wallets VALUES ('team_mock', 5)")
    store = Store(path)
    created, secret = store.oauth.create("team_mock", {"name": "Kept", "redirect_uris": ["https://a.dev/cb"]}, 1)
    assert store.ledger.balance("team_mock") == 5
    store.close()
    reopened = Store(path)
    assert reopened.oauth.get("team_mock", created["client_id"])["name"] == "Kept"
    assert reopened.oauth.secret_matches(created["client_id"], secret)
    reopened.close()
