"""The mock's own answers, sent back the way client libraries' loops send them, are accepted.

For each text surface, plain and streamed (the answer rebuilt from the stream as the SDK
accumulators do), the next turn carries the previous answer unchanged:
- chat: ``messages.append(completion.choices[0].message)`` plus a ``tool`` message per call;
- responses: ``input += response.output`` plus a ``function_call_output`` per call;
- messages: the assistant ``content`` blocks plus a ``tool_result`` block per ``tool_use``.
The gateway's own schema refuses one part of its own chat answer, ``content: null``
beside ``tool_calls``: there the test expects the 400 to name that field, and the
same turn without the null (what careful clients send) to pass.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import AUTH, make_client, parse_sse

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
WEATHER = {
    "type": "object",
    "required": ["city", "days"],
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
}
RECIPE = {
    "type": "object",
    "required": ["title", "servings"],
    "additionalProperties": False,
    "properties": {"title": {"type": "string"}, "servings": {"type": "integer", "minimum": 1}},
}
KINDS = ("text", "tools", "structured", "reasoning")
PROMPTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def api():
    with make_client("async") as test_client:
        yield test_client


def post(api, path: str, body: dict[str, Any], seed: int):
    return api.post("/v1" + path, headers={**UNPACED, "X-Mock-Seed": str(seed)}, json=body)


# ----------------------------------------------------------------------------------- chat


def chat_request(kind: str, prompt: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
    if kind == "tools":
        body["tools"] = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
        body["tool_choice"] = "required"
    elif kind == "structured":
        body["response_format"] = {"type": "json_schema", "json_schema": {"name": "recipe", "schema": RECIPE}}
    elif kind == "reasoning":
        body["model"] = "deepseek/deepseek-r1"
    return {**body, "stream": True} if stream else body


def chat_message(response, stream: bool) -> dict[str, Any]:
    """``choices[0].message`` as the openai SDK hands it over (its stream accumulator for streams)."""
    if not stream:
        return response.json()["choices"][0]["message"]
    message: dict[str, Any] = {}
    for event in parse_sse(response.content):
        frame = json.loads(event["data"]) if event["data"].startswith("{") else {}
        if frame.get("object") == "chat.completion.chunk" and frame.get("choices"):
            accumulate_delta(message, frame["choices"][0].get("delta", {}))
    return message


def accumulate_delta(acc: dict[str, Any], delta: dict[str, Any]) -> None:
    """openai-python's ``accumulate_delta``: strings concatenate, indexed lists merge by ``index``."""
    for key, value in delta.items():
        if key not in acc or acc[key] is None:
            acc[key] = json.loads(json.dumps(value))
        elif isinstance(acc[key], str) and isinstance(value, str) and key not in ("type", "id", "role"):
            acc[key] += value
        elif isinstance(acc[key], dict) and isinstance(value, dict):
            accumulate_delta(acc[key], value)
        elif isinstance(acc[key], list) and isinstance(value, list):
            for item in value:
                same = next((old for old in acc[key] if old.get("index") == item.get("index")), None)
                if same is None:
                    acc[key].append(json.loads(json.dumps(item)))
                else:
                    accumulate_delta(same, item)


