"""400s on the text surfaces name the innermost offending field and what was expected there.

A union (``oneOf``/``anyOf``) that nothing matched is explained by the branch the request
meant (its ``role`` or ``type``), down to the field that is wrong in it.
"""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.errors import render_path
from tests.support import AUTH

CHAT = "/chat/completions"
RESPONSES = "/responses"
MESSAGES = "/messages"
USER = {"role": "user", "content": "Hi"}


def chat(*messages, **extra):
    return {"model": "openai/gpt-4o-mini", "messages": list(messages) or [USER], **extra}


def responses(**extra):
    return {"model": "openai/gpt-5-mini", **extra}


def anthropic(*messages, **extra):
    return {"model": "anthropic/claude-sonnet-4-5", "max_tokens": 10, "messages": list(messages) or [USER], **extra}


#: (surface, body, path of the first detail, the description after "path: ")
CASES = [
    (
        CHAT,
        chat(USER, {"role": "assistant", "content": None, "tool_calls": []}),
        ["messages", 1, "content"],
        "null is not allowed (expected string or array)",
    ),
    (
        CHAT,
        chat({"role": "robot", "content": "x"}),
        ["messages", 0, "role"],
        '"robot" is not one of "system", "developer", "user", "assistant", "tool"',
    ),
    (CHAT, chat({"content": "x"}), ["messages", 0, "role"], "Missing required field: role"),
    (
        CHAT,
        chat({"role": "user", "content": [{"type": "text"}]}),
        ["messages", 0, "content", 0, "text"],
        "Missing required field: text",
    ),
    (
        CHAT,
        chat({"role": "user", "content": [{"type": "image_url", "image_url": {}}]}),
        ["messages", 0, "content", 0, "image_url", "url"],
        "Missing required field: url",
    ),
    (
        CHAT,
        chat({"role": "user", "content": [{"type": "pdf"}]}),
        ["messages", 0, "content", 0, "type"],
        '"pdf" is not one of "text", "image_url", "input_audio", "input_video", "video_url", "tool_call"',
    ),
    (
        CHAT,
        chat({"role": "tool", "content": "x"}),
        ["messages", 0, "tool_call_id"],
        "Missing required field: tool_call_id",
    ),
    (
        CHAT,
        chat(USER, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}]}),
        ["messages", 1, "tool_calls", 0, "function", "arguments"],
        "Missing required field: arguments",
    ),
    (
        CHAT,
        chat(tool_choice="sometimes"),
        ["tool_choice"],
        '"sometimes" is not allowed (expected one of "none", "auto", "required" or object)',
    ),
    (
        CHAT,
        chat(tool_choice={"type": "function", "function": {}}),
        ["tool_choice", "function", "name"],
        "Missing required field: name",
    ),
    (
        CHAT,
        chat(response_format={"type": "json_schema"}),
        ["response_format", "json_schema"],
        "Missing required field: json_schema",
    ),
    (CHAT, chat(stop=5), ["stop"], "5 is not allowed (expected string or array)"),
    (CHAT, chat(n=2), ["n"], "Unknown parameter: n"),
    (RESPONSES, responses(), ["input"], "Missing required field: input or input_items"),
    (RESPONSES, responses(input=5), ["input"], "5 is not allowed (expected string, array or object)"),
    (
        RESPONSES,
        responses(input={"type": "nothing"}),
        ["input", "type"],
        '"nothing" is not one of "message", "function_call", "function_call_output", "reasoning", "item_reference"',
    ),
    (
        RESPONSES,
        responses(input=[{"type": "function_call", "name": "f", "arguments": "{}"}]),
        ["input", 0, "call_id"],
        "Missing required field: call_id",
    ),
    (
        RESPONSES,
        responses(input=[{"type": "function_call_output", "call_id": "c"}]),
        ["input", 0, "output"],
        "Missing required field: output",
    ),
    (
        RESPONSES,
        responses(input=[{"role": "user", "content": None}]),
        ["input", 0, "content"],
        "null is not allowed (expected string or array)",
    ),
    (
        RESPONSES,
        responses(input=[{"role": "user", "content": [{"type": "input_text"}]}]),
        ["input", 0, "content", 0, "text"],
        "Missing required field: text",
    ),
    (
        RESPONSES,
        responses(input="x", text={"format": {"type": "json_schema", "name": "r"}}),
        ["text", "format", "schema"],
        "Missing required field: schema",
    ),
    (
        RESPONSES,
        responses(input="x", tools=[{"type": "function"}]),
        ["tools", 0, "name"],
        "Missing required field: name",
    ),
    (MESSAGES, anthropic(max_tokens=None), ["max_tokens"], 'null is not of type "integer"'),
    (
        MESSAGES,
        {key: value for key, value in anthropic().items() if key != "max_tokens"},
        ["max_tokens"],
        "Missing required field: max_tokens or max_output_tokens",
    ),
    (
        MESSAGES,
        anthropic({"role": "user", "content": None}),
        ["messages", 0, "content"],
        "null is not allowed (expected string or array)",
    ),
    (
        MESSAGES,
        anthropic({"role": "user", "content": [{"type": "tool_result", "content": "x"}]}),
        ["messages", 0, "content", 0, "tool_use_id"],
        "Missing required field: tool_use_id",
    ),
    (
        MESSAGES,
        anthropic({"role": "user", "content": [{"type": "image", "source": {"type": "base64", "data": "x"}}]}),
        ["messages", 0, "content", 0, "source", "media_type"],
        "Missing required field: media_type",
    ),
    (
        MESSAGES,
        anthropic({"role": "user", "content": [{"type": "video"}]}),
        ["messages", 0, "content", 0, "type"],
        '"video" is not one of "text", "image", "tool_use", "tool_result", "thinking"',
    ),
    (MESSAGES, anthropic(tool_choice={"type": "tool"}), ["tool_choice", "name"], "Missing required field: name"),
    (MESSAGES, anthropic(system=[{"type": "text"}]), ["system", 0, "text"], "Missing required field: text"),
]


