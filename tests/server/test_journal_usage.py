"""The journal's ``usage``: the token counts each answer reported, so what a client (or a gateway
in front of the mock) was told can be compared with what the mock sent; null where no usage
reached the client. Every journal page is checked against spec/admin."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, UNPACED, contract_checker, parse_sse

LOCAL = ("127.0.0.1", 50126)
CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Name three rivers."}]}


@pytest.fixture
def mock():
    app = create_app(Settings.of(ttft_ms=0, tokens_per_second=0, latency="0"))
    with TestClient(app, raise_server_exceptions=False, client=LOCAL) as client:
        yield client


def last_entry(mock: TestClient) -> dict:
    page = contract_checker("admin").check(mock.get("/__mock/journal", params={"limit": 1}))
    return page.json()["entries"][-1]


def without_pricing(usage: dict) -> dict:
    return {name: value for name, value in usage.items() if not name.startswith("pricing")}


def test_a_chat_answer_s_usage_is_journaled_as_the_client_received_it(mock):
    answer = mock.post("/v1/chat/completions", json=CHAT, headers=AUTH)
    usage = answer.json()["usage"]
    assert usage["completion_tokens"] > 0
    assert last_entry(mock)["usage"] == without_pricing(usage)


def test_a_streamed_answer_s_usage_is_the_one_its_last_frames_carry(mock):
    answer = mock.post(
        "/v1/messages",
        json={**CHAT, "model": "anthropic/claude-sonnet-4.5", "max_tokens": 200, "stream": True},
        headers={**AUTH, **UNPACED},
    )
    events = [json.loads(event["data"]) for event in parse_sse(answer.content)]
    start = next(e for e in events if e["type"] == "message_start")["message"]["usage"]
    delta = [e for e in events if e["type"] == "message_delta"][-1]["usage"]
    journaled = last_entry(mock)["usage"]
    assert journaled["input_tokens"] == start["input_tokens"]
    assert journaled["output_tokens"] == delta["output_tokens"] > 0


def test_embeddings_report_their_input_tokens(mock):
    answer = mock.post("/v1/embeddings", json={"model": "openai/text-embedding-3-small", "input": "x y"}, headers=AUTH)
    assert last_entry(mock)["usage"] == without_pricing(answer.json()["usage"])


@pytest.mark.parametrize(
    "scenario",
    ["upstream_error; status=503", "stream_interrupted; after=1", "connection_reset; after=1"],
)
def test_no_usage_where_none_reached_the_client(mock, scenario):
    headers = {**AUTH, **UNPACED, "X-Mock-Scenario": scenario}
    mock.post("/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers)
    entry = last_entry(mock)
    assert entry["scenario"] == scenario.split(";")[0]
    assert entry["usage"] is None


def test_a_slow_answer_still_reports_its_usage(mock):
    answer = mock.post("/v1/chat/completions", json=CHAT, headers={**AUTH, "X-Mock-Scenario": "slow; delay_ms=1"})
    assert last_entry(mock)["usage"] == without_pricing(answer.json()["usage"])
