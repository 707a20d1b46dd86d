"""--violate NAME: each deliberate violation breaks the contract in a way a checker sees,
and none is on by default."""

from __future__ import annotations

import contextlib
import json

import pytest
from starlette.testclient import TestClient

from mockserver.scenarios.violations import Violations
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, parse_sse

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Say hi."}]}
STREAM = {**CHAT, "stream": True}
RESPONSES_STREAM = {"model": "openai/gpt-5-nano", "input": "Say hi.", "stream": True}


def violating(*names: str, **settings) -> TestClient:
    app = create_app(Settings.of(ttft_ms=0, tokens_per_second=0, violations=names, **settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def shared():
    """One server whose reply-level violations each test switches (one app instead of one per violation)."""
    with violating() as client:
        yield client


@contextlib.contextmanager
def switched(client: TestClient, *names: str):
    control = client.app.runtime.scenarios
    control.violations = Violations(names)
    try:
        yield client
    finally:
        control.violations = Violations(())


def post(client, path, body, **headers):
    return client.post(f"/v1{path}", json=body, headers={**AUTH, **headers})


@pytest.mark.parametrize(
    ("name", "path", "body", "headers"),
    [
        ("wrong_error_envelope", "/chat/completions", CHAT, {"X-Mock-Scenario": "key_limit"}),
        ("wrong_content_type", "/chat/completions", CHAT, {}),
        ("missing_required_field", "/chat/completions", CHAT, {}),
        ("extra_field", "/chat/completions", CHAT, {}),
        ("extra_field", "/chat/completions", STREAM, {}),
        ("status_not_documented", "/chat/completions", CHAT, {}),
        ("missing_required_field", "/embeddings", {"model": "openai/text-embedding-3-small", "input": "fox"}, {}),
    ],
)
def test_schema_level_violations_fail_the_contract_check(checker, shared, name, path, body, headers):
    assert checker.problems(post(shared, path, body, **headers)) == []
    with switched(shared, name) as client:
        broken = post(client, path, body, **headers)
    assert checker.problems(broken) != []


def test_usage_total_and_pricing_arithmetic_are_broken(shared):
    with switched(shared, "wrong_usage_total", "pricing_mismatch") as client:
        body = post(client, "/chat/completions", CHAT).json()
        streamed = parse_sse(post(client, "/chat/completions", STREAM).content)
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + 1
    pricing = usage["pricing"]
    assert pricing["total_nanos"] == sum(line["line_nanos"] for line in pricing["lines"]) + 1
    final = next(json.loads(e["data"])["usage"] for e in reversed(streamed) if '"usage"' in e["data"])
    assert final["total_tokens"] == final["prompt_tokens"] + final["completion_tokens"] + 1


def test_status_code_in_the_body_disagrees_with_the_status(shared):
    with switched(shared, "status_code_mismatch") as client:
        response = post(client, "/chat/completions", CHAT, **{"X-Mock-Scenario": "key_limit"})
    assert response.status_code == 429 and response.json()["status_code"] == 500


def test_stream_order_and_terminal_event_violations(shared):
    events = [e["event"] for e in parse_sse(post(shared, "/responses", RESPONSES_STREAM).content)]
    assert events[0] == "response.created" and events[-1] == "response.completed"
    with switched(shared, "sse_missing_done") as client:
        cut = [e["event"] for e in parse_sse(post(client, "/responses", RESPONSES_STREAM).content)]
        chat = parse_sse(post(client, "/chat/completions", STREAM).content)
    assert cut == events[:-1]
    assert all('"usage"' not in e["data"] for e in chat) and chat[-1]["data"] != "[DONE]"
    with switched(shared, "sse_bad_order") as client:
        shuffled = [e["event"] for e in parse_sse(post(client, "/responses", RESPONSES_STREAM).content)]
    assert shuffled[0] == "response.completed" and sorted(shuffled) == sorted(events)


def test_ignore_auth_serves_requests_without_a_valid_key(shared):
    assert shared.post("/v1/chat/completions", json=CHAT).status_code == 401
    with violating("ignore_auth") as client:
        assert client.post("/v1/chat/completions", json=CHAT).status_code == 200
        bad_key = client.post("/v1/chat/completions", json=CHAT, headers={"Authorization": "Bearer nope"})
        assert bad_key.status_code == 200
        assert client.get("/v1/credits", headers={"Authorization": "Basic x"}).status_code == 200


def test_negative_data_is_accepted(shared):
    invalid = {"model": "openai/gpt-5-nano", "messages": "not a list", "temperature": "hot"}
    assert post(shared, "/chat/completions", invalid).status_code == 400
    with violating("negative_data_accepted") as client:
        accepted = post(client, "/chat/completions", invalid)
        assert accepted.status_code == 200 and accepted.json()["object"] == "chat.completion"
        assert post(client, "/chat/completions", {"model": 3}).status_code == 200


def test_job_status_regresses_after_completion():
    video = {"model": "openai/sora-2", "prompt": "a fox running"}
    with violating("job_status_regresses", job_seconds=0) as client:
        job = post(client, "/videos", video).json()["id"]
        seen = [client.get(f"/v1/videos/{job}", headers=AUTH).json()["status"] for _ in range(3)]
    assert seen == ["completed", "in_progress", "in_progress"]


def test_no_violation_is_on_by_default():
    assert Settings().scenarios.violations == ()
    from mockserver.cli import build_parser, settings_from

    args = build_parser().parse_args(["serve"])
    assert settings_from(args).scenarios.violations == ()


def test_unknown_violation_names_are_refused():
    with pytest.raises(ValueError, match="unknown violation"):
        create_app(Settings.of(violations=("be_evil",)))
    from mockserver.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--violate", "be_evil"])