@pytest.mark.parametrize(("surface", "body", "path", "message"), CASES, ids=lambda v: None)
def test_the_innermost_field_is_named(async_client, surface, body, path, message):
    response = async_client.post("/v1" + surface, headers=AUTH, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["error"] == "validation_error"
    first = error["details"][0]
    assert (first["path"], first["message"]) == (path, message), error
    assert error["description"] == f"{render_path(path)}: {message}"
    assert "is not valid under any of the schemas" not in response.text


def test_paths_render_as_clients_write_them():
    assert render_path(["messages", 1, "content"]) == "messages[1].content"
    assert render_path(["input", 0, "content", 2, "text"]) == "input[0].content[2].text"
    assert render_path([]) == ""


VALID = {
    CHAT: chat(
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
        {
            "role": "assistant",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "Sunny"},
        tools=[{"type": "function", "function": {"name": "w", "parameters": {"type": "object"}}}],
        tool_choice={"type": "function", "function": {"name": "w"}},
        response_format={"type": "json_schema", "json_schema": {"name": "r", "schema": {"type": "object"}}},
    ),
    RESPONSES: responses(
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
            {"type": "function_call", "call_id": "c1", "name": "w", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "Sunny"},
        ],
        tools=[{"type": "function", "name": "w", "parameters": {"type": "object"}}],
        text={"format": {"type": "json_schema", "name": "r", "schema": {"type": "object"}}},
    ),
    MESSAGES: anthropic(
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "w", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "Sunny"}]},
        tools=[{"name": "w", "input_schema": {"type": "object"}}],
        tool_choice={"type": "tool", "name": "w"},
    ),
}
FREE_FORM = {"parameters", "schema", "input_schema", "input"}  # JSON Schemas and tool inputs: any object goes


def _places(value, path=()):
    """Every place in a body that holds a value, except inside free-form objects."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield (*path, key)
            if key not in FREE_FORM:
                yield from _places(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield (*path, index)
            yield from _places(sub, (*path, index))


def _replace(body, path, new):
    body = copy.deepcopy(body)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), surface=st.sampled_from(sorted(VALID)))
def test_every_400_names_a_field(async_client, data, surface):
    body = VALID[surface]
    place = data.draw(st.sampled_from(sorted(_places(body), key=repr)), label="place")
    new = data.draw(st.sampled_from([None, 5, -1, "x", "", [], {}, [None], {"type": "nothing"}, True]), label="value")
    response = async_client.post("/v1" + surface, headers=AUTH, json=_replace(body, place, new))
    error = response.json()
    if response.status_code != 400 or error["error"] != "validation_error":
        return  # model routing (unsupported_model_or_endpoint) has the gateway's fixed text
    assert error["details"], error
    assert all(detail["path"] for detail in error["details"]), error
    parent = list(place[:-1])
    assert any(detail["path"][: len(parent)] == parent for detail in error["details"]), (place, error)
    assert re.match(r"^[a-z_]+(\[\d+\]|\.[A-Za-z_]+)*: ", error["description"]), error
    assert "is not valid under any of the" not in error["description"]
