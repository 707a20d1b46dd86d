"""SSE answers per surface: frames parse, match their event schema, come in a legal
order, carry usage in the final frame and end properly (GATEWAY-BEHAVIOUR §5)."""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance import sse
from conformance.checks._support import fail, is_probe, is_stream, register
from conformance.checks.stream_endings import RESPONSES_TERMINAL, terminal_problem
from conformance.context import context_for
from mockserver.contract import resolve_ref
from mockserver.validation.schemas import X_JSON

register("sse_frames_parse", "every SSE block is well-formed and its data is JSON (or [DONE])")
register("sse_events_match_schema", "each event and its decoded JSON validate against the event schema")
register("sse_event_order_legal", "events follow the surface's order (created…completed, start…stop)")
register("sse_usage_in_final_frame", "usage arrives in the stream's final frame")
register(
    "sse_stream_terminates",
    "the stream ends with a complete block on a documented terminal event (one that just stops is a breach)",
)


def surface(case: Any) -> str:
    path = case.operation.path
    if path.endswith("/chat/completions"):
        return "chat"
    if path.endswith("/responses"):
        return "responses"
    if path.endswith("/messages"):
        return "messages"
    return "other"


def _stream(response: Any) -> sse.Stream | None:
    if not is_stream(response) or not 200 <= response.status_code < 300:
        return None
    return sse.parse(response.content or b"")


def _cut_short(response: Any) -> bool:
    return bool(getattr(response, "stream_cut_short", False))


@schemathesis.check
def sse_frames_parse(ctx, response, case):
    if is_probe(case):
        return None
    stream = _stream(response)
    if stream is None:
        return None
    if stream.bad_lines:
        raise fail(
            "sse_frames_parse",
            case,
            "Malformed SSE line",
            "`event:`, `data:`, `id:` or `:` lines",
            stream.bad_lines[0],
        )
    if not stream.events:
        raise fail("sse_frames_parse", case, "Empty event stream", "at least one event", "no events")
    for event in stream.events:
        if event.is_done:
            continue
        try:
            event.json()
        except ValueError:
            raise fail(
                "sse_frames_parse", case, "SSE data is not JSON", "compact JSON or [DONE]", event.data[:200]
            ) from None
    return None


@schemathesis.check
def sse_events_match_schema(ctx, response, case):
    if is_probe(case):
        return None
    stream = _stream(response)
    context = context_for(case)
    operation = context.operation(case)
    doc = operation.response(response.status_code) if operation else None
    media = doc.media_types.get("text/event-stream") if doc else None
    if stream is None or media is None or media.schema is None:
        return None
    branches = _branches(context.spec, media.schema)
    for event in stream.events:
        problem = _event_problem(context, media.schema, branches, event)
        if problem:
            raise fail("sse_events_match_schema", case, "SSE event violates its schema", problem[0], problem[1])
    return None


