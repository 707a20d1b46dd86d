"""Client compatibility: the official SDKs read every answer of their surfaces.

Where the ``openai`` / ``anthropic`` packages are installed, each 2xx JSON body is parsed
with the SDK's own type (``ChatCompletion``, ``Response``, ``CreateEmbeddingResponse``,
``Message``) and each stream runs through the SDK's accumulator, event by event
(``ChatCompletionStreamState``, ``ResponseStreamState``, ``accumulate_event``). What they
cannot parse is a client-compatibility finding naming the SDK and its version; a body can
validate against the contract and still be one (the contract is not the SDK's model).

The closing ``chat.completion`` snapshot frame the gateway sends on OpenAI-routed chat
streams (GATEWAY-BEHAVIOUR §5) is such a finding, reported with that explanation: it is
documented gateway behaviour, yet the openai SDK's chunk loop reads it as a chunk whose
``choices[0].delta`` is None.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import schemathesis

from conformance import sse
from conformance.checks._support import fail, is_probe, is_stream, json_body, register
from conformance.context import context_for

register(
    "sdk_parses_answers",
    "client compatibility: the installed openai/anthropic SDKs parse every JSON body and stream event they serve",
)

SNAPSHOT_NOTE = (
    "the gateway closes OpenAI-routed chat streams with a full chat.completion snapshot frame and no [DONE] "
    "(documented, GATEWAY-BEHAVIOUR §5); the SDK's raw chunk loop reads it as a chunk whose choices[0].delta is None"
)
#: Anthropic's stream reader passes these events to the accumulator; `ping` is skipped, `error` raised.
ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
    }
)


def sdk(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def surface_of(method: str, path: str) -> str | None:
    if method.upper() != "POST":
        return None
    return {
        "/chat/completions": "chat",
        "/responses": "responses",
        "/messages": "messages",
        "/embeddings": "embeddings",
    }.get(path.rstrip("/"))


def parse_problems(surface: str, content: bytes, streamed: bool) -> tuple[str, list[str]] | None:
    """``(sdk and version, problems)`` for an answer of ``surface``; None when its SDK is not installed."""
    package = "anthropic" if surface == "messages" else "openai"
    module = sdk(package)
    if module is None:
        return None
    label = f"{package} {getattr(module, '__version__', '?')}"
    if streamed:
        frames = [(event.event, frame) for event, frame in sse.parse(content).json_frames()]
        reader = {"chat": _chat_stream, "responses": _responses_stream, "messages": _messages_stream}.get(surface)
        return (label, reader(frames)) if reader else None
    body = _json(content)
    if body is None:
        return None
    return label, _body(surface, body)


def _body(surface: str, body: Any) -> list[str]:
    types = {
        "chat": ("openai.types.chat", "ChatCompletion"),
        "responses": ("openai.types.responses", "Response"),
        "embeddings": ("openai.types", "CreateEmbeddingResponse"),
        "messages": ("anthropic.types", "Message"),
    }
    module, name = types[surface]
    model = getattr(importlib.import_module(module), name)
    return _attempt(f"{name}.model_validate", lambda: model.model_validate(body))


def _chat_stream(frames: list[tuple[str | None, Any]]) -> list[str]:
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state: Any = ChatCompletionStreamState()
    for _name, frame in frames:
        if isinstance(frame, dict) and (frame.get("object") == "error" or "error" in frame):
            continue  # the SDK raises an APIError for it: a documented ending, not a parse failure

        def read(f: Any = frame) -> Any:
            return state.handle_chunk(ChatCompletionChunk.model_validate(f))

        found = _attempt("ChatCompletionChunk", read)
        if found and isinstance(frame, dict) and frame.get("object") == "chat.completion":
            return [f"{found[0]} — {SNAPSHOT_NOTE}"]
        if found:
            return found
    return _attempt("ChatCompletionStreamState.get_final_completion", state.get_final_completion)


def _responses_stream(frames: list[tuple[str | None, Any]]) -> list[str]:
    import openai
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent
    from pydantic import TypeAdapter

    adapter: Any = TypeAdapter(ResponseStreamEvent)
    omit: Any = getattr(openai, "omit", getattr(openai, "NOT_GIVEN", None))
    state = ResponseStreamState(input_tools=omit, text_format=omit)
    for name, frame in frames:
        if name == "error" or (isinstance(frame, dict) and frame.get("type") == "error"):
            continue

        def read(f: Any = frame) -> Any:
            return state.handle_event(adapter.validate_python(f))

        problems = _attempt(f"ResponseStreamState ({name or 'message'})", read)
        if problems:
            return problems
    return []


def _messages_stream(frames: list[tuple[str | None, Any]]) -> list[str]:
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent
    from pydantic import TypeAdapter

    adapter: Any = TypeAdapter(RawMessageStreamEvent)
    snapshot: Any = None
    buffers: dict[int, bytes] = {}
    for name, frame in frames:
        if name not in ANTHROPIC_EVENTS:
            continue
        try:
            event = adapter.validate_python(frame)
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
        except Exception as exc:
            return [f"accumulate_event ({name}): {_describe(exc)}"]
    return []


def _attempt(what: str, action: Callable[[], Any]) -> list[str]:
    try:
        action()
    except Exception as exc:
        return [f"{what}: {_describe(exc)}"]
    return []


def _describe(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            found = errors()
        except Exception:
            found = None
        if found:
            parts = [f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in found[:3]]
            more = f" (+{len(found) - 3} more)" if len(found) > 3 else ""
            return "; ".join(parts) + more
    return f"{type(exc).__name__}: {exc}"[:300]


def _json(content: bytes) -> Any:
    import json

    try:
        return json.loads(content)
    except ValueError:
        return None


@schemathesis.check
def sdk_parses_answers(ctx, response, case):
    if is_probe(case) or not 200 <= response.status_code < 300:
        return None
    surface = surface_of(case.method, case.operation.path)
    if surface is None or (not is_stream(response) and json_body(response) is None):
        return None
    found = parse_problems(surface, response.content or b"", is_stream(response))
    if found is None or not found[1]:
        return None
    label, problems = found
    kind = "stream" if is_stream(response) else "body"
    failure = fail(
        "sdk_parses_answers",
        case,
        f"The {label.split()[0]} SDK cannot read this {kind}",
        f"{label} parses the {kind} with its own types",
        f"{label}: " + "; ".join(problems),
    )
    sink = context_for(case).findings
    if sink is None:
        raise failure
    # A finding, not a breach: reported beside the engine so that the case (and the search
    # for this operation's breaches) goes on.
    sink("sdk_parses_answers", case, response, failure)
    return None
