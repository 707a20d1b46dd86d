"""One reading of a text-generation request, whatever the surface it came in on.

Chat completions, Responses and Anthropic Messages say the same things differently
(token cap, stop sequences, tools, tool choice, output format, reasoning). They are
read here into a :class:`TextRequest` that the engine answers.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

import orjson

CHAT, RESPONSES, MESSAGES = "chat", "responses", "messages"


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class TextRequest:
    surface: str
    body: dict[str, Any]
    turns: list[str] = field(default_factory=list)
    images: int = 0
    last_user_text: str = ""
    after_tool_result: bool = False
    max_output: int | None = None
    stop: list[str] = field(default_factory=list)
    tools: list[ToolSpec] = field(default_factory=list)
    #: ``none``, ``auto``, ``required`` or ``named`` (then ``forced_tool`` names it).
    tool_choice: str = "auto"
    forced_tool: str | None = None
    parallel_tool_calls: bool = True
    output_schema: dict[str, Any] | None = None
    json_mode: bool = False
    stream: bool = False
    meta: bool = False
    reasoning_effort: str | None = None
    thinking_budget: int | None = None

    @property
    def tool_tokens_text(self) -> str:
        if not self.tools:
            return ""
        listing = [[t.name, t.description, t.parameters] for t in self.tools]
        try:
            text, listed = _kept_tools_text(orjson.dumps(listing, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return _tools_text(listing)
        return text if listed == listing else _tools_text(listing)


def _tools_text(listing: list) -> str:
    return json.dumps(listing, separators=(",", ":"), sort_keys=True)


@functools.lru_cache(maxsize=256)
def _kept_tools_text(canonical: bytes) -> tuple[str, list]:
    """The tools' text by their canonical JSON: clients send the same tools on every turn.

    The caller compares the listing read back with its own (equal unless a value does
    not survive orjson, such as NaN) before using the kept text.
    """
    listing = orjson.loads(canonical)
    return _tools_text(listing), listing


def read_request(surface: str, body: Any) -> TextRequest:
    body = body if isinstance(body, dict) else {}
    request = TextRequest(surface=surface, body=body, stream=body.get("stream") is True, meta=body.get("meta") is True)
    {CHAT: _read_chat, RESPONSES: _read_responses, MESSAGES: _read_messages}[surface](request, body)
    return request


def _first_int(body: dict[str, Any], *names: str) -> int | None:
    for name in names:
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _stops(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    return [item for item in value or [] if isinstance(item, str) and item]


def _add_turn(request: TextRequest, text: str, *, user: bool = False) -> None:
    request.turns.append(text)
    if user and text:
        request.last_user_text = text


# --------------------------------------------------------------------------- chat


def _read_chat(request: TextRequest, body: dict[str, Any]) -> None:
    if isinstance(body.get("system"), str):
        _add_turn(request, body["system"])
    messages = body.get("messages") or []
    for message in messages:
        text, images = _chat_content(message.get("content"))
        for call in message.get("tool_calls") or []:
            text += call.get("function", {}).get("name", "") + call.get("function", {}).get("arguments", "")
        request.images += images
        _add_turn(request, text, user=message.get("role") == "user")
    request.after_tool_result = bool(messages) and messages[-1].get("role") == "tool"
    request.max_output = _first_int(body, "max_completion_tokens", "max_tokens", "max_output_tokens")
    request.stop = _stops(body.get("stop"))
    request.tools = [
        ToolSpec(
            t["function"]["name"],
            t["function"].get("description") or "",
            _arguments_schema(t["function"].get("parameters")),
        )
        for t in body.get("tools") or []
        if isinstance(t.get("function"), dict)
    ]
    _tool_choice(request, body.get("tool_choice"), lambda c: (c.get("function") or {}).get("name"))
    request.parallel_tool_calls = body.get("parallel_tool_calls", True) is not False
    _response_format(request, body.get("response_format"))
    effort = (body.get("reasoning") or {}).get("effort")
    request.reasoning_effort = effort if isinstance(effort, str) else None


def _chat_content(content: Any) -> tuple[str, int]:
    if isinstance(content, str):
        return content, 0
    texts, images = [], 0
    for part in content or []:
        kind = part.get("type")
        if kind == "text":
            texts.append(part.get("text", ""))
        elif kind == "image_url":
            images += 1
        elif kind == "tool_call":
            texts.append(part.get("function", {}).get("arguments", ""))
    return "\n".join(texts), images


def _tool_choice(request: TextRequest, choice: Any, named) -> None:
    if isinstance(choice, str):
        request.tool_choice = {"any": "required"}.get(choice, choice)
    elif isinstance(choice, dict):
        name = named(choice)
        if name:
            request.tool_choice, request.forced_tool = "named", name
        elif choice.get("type") in ("auto", "any", "none"):
            request.tool_choice = "required" if choice["type"] == "any" else choice["type"]


def _response_format(request: TextRequest, spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    if spec.get("type") == "json_object":
        request.json_mode = True
    elif spec.get("type") == "json_schema":
        inner = spec["json_schema"] if isinstance(spec.get("json_schema"), dict) else spec
        if isinstance(inner.get("schema"), dict):
            request.output_schema = inner["schema"]


# --------------------------------------------------------------------------- responses


def _read_responses(request: TextRequest, body: dict[str, Any]) -> None:
    if isinstance(body.get("instructions"), str):
        _add_turn(request, body["instructions"])
    items = body.get("input", body.get("input_items"))
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    elif isinstance(items, dict):
        items = [items]
    items = items or []
    for item in items:
        _read_responses_item(request, item)
    request.after_tool_result = bool(items) and items[-1].get("type") == "function_call_output"
    request.max_output = _first_int(body, "max_output_tokens", "max_completion_tokens", "max_tokens")
    request.stop = _stops(body.get("stop"))
    request.tools = [
        ToolSpec(t["name"], t.get("description") or "", _arguments_schema(t.get("parameters")))
        for t in body.get("tools") or []
        if t.get("type") == "function"
    ]
    _tool_choice(request, body.get("tool_choice"), lambda c: c.get("name"))
    request.parallel_tool_calls = body.get("parallel_tool_calls", True) is not False
    _response_format(request, body.get("response_format"))
    _response_format(request, (body.get("text") or {}).get("format"))
    effort = (body.get("reasoning") or {}).get("effort")
    request.reasoning_effort = effort if isinstance(effort, str) else None


def _arguments_schema(schema: Any) -> dict[str, Any]:
    """A tool's arguments are always an object; a schema that names no type means one."""
    if not isinstance(schema, dict) or not schema:
        return {"type": "object", "properties": {}}
    return schema if "type" in schema else {"type": "object", **schema}


