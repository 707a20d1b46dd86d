"""What a reply rule can match on, read once from a request (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.engines.script import TEXT_OPERATIONS
from mockserver.engines.text.request import CHAT, MESSAGES, RESPONSES, read_request
from mockserver.model import MockRequest

_SURFACES = {"createChatCompletion": CHAT, "createResponse": RESPONSES, "createAnthropicMessage": MESSAGES}


@dataclass(frozen=True)
class RequestFacts:
    operation: str
    model: str
    #: The text of the last user message ("" when there is none).
    user: str
    #: The system prompt (system/developer messages, ``instructions`` or ``system``).
    system: str
    #: Whether the conversation ends with a tool result.
    tool_result: bool
    #: How many assistant turns came before (0 on the first request of a conversation).
    turn: int
    #: The names of the tools offered.
    tools: tuple[str, ...]
    headers: dict[str, str]
    #: The operationId the client called, when a dialect answers it through ``operation``.
    served_operation: str = ""


def read_facts(request: MockRequest) -> RequestFacts:
    operation = request.operation.operation_id
    body = request.body if isinstance(request.body, dict) else {}
    model = body.get("model")
    model_name = model if isinstance(model, str) else ""
    surface = _SURFACES.get(operation)
    if surface is None or operation not in TEXT_OPERATIONS:
        return RequestFacts(
            operation, model_name, _input_text(body), "", False, 0, (), request.headers, request.served_operation
        )
    text = read_request(surface, body)
    return RequestFacts(
        operation=operation,
        model=model_name,
        user=text.last_user_text,
        system=_system(surface, body),
        tool_result=text.after_tool_result,
        turn=_turn(surface, body),
        tools=tuple(tool.name for tool in text.tools),
        headers=request.headers,
        served_operation=request.served_operation,
    )


def _input_text(body: dict[str, Any]) -> str:
    """Embeddings and the like: the (last) input text."""
    value = body.get("input", body.get("inputs"))
    if isinstance(value, list) and value:
        value = value[-1]
    return value if isinstance(value, str) else ""


def _system(surface: str, body: dict[str, Any]) -> str:
    if surface == MESSAGES:
        system = body.get("system")
        if isinstance(system, list):
            return "\n".join(str(block.get("text", "")) for block in system if isinstance(block, dict))
        return system if isinstance(system, str) else ""
    parts = [body["instructions"]] if surface == RESPONSES and isinstance(body.get("instructions"), str) else []
    items = body.get("messages" if surface == CHAT else "input")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("role") in ("system", "developer"):
            parts.append(_content_text(item.get("content")))
    return "\n".join(parts)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return "\n".join(str(part.get("text", "")) for part in parts if isinstance(part, dict))


def _turn(surface: str, body: dict[str, Any]) -> int:
    items = body.get("input" if surface == RESPONSES else "messages")
    if not isinstance(items, list):
        return 0
    turns, previous_call = 0, False
    for item in items:
        if not isinstance(item, dict):
            continue
        is_call = item.get("type") == "function_call"
        if item.get("role") == "assistant" or (is_call and not previous_call):
            turns += 1
        previous_call = is_call
    return turns
