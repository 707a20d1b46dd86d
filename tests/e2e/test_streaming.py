"""SSE streams of the three text surfaces: framing, event order, contract, pacing."""

from __future__ import annotations

import json
import re
import time

import httpx
import jsonschema
import pytest

from mockserver.catalogue import load_catalogue
from mockserver.encoding.sse import mid_stream_error_frame
from mockserver.enrichment.meta import speed_profile
from mockserver.enrichment.pricing import pricing_problems
from mockserver.errors import GatewayFailure
from mockserver.settings import PacingSettings
from tests.support import AUTH, parse_sse

GENERATION_ID = re.compile(rb"G-[0-9A-HJKMNP-TV-Z]{26}")

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
CITY = {
    "type": "object",
    "required": ["city"],
    "properties": {"city": {"type": "string"}},
    "additionalProperties": False,
}


def stream(client, path, body, checker, headers=UNPACED):
    response = client.post("/v1" + path, headers=headers, json={**body, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    checker.check(response)
    assert response.content.endswith(b"\n\n")
    return response.content, parse_sse(response.content)


def test_chat_stream_framing_and_order(client, checker):
    raw, events = stream(
        client,
        "/chat/completions",
        {"model": "openai/gpt-4o-mini", "meta": True, "messages": [{"role": "user", "content": "Rivers?"}]},
        checker,
    )
    assert b"event:" not in raw
    assert all(block.startswith("data: ") for block in raw.decode().split("\n\n") if block)
    assert b"[DONE]" not in raw  # OpenAI models: the stream ends on a chat.completion snapshot
    frames = [json.loads(event["data"]) for event in events]
    assert frames[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    finish, snapshot = frames[-2], frames[-1]
    assert finish["choices"][0]["finish_reason"] == "stop" and finish["choices"][0]["delta"] == {}
    assert snapshot["object"] == "chat.completion" and not pricing_problems(snapshot["usage"]["pricing"])
    assert snapshot["meta"]["latency_ms"] <= snapshot["meta"]["generation_ms"]
    assert all(frame["id"] == frames[0]["id"] and frame["id"].startswith("G-") for frame in frames)
    text = "".join(frame["choices"][0]["delta"].get("content") or "" for frame in frames[1:-2])
    assert text.strip() and text == snapshot["choices"][0]["message"]["content"]


def test_chat_stream_tool_call_arguments_join_to_valid_json(async_client, checker):
    body = {
        "model": "openai/gpt-4.1",
        "tool_choice": "required",
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": CITY}}],
        "messages": [{"role": "user", "content": "Where?"}],
    }
    _, events = stream(async_client, "/chat/completions", body, checker)
    frames = [json.loads(event["data"]) for event in events if event["data"] != "[DONE]"][:-1]
    calls = [call for frame in frames for choice in frame["choices"] for call in choice["delta"].get("tool_calls", [])]
    assert calls[0]["function"]["name"] == "lookup" and calls[0]["id"].startswith("call_")
    jsonschema.validate(json.loads("".join(call["function"]["arguments"] for call in calls)), CITY)
    assert frames[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_responses_stream_order_and_final_usage(client, checker):
    raw, events = stream(client, "/responses", {"model": "openai/gpt-5-nano", "input": "Hello"}, checker)
    names = [event["event"] for event in events]
    assert names[:2] == ["response.created", "response.in_progress"] and names[-1] == "response.completed"
    assert b"[DONE]" not in raw
    frames = [json.loads(event["data"]) for event in events]
    assert all(frame["type"] == name for frame, name in zip(frames, names, strict=True))
    assert [frame["sequence_number"] for frame in frames] == list(range(len(frames)))
    message_events = names[names.index("response.output_item.added", names.index("response.in_progress") + 1) :]
    assert "response.content_part.added" in message_events
    final = frames[-1]["response"]
    assert final["status"] == "completed" and not pricing_problems(final["usage"]["pricing_breakdown"])
    text = "".join(frame["delta"] for frame in frames if frame["type"] == "response.output_text.delta")
    message = next(item for item in final["output"] if item["type"] == "message")
    assert text == message["content"][0]["text"]


def test_responses_stream_function_call_events(async_client, checker):
    body = {
        "model": "meta/llama-4-maverick",
        "input": "Where?",
        "tool_choice": "required",
        "tools": [{"type": "function", "name": "lookup", "parameters": CITY}],
    }
    _, events = stream(async_client, "/responses", body, checker)
    frames = {event["event"]: json.loads(event["data"]) for event in events}
    done = frames["response.function_call_arguments.done"]
    jsonschema.validate(json.loads(done["arguments"]), CITY)
    assert frames["response.output_item.done"]["item"]["arguments"] == done["arguments"]


def test_messages_stream_order(client, checker):
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 300,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    raw, events = stream(client, "/messages", body, checker)
    names = [event["event"] for event in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert b"[DONE]" not in raw
    frames = [json.loads(event["data"]) for event in events]
    assert all(frame["type"] == name for frame, name in zip(frames, names, strict=True))
    text = "".join(f["delta"]["text"] for f in frames if f["type"] == "content_block_delta")
    delta = frames[-2]
    assert text and delta["delta"]["stop_reason"] == "end_turn" and delta["usage"]["output_tokens"] > 0
    assert "pricing_breakdown" not in delta["usage"]


def test_messages_stream_sends_tool_use_whole(async_client, checker):
    body = {
        "model": "anthropic/claude-haiku-4-5",
        "max_tokens": 300,
        "tool_choice": {"type": "any"},
        "tools": [{"name": "lookup", "input_schema": CITY}],
        "messages": [{"role": "user", "content": "Where?"}],
    }
    _, events = stream(async_client, "/messages", body, checker)
    starts = [json.loads(e["data"])["content_block"] for e in events if e["event"] == "content_block_start"]
    tool_use = next(block for block in starts if block["type"] == "tool_use")
    jsonschema.validate(tool_use["input"], CITY)
    assert json.loads(events[-2]["data"])["delta"]["stop_reason"] == "tool_use"


def test_streams_are_deterministic(async_client):
    body = {"model": "openai/gpt-5-nano", "input": "Same?", "stream": True}
    first = async_client.post("/v1/responses", headers=UNPACED, json=body).content
    again = async_client.post("/v1/responses", headers=UNPACED, json=body).content
    # A repeated request is a new generation: only its generation id differs.
    (first_id,), (again_id,) = set(GENERATION_ID.findall(first)), set(GENERATION_ID.findall(again))
    assert first_id != again_id and again.replace(again_id, first_id) == first


@pytest.mark.parametrize(
    "surface,path", [("chat", "/chat/completions"), ("responses", "/responses"), ("messages", "/messages")]
)
def test_mid_stream_error_frames_conform(checker, surface, path):
    frame = mid_stream_error_frame(surface, "upstream went away")
    (event,) = parse_sse(frame)
    media = checker.responses.index.match("POST", path)[0].response(200).media_types["text/event-stream"]
    assert checker.event_problems(media.schema, event) == []
    assert "upstream went away" in event["data"]
    assert mid_stream_error_frame("createAnthropicMessage") == mid_stream_error_frame("messages")


def test_speed_profile_precedence():
    model = load_catalogue().get("openai/gpt-5-nano")
    assert speed_profile(model).ttft_ms == 350 and not speed_profile(model).explicit
    server = PacingSettings(ttft_ms=20, tokens_per_second=0)
    assert speed_profile(model, server).tokens_per_second == 0
    chosen = speed_profile(model, server, {"x-mock-ttft-ms": "5", "x-mock-tokens-per-second": "1000"})
    assert (chosen.ttft_ms, chosen.tokens_per_second, chosen.explicit) == (5, 1000, True)
    with pytest.raises(GatewayFailure) as refused:  # an invalid pace is a 400, never ignored
        speed_profile(model, None, {"x-mock-ttft-ms": "nonsense"})
    assert refused.value.status == 400 and refused.value.details[0].path == ["X-Mock-TTFT-Ms"]


def test_frames_arrive_incrementally_when_paced(live_origin):
    headers = {**AUTH, "X-Mock-TTFT-Ms": "50", "X-Mock-Tokens-Per-Second": "200"}
    body = {
        "model": "openai/gpt-4o-mini",
        "stream": True,
        "max_tokens": 60,
        "messages": [{"role": "user", "content": "Tell me a long story about lighthouses."}],
    }
    arrivals, started = [], time.monotonic()
    with (
        httpx.Client(timeout=10) as http,
        http.stream("POST", live_origin + "/v1/chat/completions", headers=headers, json=body) as response,
    ):
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append((time.monotonic() - started, line))
    usage = json.loads(arrivals[-1][1][5:])["usage"]  # the closing chat.completion snapshot
    produce_s = usage["completion_tokens"] / 200
    first, last = arrivals[0][0], arrivals[-1][0]
    assert first >= 0.045, "the first frame waits for the time to first token"
    assert last - first >= 0.6 * produce_s, "later frames are paced, not sent in one burst"
    assert first < last - 0.05