def _read_responses_item(request: TextRequest, item: dict[str, Any]) -> None:
    kind = item.get("type", "message")
    if kind == "function_call":
        _add_turn(request, item.get("name", "") + item.get("arguments", ""))
    elif kind == "function_call_output":
        _add_turn(request, item.get("output", ""))
    elif kind == "reasoning":
        _add_turn(request, " ".join(s.get("text", "") for s in item.get("summary") or []))
    elif kind == "message":
        content = item.get("content")
        if isinstance(content, str):
            _add_turn(request, content, user=item.get("role") == "user")
            return
        texts = []
        for part in content or []:
            if part.get("type") == "input_image":
                request.images += 1
            texts.append(part.get("text") or part.get("refusal") or "")
        _add_turn(request, "\n".join(texts), user=item.get("role") == "user")


# --------------------------------------------------------------------------- messages


def _read_messages(request: TextRequest, body: dict[str, Any]) -> None:
    system = body.get("system")
    if isinstance(system, str):
        _add_turn(request, system)
    elif isinstance(system, list):
        _add_turn(request, "\n".join(block.get("text", "") for block in system))
    messages = body.get("messages") or []
    for message in messages:
        _add_turn(request, _anthropic_text(request, message.get("content")), user=message.get("role") == "user")
    last = messages[-1] if messages else {}
    request.after_tool_result = isinstance(last.get("content"), list) and any(
        block.get("type") == "tool_result" for block in last["content"]
    )
    request.max_output = _first_int(body, "max_tokens", "max_output_tokens")
    request.stop = _stops(body.get("stop_sequences"))
    request.tools = [
        ToolSpec(t["name"], t.get("description") or "", _arguments_schema(t.get("input_schema")))
        for t in body.get("tools") or []
    ]
    _tool_choice(request, body.get("tool_choice"), lambda c: c.get("name") if c.get("type") == "tool" else None)
    choice = body.get("tool_choice") or {}
    request.parallel_tool_calls = not choice.get("disable_parallel_tool_use", False)
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled" or thinking.get("enabled") is True:
        request.thinking_budget = thinking.get("budget_tokens") or thinking.get("max_tokens") or 1024


def _anthropic_text(request: TextRequest, content: Any) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for block in content or []:
        kind = block.get("type")
        if kind == "image":
            request.images += 1
        elif kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "thinking":
            texts.append(block.get("thinking", ""))
        elif kind == "tool_use":
            texts.append(block.get("name", "") + json.dumps(block.get("input", {}), separators=(",", ":")))
        elif kind == "tool_result":
            inner = block.get("content")
            texts.append(inner if isinstance(inner, str) else _anthropic_text(request, inner))
    return "\n".join(texts)