def _branches(spec: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    schema = resolve_ref(spec, schema)
    parts = schema.get("oneOf") or schema.get("anyOf") if isinstance(schema, dict) else None
    if not parts:
        return [schema] if isinstance(schema, dict) else []
    return [branch for part in parts for branch in _branches(spec, part)]


def _event_problem(context, schema, branches, event: sse.Event) -> tuple[str, str] | None:
    view = event.as_dict()
    errors = context.compiler.errors(schema, view)
    if errors:
        return (
            f"an event valid against {schema.get('$ref', 'the event schema')}",
            f"{view['event']}: {errors[0].render()}",
        )
    frame_schemas = [
        branch["properties"]["data"][X_JSON]
        for branch in branches
        if _names(context.spec, branch, view["event"]) and X_JSON in branch.get("properties", {}).get("data", {})
    ]
    if not frame_schemas or event.is_done:
        return None
    try:
        frame = event.json()
    except ValueError:
        return ("JSON data", event.data[:200])
    frame_errors = [context.compiler.errors(frame_schema, frame) for frame_schema in frame_schemas]
    if all(frame_errors):
        first = frame_errors[0][0]
        return (
            f"`{view['event']}` data valid against {frame_schemas[0].get('$ref', 'its schema')}",
            first.render(),
        )
    return None


def _names(spec: dict[str, Any], branch: dict[str, Any], name: str) -> bool:
    event = resolve_ref(spec, branch.get("properties", {}).get("event", {}))
    allowed = event.get("enum") if isinstance(event, dict) else None
    return allowed is None or name in allowed


@schemathesis.check
def sse_event_order_legal(ctx, response, case):
    if is_probe(case):
        return None
    stream = _stream(response)
    if stream is None:
        return None
    order = {"chat": _chat_order, "responses": _responses_order, "messages": _messages_order}.get(surface(case))
    problem = order(stream) if order else None
    if problem:
        raise fail("sse_event_order_legal", case, "Illegal SSE event order", problem[0], problem[1])
    return None


def _chat_order(stream: sse.Stream) -> tuple[str, str] | None:
    events = stream.events
    for position, event in enumerate(events):
        last = position == len(events) - 1
        if event.event not in (None, "message"):
            return ("no `event:` names on chat streams", f"event: {event.event}")
        if event.is_done and not last:
            return ("[DONE] only as the last event", f"[DONE] at {position + 1} of {len(events)}")
        frame = _json(event)
        final = isinstance(frame, dict) and (
            frame.get("object") in ("error", "chat.completion") or isinstance(frame.get("usage"), dict)
        )
        following = [later for later in events[position + 1 :] if not later.is_done]
        if final and following:
            kind = frame.get("object") if frame.get("object") in ("error", "chat.completion") else "usage"
            return (f"the `{kind}` frame last (only [DONE] after it)", f"{len(following)} events after it")
    return None


def _responses_order(stream: sse.Stream) -> tuple[str, str] | None:
    names = [event.event or "message" for event in stream.events]
    if names and names[0] not in ("response.created", "error"):
        return ("`response.created` first", names[0])
    for position, name in enumerate(names):
        if name in RESPONSES_TERMINAL and position != len(names) - 1:
            return (f"`{name}` last", f"followed by {names[position + 1]}")
        if name == "response.in_progress" and any(n.startswith("response.output") for n in names[:position]):
            return ("`response.in_progress` before any output event", f"at {position + 1}")
    return _items_order(stream)


def _items_order(stream: sse.Stream) -> tuple[str, str] | None:
    added, done = set(), set()
    for event in stream.events:
        frame = _json(event) or {}
        index = frame.get("output_index") if isinstance(frame, dict) else None
        name = event.event or ""
        if index is None:
            continue
        if name == "response.output_item.added":
            added.add(index)
        elif name == "response.output_item.done":
            if index not in added:
                return (f"output_item.added before output_item.done for item {index}", "done without added")
            done.add(index)
        elif name.startswith("response.") and index in done:
            return (f"no `{name}` for item {index} after its output_item.done", name)
    return None


def _messages_order(stream: sse.Stream) -> tuple[str, str] | None:
    names = [event.event or "message" for event in stream.events]
    meaningful = [n for n in names if n != "ping"]
    if meaningful and meaningful[0] not in ("message_start", "error"):
        return ("`message_start` first", meaningful[0])
    open_blocks: set[Any] = set()  # content block indexes as the frames give them
    seen_delta = False
    for event in stream.events:
        name, frame = event.event or "message", _json(event) or {}
        index = frame.get("index") if isinstance(frame, dict) else None
        if name == "content_block_start":
            if seen_delta:
                return ("content blocks before `message_delta`", "content_block_start after message_delta")
            open_blocks.add(index)
        elif name in ("content_block_delta", "content_block_stop") and index not in open_blocks:
            return (f"content_block_start before {name} (index {index})", f"{name} of an unopened block")
        elif name == "content_block_stop":
            open_blocks.discard(index)
        elif name == "message_delta":
            if open_blocks:
                return (
                    "every content block stopped before `message_delta`",
                    f"open blocks {sorted(open_blocks)}",
                )
            seen_delta = True
    if "message_stop" in names and names[-1] != "message_stop":
        return ("`message_stop` last", names[-1])
    return None


def _json(event: sse.Event) -> Any:
    if event.is_done:
        return None
    try:
        return event.json()
    except ValueError:
        return None


@schemathesis.check
def sse_usage_in_final_frame(ctx, response, case):
    if is_probe(case):
        return None
    stream = _stream(response)
    kind = surface(case)
    if stream is None or kind == "other" or _cut_short(response):
        return None
    frames = stream.json_frames()
    if not frames or _is_error(frames[-1]) or not usage_expected(case):
        return None
    event, frame = _final_usage_frame(kind, frames)
    if event is None:
        raise fail(
            "sse_usage_in_final_frame",
            case,
            "Stream without final usage",
            _FINAL_USAGE[kind],
            f"last event `{frames[-1][0].event or 'message'}` without usage",
        )
    return None


_FINAL_USAGE = {
    "chat": "`usage` in the last JSON frame",
    "responses": "`response.usage` in `response.completed`",
    "messages": "`usage` in the `message_delta` before `message_stop`",
}


def _final_usage_frame(kind: str, frames: list[tuple[sse.Event, Any]]):
    if kind == "chat":
        event, frame = frames[-1]
        return (event, frame) if isinstance(frame, dict) and isinstance(frame.get("usage"), dict) else (None, None)
    if kind == "responses":
        event, frame = frames[-1]
        response = frame.get("response") if isinstance(frame, dict) else None
        ok = (
            event.event == "response.completed"
            and isinstance(response, dict)
            and isinstance(response.get("usage"), dict)
        )
        return (event, frame) if ok else (None, None)
    deltas = [(e, f) for e, f in frames if e.event == "message_delta"]
    if deltas and isinstance(deltas[-1][1], dict) and isinstance(deltas[-1][1].get("usage"), dict):
        return deltas[-1]
    return None, None


def _is_error(frame: tuple[sse.Event, Any]) -> bool:
    event, data = frame
    return event.event == "error" or (
        isinstance(data, dict)
        and (data.get("object") == "error" or data.get("type") == "error" or event.event == "response.failed")
    )


@schemathesis.check
def sse_stream_terminates(ctx, response, case):
    if is_probe(case):
        return None
    stream = _stream(response)
    if stream is None or _cut_short(response):
        return None
    if not stream.complete:
        tail = (response.content or b"")[-80:].decode("utf-8", errors="replace")
        raise fail(
            "sse_stream_terminates",
            case,
            "Stream cut mid-event",
            "the body ends with a blank line",
            repr(tail),
        )
    problem = terminal_problem(surface(case), stream, usage_expected(case))
    if problem:
        raise fail("sse_stream_terminates", case, "Stream does not end on a terminal event", problem[0], problem[1])
    return None


def usage_expected(case: Any) -> bool:
    """Whether the contract promises usage for this request (``x-aistats-usage: on-request``
    operations only send it when the body asks with ``usage: true``)."""
    operation = context_for(case).operation(case)
    if operation is None or operation.extension("usage") != "on-request":
        return True
    body = case.body if isinstance(getattr(case, "body", None), dict) else {}
    return body.get("usage") is True