def chat_next_turn(request: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    results = [
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temperature": 21}'}
        for call in message.get("tool_calls") or []
    ]
    turn = {**request, "messages": [*request["messages"], message, *results]}
    turn.pop("tool_choice", None)
    return turn


def check_chat(api, kind: str, prompt: str, stream: bool, seed: int) -> None:
    request = chat_request(kind, prompt, stream)
    first = post(api, "/chat/completions", request, seed)
    assert first.status_code == 200, first.text
    message = chat_message(first, stream)
    second = post(api, "/chat/completions", chat_next_turn(request, message), seed + 1)
    if "content" in message and message["content"] is None:
        assert message.get("tool_calls"), "content is null only beside tool calls"
        assert second.status_code == 400, second.text
        error = second.json()
        assert ["messages", 1, "content"] in [detail["path"] for detail in error["details"]], error
        assert error["description"].startswith("messages[1].content: null is not allowed"), error
        without_null = {key: value for key, value in message.items() if key != "content"}
        second = post(api, "/chat/completions", chat_next_turn(request, without_null), seed + 1)
    assert second.status_code == 200, second.text


# ----------------------------------------------------------------------------------- responses


def responses_request(kind: str, prompt: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "google/gemini-2.5-flash", "input": [{"role": "user", "content": prompt}]}
    if kind == "tools":
        body["tools"] = [{"type": "function", "name": "get_weather", "parameters": WEATHER}]
        body["tool_choice"] = "required"
    elif kind == "structured":
        body["text"] = {"format": {"type": "json_schema", "name": "recipe", "schema": RECIPE}}
    elif kind == "reasoning":
        body["model"] = "openai/gpt-5-mini"
        body["reasoning"] = {"effort": "low"}
    return {**body, "stream": True} if stream else body


def responses_output(response, stream: bool) -> list[dict[str, Any]]:
    """``response.output``; for a stream, the one ``response.completed`` carries (or the items done)."""
    if not stream:
        return response.json()["output"]
    done: list[dict[str, Any]] = []
    for event in parse_sse(response.content):
        frame = json.loads(event["data"]) if event["data"].startswith("{") else {}
        if frame.get("type") == "response.completed" and "output" in frame.get("response", {}):
            return frame["response"]["output"]
        if frame.get("type") == "response.output_item.done":
            done.append(frame["item"])
    return done


def check_responses(api, kind: str, prompt: str, stream: bool, seed: int) -> None:
    request = responses_request(kind, prompt, stream)
    first = post(api, "/responses", request, seed)
    assert first.status_code == 200, first.text
    output = responses_output(first, stream)
    assert output
    results = [
        {"type": "function_call_output", "call_id": item["call_id"], "output": '{"temperature": 21}'}
        for item in output
        if item["type"] == "function_call"
    ]
    turn = {**request, "input": [*request["input"], *output, *results]}
    turn.pop("tool_choice", None)
    second = post(api, "/responses", turn, seed + 1)
    assert second.status_code == 200, second.text


# ----------------------------------------------------------------------------------- messages


def messages_request(kind: str, prompt: str, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 600,
        "messages": [{"role": "user", "content": prompt}],
    }
    if kind == "tools":
        body["tools"] = [{"name": "get_weather", "input_schema": WEATHER}]
        body["tool_choice"] = {"type": "any"}
    elif kind == "structured":
        body["tools"] = [{"name": "recipe", "input_schema": RECIPE}]
        body["tool_choice"] = {"type": "tool", "name": "recipe"}
    elif kind == "reasoning":
        body["thinking"] = {"type": "enabled", "budget_tokens": 64}
    return {**body, "stream": True} if stream else body


def messages_content(response, stream: bool) -> list[dict[str, Any]]:
    """``message.content`` as the anthropic SDK's stream accumulator rebuilds it."""
    if not stream:
        return response.json()["content"]
    blocks: dict[int, dict[str, Any]] = {}
    partial: dict[int, str] = {}
    for event in parse_sse(response.content):
        frame = json.loads(event["data"]) if event["data"].startswith("{") else {}
        kind = frame.get("type")
        if kind == "content_block_start":
            blocks[frame["index"]] = dict(frame["content_block"])
        elif kind == "content_block_delta":
            apply_block_delta(blocks[frame["index"]], frame["delta"], partial, frame["index"])
        elif kind == "content_block_stop" and frame["index"] in partial:
            blocks[frame["index"]]["input"] = json.loads(partial.pop(frame["index"]) or "{}")
    return [blocks[index] for index in sorted(blocks)]


def apply_block_delta(block: dict[str, Any], delta: dict[str, Any], partial: dict[int, str], index: int) -> None:
    kind = delta.get("type")
    if kind == "text_delta":
        block["text"] = block.get("text", "") + delta["text"]
    elif kind == "thinking_delta":
        block["thinking"] = block.get("thinking", "") + delta["thinking"]
    elif kind == "signature_delta":
        block["signature"] = delta["signature"]
    elif kind == "input_json_delta":
        partial[index] = partial.get(index, "") + delta["partial_json"]


def check_messages(api, kind: str, prompt: str, stream: bool, seed: int) -> None:
    request = messages_request(kind, prompt, stream)
    first = post(api, "/messages", request, seed)
    assert first.status_code == 200, first.text
    content = messages_content(first, stream)
    assert content
    results = [
        {"type": "tool_result", "tool_use_id": block["id"], "content": '{"temperature": 21}'}
        for block in content
        if block["type"] == "tool_use"
    ]
    turn_messages = [*request["messages"], {"role": "assistant", "content": content}]
    turn_messages.append({"role": "user", "content": results or "Thanks. And then?"})
    turn = {**request, "messages": turn_messages}
    turn.pop("tool_choice", None)
    second = post(api, "/messages", turn, seed + 1)
    assert second.status_code == 200, second.text


SURFACES = {"chat": check_chat, "responses": check_responses, "messages": check_messages}


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_every_kind_of_answer_goes_back(api, surface: str, kind: str, stream: bool) -> None:
    SURFACES[surface](api, kind, "What should I do this weekend?", stream, seed=7)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    surface=st.sampled_from(sorted(SURFACES)),
    kind=st.sampled_from(KINDS),
    stream=st.booleans(),
    prompt=PROMPTS,
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_round_trips_are_accepted(api, surface: str, kind: str, stream: bool, prompt: str, seed: int) -> None:
    SURFACES[surface](api, kind, prompt, stream, seed)
