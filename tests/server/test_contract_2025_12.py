"""The December-2025 contract (``serve --contract 2025-12``): its spec, its answers and its keys.

Every operation, fed Schemathesis-generated valid requests, answers with responses that
conform to the 2025-12 spec; the old key prefix works there and the new one is refused
(and the reverse on the default contract); ``usage``/``meta`` appear only on request and
add up; errors have the four-key body; the state store is shared.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from mockserver.contract import ContractIndex, load_contract
from mockserver.enrichment.pricing import pricing_problems
from mockserver.validation.schemas import SchemaCompiler
from tests.support import KEY, contract_checker, make_client, parse_sse, reference_file

GENERATION_ID = re.compile(rb"G-[0-9A-HJKMNP-TV-Z]{26}")

CONTRACT = "2025-12"
OLD_KEY = KEY.replace("aistats_v1_sk_", "aistats_v1_k_")
OLD_AUTH = {"Authorization": f"Bearer {OLD_KEY}"}
NEW_AUTH = {"Authorization": f"Bearer {KEY}"}
UNPACED = {"X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Name two rivers in Africa."}]}
ERROR_KEYS = ["generation_id", "status_code", "error", "description"]


@pytest.fixture(scope="module")
def spec():
    return load_contract(CONTRACT)


@pytest.fixture(scope="module")
def client():
    with make_client("async", contract=CONTRACT) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def old_checker():
    return contract_checker(CONTRACT)


# --------------------------------------------------------------------------- the spec


def test_spec_is_valid_openapi_and_names_its_error_dialect(spec):
    validate(spec)
    assert ContractIndex(spec).dialect == CONTRACT


def test_every_operation_of_the_published_2025_12_surface_is_in_our_spec(spec):
    published = json.loads(reference_file("gateway-2025-12.json").read_text())
    theirs = {
        (method.upper(), path)
        for path, item in published["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    ours = {(op.method, op.path) for op in ContractIndex(spec).operations.values()}
    assert sorted(theirs - ours) == []


def test_documented_aliases_and_placeholders_are_served(spec):
    ours = {(op.method, op.path) for op in ContractIndex(spec).operations.values()}
    expected = {
        ("POST", "/moderation"),
        ("GET", "/generation/{id}"),
        ("POST", "/audio"),
        ("GET", "/api-keys"),
        ("GET", "/credits"),
        ("GET", "/providers"),
        ("GET", "/endpoints"),
        ("POST", "/embeddings"),
    }
    assert sorted(expected - ours) == []


def test_named_examples_validate_against_their_schemas(spec):
    compiler, problems = SchemaCompiler(spec), []
    for op in ContractIndex(spec).operations.values():
        for status, response in op.responses.items():
            for media in response.media_types.values():
                for name, value in media.examples.items():
                    if media.schema is not None and media.name.endswith("json"):
                        problems += [
                            f"{op.operation_id} {status} {name}: {d.render()}"
                            for d in compiler.errors(media.schema, value)
                        ]
    assert problems == []


def test_every_example_prices_add_up(spec):
    body = (
        ContractIndex(spec)
        .operations["createChatCompletionDec25"]
        .responses["200"]
        .media_types["application/json"]
        .examples["answer"]
    )
    usage = body["usage"]
    assert pricing_problems(usage["pricing"]) == []
    assert (
        usage["total_tokens"]
        == usage["input_text_tokens"] + usage["cached_read_text_tokens"] + usage["output_text_tokens"]
    )


# --------------------------------------------------------------------------- every operation

_APP = make_client("async", contract=CONTRACT, job_seconds=0)
_SCHEMA = schemathesis.openapi.from_asgi(
    "/v1/openapi.json", _APP.app, config=schemathesis.Config.from_dict({"generation": {"mode": "positive"}})
)


@_SCHEMA.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_conform_to_the_2025_12_spec(case):
    response = case.call(headers={**OLD_AUTH, **UNPACED})
    assert response.status_code < 500 or response.status_code == 501, response.text[:500]
    contract_checker(CONTRACT).check(response, method=case.method, path=case.formatted_path, query=case.query or {})


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize("framework", ["async", "flask"])
@pytest.mark.parametrize(("contract", "good", "bad"), [(CONTRACT, OLD_AUTH, NEW_AUTH), ("2026-03", NEW_AUTH, OLD_AUTH)])
def test_each_contract_takes_its_own_key_prefix_only(framework, contract, good, bad):
    with make_client(framework, contract=contract) as test_client:
        accepted = test_client.post("/v1/chat/completions", json=CHAT, headers={**good, **UNPACED})
        refused = test_client.post("/v1/chat/completions", json=CHAT, headers={**bad, **UNPACED})
        refused_control = test_client.get("/v1/models" if contract == CONTRACT else "/v1/gateway/models", headers=bad)
    assert accepted.status_code == 200, accepted.text
    assert refused.status_code == 401
    assert refused.json()["description"] == "invalid_key_format"
    assert refused_control.status_code == 401
    if contract == CONTRACT:
        assert list(refused.json()) == ERROR_KEYS
        assert "x-gateway-error-attribution" not in refused.headers
        assert refused_control.json()["description"] == "invalid_key_format"
    else:
        assert refused.json()["error_type"] == "system"
        assert refused.headers["x-gateway-error-attribution"] == "user"


# --------------------------------------------------------------------------- envelope


def test_plain_answer_leads_with_request_id_and_leaves_out_usage_and_meta(client, old_checker):
    response = client.post("/v1/chat/completions", json=CHAT, headers={**OLD_AUTH, **UNPACED})
    body = response.json()
    assert list(body)[0] == "requestId" and "id" not in body
    assert body["provider"] == "openai"
    assert "usage" not in body and "meta" not in body
    old_checker.check(response)


def test_usage_and_meta_on_request_add_up(client, old_checker):
    request = {**CHAT, "usage": True, "meta": True}
    response = client.post(
        "/v1/chat/completions",
        json=request,
        headers={**OLD_AUTH, **UNPACED, "x-title": "Atlas", "http-referer": "https://atlas.test"},
    )
    body = response.json()
    usage, meta = body["usage"], body["meta"]
    assert pricing_problems(usage["pricing"]) == []
    assert (
        usage["total_tokens"]
        == usage["input_text_tokens"] + usage["cached_read_text_tokens"] + usage["output_text_tokens"]
    )
    lines = {line["dimension"]: line["quantity"] for line in usage["pricing"]["lines"]}
    assert lines["input_text_tokens"] == usage["input_text_tokens"]
    assert lines["output_text_tokens"] == usage["output_text_tokens"]
    assert meta["appTitle"] == "Atlas" and meta["referer"] == "https://atlas.test"
    assert set(meta) == {"appTitle", "referer", "timing"}
    old_checker.check(response)


def test_same_seed_same_request_same_bytes(client):
    headers = {**OLD_AUTH, **UNPACED, "X-Mock-Seed": "42"}
    first = client.post("/v1/chat/completions", json={**CHAT, "usage": True}, headers=headers)
    second = client.post("/v1/chat/completions", json={**CHAT, "usage": True}, headers=headers)
    # A repeated request is a new generation: only its generation id differs.
    (first_id,), (second_id,) = set(GENERATION_ID.findall(first.content)), set(GENERATION_ID.findall(second.content))
    assert first_id != second_id and second.content.replace(second_id, first_id) == first.content


@pytest.mark.parametrize("usage", [False, True])
def test_stream_frames_carry_request_id_and_usage_only_on_request(client, old_checker, usage):
    request = {**CHAT, "stream": True, **({"usage": True} if usage else {})}
    response = client.post("/v1/chat/completions", json=request, headers={**OLD_AUTH, **UNPACED})
    assert response.headers["content-type"].startswith("text/event-stream")
    old_checker.check(response)
    frames = [json.loads(e["data"]) for e in parse_sse(response.content) if e["data"].startswith("{")]
    assert all("requestId" in frame and "id" not in frame for frame in frames)
    with_usage = [frame for frame in frames if "usage" in frame]
    assert len(with_usage) == (1 if usage else 0)
    if usage:
        assert pricing_problems(with_usage[0]["usage"]["pricing"]) == []


def test_media_answers_follow_the_same_envelope(client, old_checker):
    moderation = "openai/omni-moderation-latest"
    cases = [
        ("/moderations", {"model": moderation, "input": ["hello", "I will hurt you"]}),
        ("/moderation", {"model": moderation, "input": "hello", "usage": True}),
        (
            "/images/generations",
            {"model": "openai/gpt-image-1", "prompt": "A red kite", "size": "256x256", "usage": True, "meta": True},
        ),
        ("/video/generation", {"model": "openai/sora-2", "prompt": "Waves", "duration": 8, "ratio": "16:9"}),
    ]
    for path, request in cases:
        response = client.post(f"/v1{path}", json=request, headers={**OLD_AUTH, **UNPACED})
        assert response.status_code == 200, (path, response.text[:300])
        old_checker.check(response)
        body = response.json()
        assert list(body)[0] == "requestId"
        assert ("usage" in body) is (request.get("usage") is True)
        assert ("meta" in body) is (request.get("meta") is True)
    video = client.post("/v1/video/generation", json=cases[3][1], headers={**OLD_AUTH, **UNPACED}).json()
    assert video["seconds"] == "8" and video["size"] == "1280x720"


def test_failures_use_the_four_key_body_everywhere(client):
    unknown_model = client.post(
        "/v1/chat/completions", json={**CHAT, "model": "nobody/nothing"}, headers={**OLD_AUTH, **UNPACED}
    )
    invalid = client.post("/v1/chat/completions", json={"model": "openai/gpt-5-nano"}, headers=OLD_AUTH)
    scenario = client.post("/v1/chat/completions", json=CHAT, headers={**OLD_AUTH, "X-Mock-Scenario": "key_limit"})
    missing = client.get("/v1/generation?id=G-01KBD3V9ZQ4W8N2M6R5T7Y1XCE", headers=OLD_AUTH)
    for response, status, code in [
        (unknown_model, 400, "unsupported_model_or_endpoint"),
        (invalid, 400, "validation_error"),
        (scenario, 429, "key_limit_exceeded"),
        (missing, 404, "not_found"),
    ]:
        assert response.status_code == status, response.text
        body = response.json()
        assert list(body) == ERROR_KEYS and body["error"] == code and body["status_code"] == status
        assert "x-gateway-error-attribution" not in response.headers


def test_placeholders_answer_501(client, old_checker):
    routes = [
        ("GET", "/credits"),
        ("GET", "/providers"),
        ("GET", "/endpoints"),
        ("GET", "/api-keys"),
        ("POST", "/api-keys"),
        ("POST", "/embeddings"),
        ("POST", "/audio"),
    ]
    for method, path in routes:
        response = client.request(method, f"/v1{path}", headers=OLD_AUTH)
        assert response.status_code == 501, (path, response.text)
        assert response.json()["error"] == "not_implemented" and response.json()["ok"] is False
        old_checker.check(response)


# --------------------------------------------------------------------------- shared state


def test_generation_lookup_and_health_see_the_same_store():
    with make_client("async", contract=CONTRACT) as test_client:
        served = test_client.post(
            "/v1/chat/completions", json={**CHAT, "usage": True}, headers={**OLD_AUTH, **UNPACED}
        ).json()
        by_query = test_client.get(f"/v1/generation?id={served['requestId']}", headers=OLD_AUTH)
        by_path = test_client.get(f"/v1/generation/{served['requestId']}", headers=OLD_AUTH)
        health = test_client.get("/v1/health?provider=openai").json()
    assert by_query.status_code == 200 and by_path.json() == by_query.json()
    record = by_query.json()
    assert record["request_id"] == served["requestId"]
    assert record["cost_nanos"] == served["usage"]["pricing"]["total_nanos"]
    assert [row["provider"] for row in health["providers"]] == ["openai"]
    assert health["providers"][0]["p50_ms"] is not None
    assert health["overall"]["providers_total"] == 1


# --------------------------------------------------------------------------- catalogue


def _ids(client, query: str) -> tuple[int, list[str]]:
    body = client.get(f"/v1/models?{query}", headers=OLD_AUTH).json()
    return body["total"], [model["model_id"] for model in body["models"]]


def test_models_filters_combine(client, old_checker):
    total, ids = _ids(client, "include_endpoints=moderations&limit=250")
    assert total == len(ids) == 3
    _, video_or_moderation = _ids(client, "include_endpoints=moderations,video.generation&limit=250")
    _, repeated = _ids(client, "include_endpoints=moderations&include_endpoints=video.generation&limit=250")
    assert sorted(video_or_moderation) == sorted(repeated) and set(ids) < set(repeated)
    _, openai_not_chat = _ids(client, "provider=openai&exclude_endpoints=chat.completions&limit=250")
    assert "openai/omni-moderation-2024-09-26" in openai_not_chat
    assert "openai/gpt-5-nano-2025-08-07" not in openai_not_chat
    no_deprecated, _ = _ids(client, "include_deprecated=false&limit=250")
    everything, _ = _ids(client, "limit=250")
    assert no_deprecated < everything
    response = client.get("/v1/models?input_types=IMAGE&output_types=video&limit=3", headers=OLD_AUTH)
    old_checker.check(response)
    assert all("video.generation" in model["endpoints"] for model in response.json()["models"])
