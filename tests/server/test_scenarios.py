"""X-Mock-Scenario and Prefer: every gateway failure, exact to GATEWAY-BEHAVIOUR §2–3 and
valid against spec/ (status documented, envelope and headers as the contract says)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, FRAMEWORKS, contract_checker

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Say hi."}]}
ALL_FAILED = "All provider candidates failed. Inspect failure_sample for upstream diagnostics."


@pytest.fixture(scope="module", params=FRAMEWORKS)
def mock(request):
    app = create_app(Settings.of(framework=request.param, ttft_ms=0, tokens_per_second=0, timeout_ms=0))
    with TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 40000)) as client:
        yield client


def post(mock, path, body, scenario=None, **headers):
    extra = {"X-Mock-Scenario": scenario} if scenario else {}
    return mock.post(f"/v1{path}", json=body, headers={**AUTH, **extra, **headers})


# scenario -> (status, error, error_type or None for envelope B, description, attribution)
GATEWAY_FAILURES = {
    "insufficient_credit": (402, "insufficient_funds", "user", "insufficient_funds", "user"),
    "key_limit": (429, "key_limit_exceeded", "system", "daily_request_limit_reached", "user"),
    "upstream_rate_limited": (
        429,
        "rate_limit_exceeded",
        None,
        "Rate limit reached for requests per min (RPM). Please try again in 1s.",
        "upstream",
    ),
    "upstream_error": (
        500,
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
        "upstream",
    ),
    "all_providers_failed": (502, "upstream_error", "system", ALL_FAILED, "upstream"),
    "upstream_timeout": (504, "timeout", None, "Request timed out.", "upstream"),
}


@pytest.mark.parametrize("scenario", sorted(GATEWAY_FAILURES))
def test_gateway_failure_scenarios_match_the_gateway_and_the_spec(mock, checker, scenario):
    status, error, error_type, description, attribution = GATEWAY_FAILURES[scenario]
    response = post(mock, "/chat/completions", CHAT, scenario)
    assert response.status_code == status
    body = response.json()
    expected_keys = ["generation_id", "status_code", "error", "error_type", "description"]
    if error_type is None:  # envelope B: a provider's answer passed through
        expected_keys.remove("error_type")
    assert list(body) == expected_keys
    assert body["status_code"] == status and body["error"] == error and body["description"] == description
    assert body.get("error_type") == error_type
    assert body["generation_id"].startswith("G-")
    assert response.headers["x-gateway-error-attribution"] == attribution
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/json"
    assert "retry-after" not in response.headers  # the gateway never sends it
    checker.check(response)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/embeddings", {"model": "openai/text-embedding-3-small", "input": "a red fox"}),
        ("/responses", {"model": "openai/gpt-5-nano", "input": "hi"}),
        ("/videos", {"model": "openai/sora-2", "prompt": "a fox running"}),
    ],
)
def test_failures_apply_to_every_inference_surface(mock, checker, path, body):
    for scenario in ("insufficient_credit", "all_providers_failed"):
        response = post(mock, path, body, scenario)
        assert response.status_code == GATEWAY_FAILURES[scenario][0]
        checker.check(response)


@pytest.mark.parametrize(
    ("header", "status", "expected"),
    [
        ("upstream_error; status=503", 503, ("service_unavailable", "upstream")),
        ("upstream_error; status=502", 502, ("bad_gateway", "upstream")),
        ("key_limit; reason=monthly_cost_limit_reached", 429, ("key_limit_exceeded", "user")),
        ("insufficient_credit; reason=wallet_missing", 402, ("insufficient_funds", "user")),
    ],
)
def test_scenario_parameters(mock, checker, header, status, expected):
    response = post(mock, "/chat/completions", CHAT, header)
    assert response.status_code == status
    assert (response.json()["error"], response.headers["x-gateway-error-attribution"]) == expected
    if "reason=" in header:
        assert response.json()["description"] == header.split("reason=")[1]
    checker.check(response)


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("no_such_scenario", "unknown scenario 'no_such_scenario'"),
        ("upstream_error; status=418", "status must be one of 500, 502, 503, 504"),
        ("key_limit; reason=because", "key_limit reason must be one of"),
        ("stream_interrupted", "applies to streamed requests"),
        ("job_failed", "applies to requests that create an async job"),
        ("slow; delay_ms=soon", "delay_ms"),
        ("slow; oops", "is not key=value"),
    ],
)
def test_bad_scenario_requests_get_a_clear_400(mock, checker, header, fragment):
    response = post(mock, "/chat/completions", CHAT, header)
    assert response.status_code == 400
    assert fragment in response.json()["description"]
    assert response.json()["error_type"] == "user"
    checker.check(response)


def test_gateway_failures_do_not_apply_to_the_control_plane(mock):
    response = mock.get("/v1/providers", headers={**AUTH, "X-Mock-Scenario": "insufficient_credit"})
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "applies to inference operations" in response.json()["message"]


def test_slow_applies_to_any_route(mock):
    slow = mock.get("/v1/providers", headers={**AUTH, "X-Mock-Scenario": "slow; delay_ms=1"})
    assert slow.status_code == 200


def test_job_failed_makes_the_created_video_fail(mock):
    body = {"model": "openai/sora-2", "prompt": "a fox running"}
    created = post(mock, "/videos", body, "job_failed")
    assert created.status_code == 200, created.text
    job_id = created.json()["id"]
    polled = mock.get(f"/v1/videos/{job_id}", headers=AUTH)
    assert polled.status_code == 200
    # The job plan is fixed at creation: it ends failed (immediately or once its run time is up).
    assert polled.json()["status"] in ("queued", "in_progress", "failed")
    assert mock.app.runtime.state.jobs.get(job_id)["outcome"] == "failed"


# ---- Prefer (Prism's conventions), kept working beside the scenarios -------------------------


def test_prefer_code_selects_a_documented_status(mock, checker):
    response = post(mock, "/chat/completions", CHAT, Prefer="code=429")
    assert response.status_code == 429
    checker.check(response)
    query = mock.post("/v1/chat/completions?__code=503", json=CHAT, headers=AUTH)
    assert query.status_code == 503
    checker.check(query)


def test_prefer_code_that_is_not_documented_is_refused(mock):
    response = post(mock, "/chat/completions", CHAT, Prefer="code=418")
    assert response.status_code == 400
    assert "not documented" in response.json()["description"]


def test_prefer_example_serves_the_named_example(mock, checker):
    response = post(mock, "/chat/completions", CHAT, Prefer="example=toolCall")
    assert response.status_code == 200
    assert response.json()["choices"][0]["finish_reason"] == "tool_calls"
    checker.check(response)
    missing = post(mock, "/chat/completions", CHAT, Prefer="example=nope")
    assert missing.status_code == 400 and "no example named 'nope'" in missing.json()["description"]


@pytest.mark.parametrize("how", ["header", "query"])
def test_prefer_dynamic_serves_schema_data(checker, how):
    # A fresh server each: schema data carries arbitrary prices, which the wallet then pays.
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as fresh:
        generated = post(fresh, "/chat/completions", CHAT)
        if how == "header":
            response = post(fresh, "/chat/completions", CHAT, Prefer="dynamic=true")
        else:
            response = fresh.post("/v1/chat/completions?__dynamic=true", json=CHAT, headers=AUTH)
    assert response.status_code == 200
    assert response.json() != generated.json()  # not the domain generator's answer
    checker.check(response)


def test_scenario_header_wins_over_prefer(mock):
    response = post(mock, "/chat/completions", CHAT, "key_limit", Prefer="example=toolCall")
    assert response.status_code == 429


def test_scenarios_work_on_the_december_contract():
    key = {"Authorization": "Bearer aistats_v1_k_testkid0001_s3cr3tvalue"}
    checker = contract_checker("2025-12")
    app = create_app(Settings.of(contract="2025-12", ttft_ms=0, tokens_per_second=0))
    with TestClient(app, raise_server_exceptions=False) as dec:
        limited = dec.post("/v1/chat/completions", json=CHAT, headers={**key, "X-Mock-Scenario": "key_limit"})
        broken = dec.post(
            "/v1/chat/completions",
            json={**CHAT, "stream": True},
            headers={**key, "X-Mock-Scenario": "stream_interrupted; after=1"},
        )
    assert limited.status_code == 429 and limited.json()["error"] == "key_limit_exceeded"
    assert broken.status_code == 200 and broken.text.endswith('data: {"object":"error","message":"stream_error"}\n\n')
    for response in (limited, broken):
        checker.check(response)
