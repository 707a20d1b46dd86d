"""Round trips: the gateway's answer sent back the way the standard client loops send it.

Chat clients ``messages.append(message)`` and add a tool result; Responses clients do
``input += output`` and add ``function_call_output``; Messages clients send the assistant
``content`` blocks back and answer each ``tool_use`` with a ``tool_result``. A streamed
answer is first accumulated into the message a client library would hold.

An echo the contract allows must be accepted (``answer_accepted_back``). An echo the
contract forbids but the clients send all the same (an assistant ``content: null`` beside
``tool_calls``, say) is a client-compatibility finding (``client_echo_accepted``) when the
gateway refuses it; the same echo with its null fields left out must then be accepted.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from conformance import sse
from conformance.checks._support import register

register("answer_accepted_back", "the gateway accepts its own answer (plain or streamed) sent back in the next turn")
register(
    "client_echo_accepted",
    "client compatibility: an echo standard clients send, though the contract forbids it, is accepted",
)

TOOL_RESULT = json.dumps({"temperature_c": 18, "sky": "clear"})
FOLLOW_UP = "Thanks. Once more, in other words?"
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@dataclass(frozen=True)
class Surface:
    name: str
    path: str
    model: str

    def first_turn(self, tools: bool, stream: bool) -> dict[str, Any]:
        prompt = "What is the weather in Lisbon?" if tools else "Name a colour."
        body: dict[str, Any] = {"model": self.model}
        if self.name == "chat":
            body["messages"] = [{"role": "user", "content": prompt}]
            if tools:
                function = {"name": "get_weather", "description": "Weather for a city.", "parameters": WEATHER}
                body |= {"tools": [{"type": "function", "function": function}], "tool_choice": "required"}
        elif self.name == "responses":
            body["input"] = [{"role": "user", "content": prompt}]
            if tools:
                tool = {"type": "function", "name": "get_weather", "description": "Weather.", "parameters": WEATHER}
                body |= {"tools": [tool], "tool_choice": "required"}
        else:
            body |= {"max_tokens": 256, "messages": [{"role": "user", "content": prompt}]}
            if tools:
                tool = {"name": "get_weather", "description": "Weather for a city.", "input_schema": WEATHER}
                body |= {"tools": [tool], "tool_choice": {"type": "any"}}
        if stream:
            body["stream"] = True
        return body


SURFACES = {
    "createChatCompletion": Surface("chat", "/chat/completions", "openai/gpt-5-nano"),
    "createResponse": Surface("responses", "/responses", "openai/gpt-5-nano"),
    "createAnthropicMessage": Surface("messages", "/messages", "anthropic/claude-sonnet-4-5"),
}


def answer_of(surface: Surface, content: bytes, stream: bool) -> Any:
    """What a client library holds after the first turn: the message, output items or content blocks."""
    if not stream:
        body = json.loads(content)
        if surface.name == "chat":
            return body["choices"][0]["message"]
        return body["output"] if surface.name == "responses" else body["content"]
    frames = [frame for _event, frame in sse.parse(content).json_frames() if isinstance(frame, dict)]
    if surface.name == "chat":
        return accumulate_chat(frames)
    if surface.name == "responses":
        return next(f["response"]["output"] for f in reversed(frames) if f.get("type") == "response.completed")
    return accumulate_messages(frames)


def accumulate_chat(frames: list[dict[str, Any]]) -> dict[str, Any]:
    """The assistant message a chat stream builds (a full snapshot frame wins)."""
    for frame in frames:
        if frame.get("object") == "chat.completion":
            return frame["choices"][0]["message"]
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for frame in frames:
        for choice in frame.get("choices") or []:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                text.append(delta["content"])
            for call in delta.get("tool_calls") or []:
                slot = calls.setdefault(call.get("index", 0), {"type": "function", "function": {"arguments": ""}})
                slot["id"] = call.get("id") or slot.get("id")
                function = call.get("function") or {}
                if function.get("name"):
                    slot["function"]["name"] = function["name"]
                slot["function"]["arguments"] += function.get("arguments") or ""
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text) if text else None}
    if calls:
        message["tool_calls"] = [calls[index] for index in sorted(calls)]
    return message


def accumulate_messages(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The content blocks a Messages stream builds (text, tool_use input, thinking and signature)."""
    blocks: dict[int, dict[str, Any]] = {}
    partial: dict[int, str] = {}
    for frame in frames:
        index = frame.get("index", 0)
        if frame.get("type") == "content_block_start":
            blocks[index] = copy.deepcopy(frame["content_block"])
        elif frame.get("type") == "content_block_delta" and index in blocks:
            delta, block = frame.get("delta") or {}, blocks[index]
            kind = delta.get("type")
            if kind == "text_delta":
                block["text"] = block.get("text", "") + delta.get("text", "")
            elif kind == "input_json_delta":
                partial[index] = partial.get(index, "") + delta.get("partial_json", "")
            elif kind == "thinking_delta":
                block["thinking"] = block.get("thinking", "") + delta.get("thinking", "")
            elif kind == "signature_delta":
                block["signature"] = delta.get("signature", "")
    for index, text in partial.items():
        blocks[index]["input"] = json.loads(text) if text else {}
    return [blocks[index] for index in sorted(blocks)]


def echo(surface: Surface, first: dict[str, Any], answer: Any) -> dict[str, Any]:
    """The next turn a standard client loop sends after ``answer``."""
    body = {key: value for key, value in first.items() if key != "stream"}
    if surface.name == "chat":
        calls = answer.get("tool_calls") or []
        after = [{"role": "tool", "tool_call_id": c.get("id"), "content": TOOL_RESULT} for c in calls]
        body["messages"] = [*first["messages"], answer, *(after or [{"role": "user", "content": FOLLOW_UP}])]
    elif surface.name == "responses":
        calls = [item for item in answer if isinstance(item, dict) and item.get("type") == "function_call"]
        after = [{"type": "function_call_output", "call_id": c.get("call_id"), "output": TOOL_RESULT} for c in calls]
        body["input"] = [*first["input"], *answer, *(after or [{"role": "user", "content": FOLLOW_UP}])]
    else:
        uses = [block for block in answer if isinstance(block, dict) and block.get("type") == "tool_use"]
        reply: Any = [{"type": "tool_result", "tool_use_id": u.get("id"), "content": TOOL_RESULT} for u in uses]
        body["messages"] = [
            *first["messages"],
            {"role": "assistant", "content": answer},
            {"role": "user", "content": reply or FOLLOW_UP},
        ]
    return body


def without_nulls(value: Any) -> Any:
    """``value`` with every null-valued key left out (what a careful client sends instead)."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value
