"""A Google AI Studio ``generateContent`` request as the gateway's chat request.

``contents`` (roles ``user``/``model``, parts ``text``, ``functionCall``,
``functionResponse``) become chat messages, ``systemInstruction`` the system message,
``tools[].functionDeclarations`` function tools (Google's upper-case schema types lowered),
``toolConfig.functionCallingConfig`` the ``tool_choice`` and ``generationConfig`` the
sampling fields. Pure data; nothing here is generated.
"""

from __future__ import annotations

import json
from typing import Any

#: generationConfig key → the chat request key with the same meaning.
GENERATION_KEYS = {
    "maxOutputTokens": "max_tokens",
    "temperature": "temperature",
    "topP": "top_p",
    "stopSequences": "stop",
    "seed": "seed",
    "presencePenalty": "presence_penalty",
    "frequencyPenalty": "frequency_penalty",
}
CALLING_MODES = {"AUTO": "auto", "ANY": "required", "NONE": "none"}


#: Values that are the caller's own data, whose keys are never renamed (arguments, schemas).
OPAQUE_KEYS = frozenset(
    {"args", "response", "parameters", "parametersJsonSchema", "responseSchema", "responseJsonSchema", "labels"}
)


def camel_keys(value: Any) -> Any:
    """Google's JSON API takes ``snake_case`` and ``lowerCamel`` field names alike (LiteLLM sends
    ``function_declarations``, google-genai ``functionDeclarations``): the one spelling the
    mapping reads, with the caller's own data (arguments, schemas) left as sent."""
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        name = _camel(key) if isinstance(key, str) else key
        out[name] = item if name in OPAQUE_KEYS else camel_keys(item)
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def chat_body(body: dict[str, Any], model: str, *, stream: bool) -> dict[str, Any]:
    body = camel_keys(body)
    messages = _system(body.get("systemInstruction")) + [
        message for content in _list(body.get("contents")) for message in _messages(content)
    ]
    out: dict[str, Any] = {"model": model, "messages": messages or [{"role": "user", "content": ""}]}
    found = body.get("generationConfig")
    config: dict[str, Any] = found if isinstance(found, dict) else {}
    out.update({GENERATION_KEYS[key]: value for key, value in config.items() if key in GENERATION_KEYS})
    if config.get("responseMimeType") == "application/json":
        out["response_format"] = _response_format(config)
    tools = [_tool(declaration) for tool in _list(body.get("tools")) for declaration in _declarations(tool)]
    if tools:
        out["tools"] = tools
        choice = _tool_choice(body.get("toolConfig"))
        if choice is not None:
            out["tool_choice"] = choice
    if stream:
        out["stream"] = True
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part for part in _list(parts) if isinstance(part, dict)]


def _text(parts: list[dict[str, Any]]) -> str:
    return "".join(str(part["text"]) for part in parts if isinstance(part.get("text"), str))


def _system(instruction: Any) -> list[dict[str, Any]]:
    text = _text(_parts(instruction))
    return [{"role": "system", "content": text}] if text else []


def _messages(content: Any) -> list[dict[str, Any]]:
    parts = _parts(content)
    role = content.get("role") if isinstance(content, dict) else None
    calls = [part["functionCall"] for part in parts if isinstance(part.get("functionCall"), dict)]
    answers = [part["functionResponse"] for part in parts if isinstance(part.get("functionResponse"), dict)]
    if answers:
        return [_tool_answer(answer) for answer in answers]
    if role == "model":
        message: dict[str, Any] = {"role": "assistant", "content": _text(parts) or None}
        if calls:
            message["tool_calls"] = [_call(call) for call in calls]
        return [message]
    return [{"role": "user", "content": _text(parts)}]


def _call(call: dict[str, Any]) -> dict[str, Any]:
    name = str(call.get("name") or "")
    arguments = json.dumps(call.get("args") or {}, separators=(",", ":"))
    return {"id": str(call.get("id") or name), "type": "function", "function": {"name": name, "arguments": arguments}}


def _tool_answer(answer: dict[str, Any]) -> dict[str, Any]:
    name = str(answer.get("name") or "")
    content = json.dumps(answer.get("response") or {}, separators=(",", ":"))
    return {"role": "tool", "tool_call_id": str(answer.get("id") or name), "content": content}


def _declarations(tool: Any) -> list[dict[str, Any]]:
    found = tool.get("functionDeclarations") if isinstance(tool, dict) else None
    return [item for item in _list(found) if isinstance(item, dict)]


def _tool(declaration: dict[str, Any]) -> dict[str, Any]:
    schema = declaration.get("parametersJsonSchema") or lowered(declaration.get("parameters") or {"type": "object"})
    function = {"name": str(declaration.get("name") or ""), "parameters": schema}
    if declaration.get("description"):
        function["description"] = declaration["description"]
    return {"type": "function", "function": function}


def lowered(schema: Any) -> Any:
    """A Google schema with JSON Schema's lower-case ``type`` names (``OBJECT`` → ``object``)."""
    if isinstance(schema, list):
        return [lowered(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: lowered(value) for key, value in schema.items()}
    if isinstance(out.get("type"), str):
        out["type"] = out["type"].lower()
    return out


def _tool_choice(config: Any) -> Any:
    calling = config.get("functionCallingConfig") if isinstance(config, dict) else None
    if not isinstance(calling, dict):
        return None
    choice = CALLING_MODES.get(str(calling.get("mode") or "").upper())
    allowed = _list(calling.get("allowedFunctionNames"))
    if choice == "required" and len(allowed) == 1:
        return {"type": "function", "function": {"name": str(allowed[0])}}
    return choice


def _response_format(config: dict[str, Any]) -> dict[str, Any]:
    schema = config.get("responseJsonSchema") or lowered(config.get("responseSchema"))
    if not isinstance(schema, dict):
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {"name": "response", "schema": schema}}
