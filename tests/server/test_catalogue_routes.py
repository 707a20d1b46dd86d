"""Catalogue routes from fixtures and live state: filters, bounds, caching headers,
privacy scope, providers, endpoints and health, all checked against the contract."""

from __future__ import annotations

import pytest

from tests.support import ContractClient


@pytest.fixture(scope="module")
def api():
    client = ContractClient("async", job_seconds=0)
    yield client
    client.close()


def _ids(answer) -> list[str]:
    return [model["model_id"] for model in answer.json()["models"]]


def _every_page(api, query: str = "") -> list[dict]:
    models, offset = [], 0
    while True:
        page = api.get(f"/v1/gateway/models?limit=250&offset={offset}{query}").json()
        models += page["models"]
        offset += 250
        if offset >= page["total"]:
            return models


def test_gateway_models_filters(api):
    everything = api.get("/v1/gateway/models?limit=250")
    assert everything.headers["cache-control"] == "private, max-age=1800, stale-while-revalidate=1800"
    body = everything.json()
    assert body["privacy_scope"] == "shared" and body["total"] > 590 and len(body["models"]) == 250
    listed = _every_page(api)
    assert len(listed) == body["total"] == len({m["model_id"] for m in listed})
    dates = [m["release_date"] or "" for m in listed]
    assert dates == sorted(dates, reverse=True)
    videos = api.get("/v1/gateway/models?endpoints=video.generate").json()["models"]
    assert videos and all("video.generate" in m["endpoints"] for m in videos)
    either = set(_ids(api.get("/v1/gateway/models?endpoints={video.generate,music.generate}&limit=250")))
    assert either == {m["model_id"] for m in listed if {"video.generate", "music.generate"} & set(m["endpoints"])}
    both = _ids(api.get("/v1/gateway/models?organisation=openai&output_types=VIDEO"))
    assert both == ["openai/sora-2-pro-2025-10-03", "openai/sora-2-2025-09-30", "openai/sora-1-2024-12-09"]
    repeated = {m["model_id"] for m in _every_page(api, "&organisation=openai&organisation=anthropic")}
    assert {m.split("/")[0] for m in repeated} == {"openai", "anthropic"}
    spaced = {m["model_id"] for m in _every_page(api, "&organisation=openai%20anthropic")}
    assert spaced == repeated
    with_tools = api.get("/v1/gateway/models?params=tools&limit=250").json()["models"]
    assert with_tools and all(any("tools" in p["params"] for p in m["providers"]) for m in with_tools)
    openai = api.get("/v1/gateway/models?organisation=openai&limit=1").json()["models"][0]
    assert openai["organisation_name"] == "OpenAI" and openai["organisation_colour"]
    assert api.get("/v1/gateway/models?organisation=nobody").json()["total"] == 0


def test_gateway_models_pages_and_bounds(api):
    first = _ids(api.get("/v1/gateway/models?limit=3"))
    second = _ids(api.get("/v1/gateway/models?limit=3&offset=3"))
    assert len(first) == len(second) == 3 and not set(first) & set(second)
    assert api.get("/v1/gateway/models?limit=251").status_code == 400
    assert api.get("/v1/gateway/models?limit=0").status_code == 400
    capped = api.get("/v1/gateway/models?offset=5001", auth=None)
    assert capped.status_code == 400
    assert capped.json() == {
        "ok": False,
        "error": "invalid_request",
        "message": "offset must be <= 5000",
        "max_offset": 5000,
    }
    assert api.get("/v1/gateway/models?offset=5000").json()["models"] == []
    assert api.get("/v1/gateway/models", auth=None).status_code == 401


def test_privacy_scope(api):
    team = api.get("/v1/gateway/models?privacy_scope=team")
    assert team.status_code == 501
    assert team.json()["code"] == "models_privacy_scope_not_implemented" and team.json()["privacy_scope"] == "team"
    assert api.get("/v1/gateway/models?privacy=team").status_code == 501
    assert api.get("/v1/gateway/models?privacy_scope=shared").status_code == 200
    assert api.get("/v1/gateway/models?privacy_scope=everyone").status_code == 400


def test_data_models_providers_endpoints(api):
    data = api.get("/v1/data/models?status=deprecated").json()
    assert data["include_hidden"] is False and data["models"]
    assert all(m["status"] == "deprecated" for m in data["models"])
    by_org = api.get("/v1/data/models?organisation=suno").json()["models"]
    assert {m["model_id"] for m in by_org} == {
        "suno/suno-v3-5",
        "suno/suno-v4",
        "suno/suno-v4-5",
        "suno/suno-v4-5+",
        "suno/suno-v5",
    }
    assert by_org[0]["organisation"]["name"] == "Suno"
    providers = api.get("/v1/providers?limit=4")
    assert providers.headers["vary"] == "Authorization"
    assert providers.headers["cache-control"] == "private, max-age=300, stale-while-revalidate=600"
    names = [p["api_provider_name"] for p in providers.json()["providers"]]
    assert names == sorted(names, key=str.lower) and providers.json()["total"] > 4
    rest = api.get("/v1/providers?limit=250&offset=4").json()["providers"]
    assert len(rest) == providers.json()["total"] - 4
    endpoints = api.get("/v1/endpoints").json()
    assert "music/generate" in endpoints["endpoints"] and len(endpoints["sample_models"]) == 10


def test_health_reflects_live_traffic(api):
    quiet = api.get("/v1/health", auth=None).json()
    assert quiet["status"] == "ok"
    openai = next(p for p in quiet["providers"] if p["provider"] == "openai")
    assert openai["breaker"] == "closed"
    for index in range(6):
        api.store.ledger.settle(
            {
                "request_id": f"G-{index}",
                "team_id": "team_mock",
                "provider": "anthropic",
                "success": index == 0,
                "latency_ms": 900.0,
                "created_at": "2027-01-15T08:00:00Z",
                "cost_nanos": 0,
            },
            api.store.now_ms(),
        )
    busy = api.get("/v1/health", auth=None).json()
    anthropic = next(p for p in busy["providers"] if p["provider"] == "anthropic")
    assert anthropic["breaker"] == "open" and anthropic["status"] == "down" and anthropic["routing_score"] == 0
    assert anthropic["success_rate"] == round(1 / 6, 4) and anthropic["p50_ms"] == 900.0
