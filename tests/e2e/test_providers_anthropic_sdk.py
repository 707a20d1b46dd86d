"""The official anthropic SDK, unmodified, pointed straight at the Anthropic provider mock:
plain, streamed and tool-use messages, and the exceptions it raises on Anthropic's own
statuses (429, 529 overloaded, 500)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import anthropic
import httpx
import pytest

from tests.support import live_server

MODEL = "claude-haiku-4-5"
MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
TOOL = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with live_server(surface="providers", ttft_ms=0, tokens_per_second=0) as origin:
        yield origin


@pytest.fixture(scope="module")
def client(origin: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(api_key="sk-ant-test", base_url=origin + "/anthropic", max_retries=0) as client:
        yield client


def test_plain_message(client: anthropic.Anthropic) -> None:
    message = client.messages.create(model=MODEL, max_tokens=40, messages=MESSAGES)
    assert message.id.startswith("msg_01") and message.model == MODEL
    assert message.content[0].type == "text" and message.content[0].text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_streamed_message(client: anthropic.Anthropic) -> None:
    with client.messages.stream(model=MODEL, max_tokens=40, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and final.content[0].text == text and final.usage.output_tokens > 0


def test_raw_stream_has_every_event_type(client: anthropic.Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=40, messages=MESSAGES, stream=True))
    kinds = {event.type for event in events}
    assert {"message_start", "content_block_start", "content_block_delta", "content_block_stop"} <= kinds
    assert {"message_delta", "message_stop"} <= kinds


def test_tool_use(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=MESSAGES,
        tools=[TOOL],
        tool_choice={"type": "tool", "name": "get_weather"},
    )
    block = next(block for block in message.content if block.type == "tool_use")
    assert message.stop_reason == "tool_use" and block.name == "get_weather" and "city" in block.input
    with client.messages.stream(
        model=MODEL, max_tokens=200, messages=MESSAGES, tools=[TOOL], tool_choice={"type": "any"}
    ) as stream:
        final = stream.get_final_message()
    assert any(block.type == "tool_use" for block in final.content)


def test_overloaded_is_overloaded_error(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.OverloadedError) as raised:
        client.messages.create(
            model=MODEL,
            max_tokens=20,
            messages=MESSAGES,
            extra_headers={"X-Mock-Scenario": "upstream_error; status=503"},
        )
    assert raised.value.status_code == 529 and raised.value.body["error"]["type"] == "overloaded_error"


def test_rate_limited_and_server_error(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(
            model=MODEL, max_tokens=20, messages=MESSAGES, extra_headers={"X-Mock-Scenario": "upstream_rate_limited"}
        )
    assert limited.value.response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    with pytest.raises(anthropic.InternalServerError) as failed:
        client.messages.create(
            model=MODEL, max_tokens=20, messages=MESSAGES, extra_headers={"X-Mock-Scenario": "upstream_error"}
        )
    assert failed.value.status_code == 500 and failed.value.body["error"]["type"] == "api_error"


def test_fail_twice_then_succeed(origin: str) -> None:
    rule = {"path": "/anthropic/v1/messages", "times": 2, "scenario": "upstream_error", "params": {"status": "503"}}
    assert httpx.post(origin + "/__mock/rules", json=rule).status_code in (200, 201)
    try:
        with anthropic.Anthropic(api_key="k", base_url=origin + "/anthropic", max_retries=2) as client:
            started = time.monotonic()
            message = client.messages.create(model=MODEL, max_tokens=20, messages=MESSAGES)
            waited = time.monotonic() - started
    finally:
        httpx.delete(origin + "/__mock/rules")
    assert message.content and waited >= 2.0  # two retry-after waits of one second
    journal = httpx.get(origin + "/__mock/journal").json()["entries"]
    statuses = [entry["status"] for entry in journal if entry["path"] == "/anthropic/v1/messages"][-3:]
    assert statuses == [529, 529, 200]


def test_interrupted_stream_raises_the_sdks_api_error(client: anthropic.Anthropic) -> None:
    broken = {"X-Mock-Scenario": "stream_interrupted; after=3"}
    with pytest.raises(anthropic.APIStatusError, match="stream_error"):
        for _ in client.messages.create(
            model=MODEL, max_tokens=40, messages=MESSAGES, stream=True, extra_headers=broken
        ):
            pass
