"""Scenarios as real clients meet them: the official ``openai`` (and ``anthropic``) SDKs
against a live uvicorn mock, with retries, broken streams, stalls and dropped sockets."""

from __future__ import annotations

import time

import anthropic
import httpx
import openai
import pytest

from tests.support import AUTH, KEY, live_server

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Count to five, slowly."}]}
RULES = """\
# The first two chat completions fail with a provider 503, the third succeeds.
- name: fail-twice
  method: POST
  path: /v1/chat/completions
  times: 2
  scenario: upstream_error
  params: {status: 503}
"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    rules = tmp_path_factory.mktemp("rules") / "scenarios.yaml"
    rules.write_text(RULES)
    with live_server(seed=3, ttft_ms=0, tokens_per_second=0, scenarios_file=rules, stall_ms=2000) as origin:
        yield origin


@pytest.fixture
def sdk(origin):
    with openai.OpenAI(api_key=KEY, base_url=origin + "/v1", max_retries=0, timeout=10) as client:
        yield client


def journal(origin, **params):
    return httpx.get(f"{origin}/__mock/journal", params=params, timeout=5).json()["entries"]


def reset(origin):
    assert httpx.post(f"{origin}/__mock/reset", timeout=5).json() == {"reset": True}


def scenario(name: str) -> dict[str, str]:
    return {"X-Mock-Scenario": name}


def test_rules_file_fails_twice_then_succeeds_through_sdk_retries(origin, monkeypatch):
    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.01)  # keep backoff short
    reset(origin)
    with openai.OpenAI(api_key=KEY, base_url=origin + "/v1", max_retries=2, timeout=10) as client:
        completion = client.chat.completions.create(**CHAT)
    assert completion.choices[0].message.content
    entries = [e for e in journal(origin) if e["path"] == "/v1/chat/completions"]
    assert [e["status"] for e in entries] == [503, 503, 200]
    assert [e["scenario"] for e in entries] == ["upstream_error", "upstream_error", None]
    assert [e["rule"] for e in entries] == ["fail-twice", "fail-twice", None]
    retries = [dict(e["headers"]).get("x-stainless-retry-count") for e in entries]
    assert retries == ["0", "1", "2"]
    assert len({e["body"]["text"] for e in entries}) == 1  # the SDK re-sent the same body
    assert dict(entries[0]["headers"])["authorization"] == "Bearer [redacted]"
    # After a reset the rule counts from one again: without retries the client sees the 503.
    reset(origin)
    with (
        openai.OpenAI(api_key=KEY, base_url=origin + "/v1", max_retries=0, timeout=10) as client,
        pytest.raises(openai.InternalServerError) as failed,
    ):
        client.chat.completions.create(**CHAT)
    assert failed.value.status_code == 503
    assert failed.value.response.json()["error"] == "service_unavailable"


def test_responses_stream_interruption_raises_the_sdk_api_error(sdk):
    received = []
    with pytest.raises(openai.APIError) as raised:
        stream = sdk.responses.create(
            model="openai/gpt-5-nano",
            input="Tell me a story.",
            stream=True,
            extra_headers=scenario("stream_interrupted; after=3"),
        )
        for event in stream:
            received.append(event.type)
    assert raised.value.message == "stream_error"
    assert not isinstance(raised.value, openai.APIStatusError)  # a mid-stream error, after a 200
    assert len(received) == 3 and received[0] == "response.created"


def test_chat_stream_interruption_ends_with_the_gateway_error_frame(sdk):
    broken = scenario("stream_interrupted; after=2; message=boom")
    chunks = list(sdk.chat.completions.create(**CHAT, stream=True, extra_headers=broken))
    # The chat error frame has no "error" key, so the SDK does not raise: it yields it and stops.
    assert [chunk.object for chunk in chunks] == ["chat.completion.chunk", "chat.completion.chunk", "error"]
    assert chunks[-1].model_extra["message"] == "boom"


def test_messages_stream_interruption_raises_in_the_anthropic_sdk(origin):
    with (
        anthropic.Anthropic(
            api_key="unused",
            base_url=origin,
            max_retries=0,
            timeout=10,
            default_headers={**AUTH, **scenario("stream_interrupted; after=2")},
        ) as client,
        pytest.raises(anthropic.APIStatusError) as raised,
        client.messages.stream(
            model="anthropic/claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": "Hi"}]
        ) as stream,
    ):
        for _ in stream:
            pass
    assert raised.value.body == {"type": "error", "error": {"type": "api_error", "message": "stream_error"}}


def test_stream_stall_trips_the_client_read_timeout(origin):
    with openai.OpenAI(
        api_key=KEY,
        base_url=origin + "/v1",
        max_retries=0,
        timeout=openai.Timeout(5, read=0.3),  # the SDK's own type (httpx or httpx2 underneath)
    ) as client:
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            stalled = scenario("stream_stalled")
            for _ in client.chat.completions.create(**CHAT, stream=True, extra_headers=stalled):
                pass
    assert time.monotonic() - started < 1.9  # gave up before the 2 s stall ended


def test_a_short_stall_is_survived_and_pacing_headers_still_apply(sdk):
    headers = {
        **scenario("stream_stalled; after=1; stall_ms=250"),
        "X-Mock-TTFT-Ms": "150",
        "X-Mock-Tokens-Per-Second": "0",
    }
    started = time.monotonic()
    stream = sdk.chat.completions.create(**CHAT, stream=True, extra_headers=headers)
    first = next(iter(stream))
    ttft = time.monotonic() - started
    rest = list(stream)
    total = time.monotonic() - started
    assert first.object == "chat.completion.chunk" and rest[-1].usage is not None  # the stream completed
    assert ttft >= 0.14 and total >= 0.14 + 0.24


def test_interruption_keeps_the_requested_pace(sdk):
    headers = {**scenario("stream_interrupted; after=4"), "X-Mock-Tokens-Per-Second": "40"}
    started = time.monotonic()
    chunks = list(sdk.chat.completions.create(**CHAT, stream=True, extra_headers=headers))
    assert chunks[-1].object == "error" and len(chunks) == 5
    assert time.monotonic() - started >= 0.05  # frames 2-4 were paced, not sent at once


@pytest.mark.parametrize("framework", ["async", "flask"])
def test_connection_reset_is_a_connection_error_for_streams_and_bodies(framework):
    with (
        live_server(framework=framework, ttft_ms=0, tokens_per_second=0) as origin,
        openai.OpenAI(api_key=KEY, base_url=origin + "/v1", max_retries=0, timeout=10) as client,
    ):
        with pytest.raises(openai.APIConnectionError):
            for _ in client.chat.completions.create(
                **CHAT, stream=True, extra_headers=scenario("connection_reset; after=2")
            ):
                pass
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(**CHAT, extra_headers=scenario("connection_reset"))
        with pytest.raises(httpx.RemoteProtocolError):  # a control-plane route breaks the same way
            httpx.get(f"{origin}/v1/providers", headers={**AUTH, **scenario("connection_reset")}, timeout=5)
        assert client.chat.completions.create(**CHAT).choices  # the server is still serving
        entries = journal(origin)
        assert [e["outcome"] for e in entries] == ["reset", "reset", "reset", "completed"]
        assert [e["scenario"] for e in entries][:3] == ["connection_reset"] * 3


def test_upstream_timeout_waits_then_answers_504(sdk):
    started = time.monotonic()
    with pytest.raises(openai.InternalServerError) as raised:
        sdk.chat.completions.create(**CHAT, extra_headers=scenario("upstream_timeout; delay_ms=200"))
    assert raised.value.status_code == 504 and time.monotonic() - started >= 0.19
    with pytest.raises(openai.APITimeoutError):
        sdk.with_options(timeout=0.1).chat.completions.create(
            **CHAT, extra_headers=scenario("upstream_timeout; delay_ms=1500")
        )


def test_gateway_failures_map_to_the_sdk_exceptions(sdk):
    expected = {
        "insufficient_credit": openai.APIStatusError,
        "key_limit": openai.RateLimitError,
        "upstream_rate_limited": openai.RateLimitError,
        "all_providers_failed": openai.InternalServerError,
    }
    for name, error in expected.items():
        with pytest.raises(error) as raised:
            sdk.chat.completions.create(**CHAT, extra_headers=scenario(name))
        assert raised.value.response.headers["x-gateway-error-attribution"] in ("user", "upstream")
    assert raised.value.status_code == 502
