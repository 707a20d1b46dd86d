"""Deliberate contract violations, for proving that a conformance tool notices them.

Never on by default: only ``--violate NAME`` (repeatable) turns one on, and the server
says so at start-up. Each breaks exactly one promise of the contract, so a checker run
against the mock with it on must fail where it passed before. Most are reply reshapers
built here; ``ignore_auth`` and ``negative_data_accepted`` act before dispatch and are
carried out by the server layer (mockserver/server/admin.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from mockserver.contract import resolve_ref
from mockserver.model import Chunk, MockReply
from mockserver.scenarios.plan import Reshape
from mockserver.synthesis.context import SynthesisContext

VIOLATIONS: dict[str, str] = {
    "wrong_usage_total": "usage.total_tokens is one more than input + output tokens",
    "pricing_mismatch": "pricing total_nanos is one nano more than the sum of its lines",
    "wrong_error_envelope": "inference errors use the published {ok, error, message} shape, not the real one",
    "sse_missing_done": "streams end without their terminal event (the closing usage chunk or chat.completion "
    "snapshot / response.completed / message_stop, and any [DONE])",
    "sse_bad_order": "the last event of a stream is sent first",
    "wrong_content_type": "JSON and SSE answers are labelled text/plain",
    "missing_required_field": "a required top-level key is left out of JSON answers",
    "extra_field": "JSON answers and stream frames carry an undocumented key x_mock_violation",
    "status_not_documented": "successful answers use status 203, which no operation documents",
    "status_code_mismatch": "the status_code inside inference error bodies differs from the HTTP status",
    "ignore_auth": "requests with a missing or malformed key are served as if authenticated",
    "negative_data_accepted": "requests the schema forbids get a 2xx answer instead of 400",
    "job_status_regresses": "a polled job seen completed is reported in_progress on the next poll",
}
#: Violations the server layer applies before dispatch (no reply reshaper).
SERVER_SIDE = ("ignore_auth", "negative_data_accepted")
EXTRA_KEY = "x_mock_violation"
_PUBLISHED_SHAPE_FAMILIES = ("inference",)


class Violations:
    """The violations in force, and the little memory ``job_status_regresses`` needs."""

    def __init__(self, names: tuple[str, ...] | list[str] = ()):
        unknown = [name for name in names if name not in VIOLATIONS]
        if unknown:
            raise ValueError(f"unknown violation(s) {', '.join(unknown)}; known: {', '.join(VIOLATIONS)}")
        self.active = tuple(dict.fromkeys(names))
        self._jobs_seen: dict[str, str] = {}
        self._lock = threading.Lock()

    def __contains__(self, name: str) -> bool:
        return name in self.active

    def reset(self) -> None:
        with self._lock:
            self._jobs_seen.clear()

    def reshapers(self, ctx: SynthesisContext) -> list[Reshape]:
        if not self.active:
            return []
        makers: dict[str, Callable[[SynthesisContext], Reshape]] = {
            "wrong_usage_total": lambda c: _on_json(_bump_usage_total),
            "pricing_mismatch": lambda c: _on_json(_bump_pricing_total),
            "wrong_error_envelope": _published_error_shape,
            "sse_missing_done": lambda c: _on_stream(_drop_terminal),
            "sse_bad_order": lambda c: _on_stream(_last_first),
            "wrong_content_type": lambda c: _relabel,
            "missing_required_field": _drop_required,
            "extra_field": lambda c: _on_json(_add_extra, first_frame_only=True),
            "status_not_documented": _undocumented_status,
            "status_code_mismatch": lambda c: _status_code_mismatch,
            "job_status_regresses": self._regress_jobs,
        }
        return [makers[name](ctx) for name in self.active if name in makers]

    def _regress_jobs(self, ctx: SynthesisContext) -> Reshape:
        def reshape(reply: MockReply) -> MockReply:
            body = reply.body
            if ctx.operation.family != "job" or not isinstance(body, dict) or "status" not in body:
                return reply
            key = str(body.get("id"))
            with self._lock:
                seen = self._jobs_seen.get(key)
                self._jobs_seen[key] = body["status"]
            if seen == "completed" and body["status"] == "completed":
                reply.body = {**body, "status": "in_progress"}
            return reply

        return reshape


# ---- JSON bodies and stream frames -------------------------------------------------------


def _on_json(change: Callable[[Any], None], *, first_frame_only: bool = False) -> Reshape:
    """Apply ``change`` (in place) to a JSON body, or to the JSON frames of a stream."""

    def reshape(reply: MockReply) -> MockReply:
        if isinstance(reply.body, (dict, list)) and reply.status < 400:
            change(reply.body)
        elif reply.stream is not None and reply.status < 400:
            reply.stream = _map_frames(reply.stream, change, first_frame_only)
        return reply

    return reshape


def _map_frames(stream, change, first_only: bool):
    changed = False
    for chunk in stream:
        if chunk.data and not (first_only and changed):
            data, done = _rewrite_sse(chunk.data, change)
            changed = changed or done
            chunk = Chunk(data, chunk.delay, chunk.action)
        yield chunk


def _rewrite_sse(data: bytes, change) -> tuple[bytes, bool]:
    lines, done = [], False
    for line in data.decode("utf-8").split("\n"):
        if line.startswith("data: {"):
            frame = json.loads(line[len("data: ") :])
            change(frame)
            line, done = "data: " + json.dumps(frame, separators=(",", ":"), ensure_ascii=False), True
        lines.append(line)
    return "\n".join(lines).encode("utf-8"), done


def _walk(value: Any):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _bump_usage_total(body: Any) -> None:
    for node in _walk(body):
        if isinstance(node.get("total_tokens"), int) and ("input_tokens" in node or "prompt_tokens" in node):
            node["total_tokens"] += 1


def _bump_pricing_total(body: Any) -> None:
    for node in _walk(body):
        if isinstance(node.get("total_nanos"), int) and isinstance(node.get("lines"), list):
            node["total_nanos"] += 1


def _add_extra(body: Any) -> None:
    if isinstance(body, dict):
        body[EXTRA_KEY] = True


# ---- whole streams ---------------------------------------------------------------------


def _on_stream(change: Callable[[list[Chunk]], list[Chunk]]) -> Reshape:
    def reshape(reply: MockReply) -> MockReply:
        if reply.stream is not None and reply.status < 400:
            reply.stream = change(list(reply.stream))
        return reply

    return reshape


def _json_frame_positions(chunks: list[Chunk]) -> list[int]:
    return [i for i, chunk in enumerate(chunks) if b"data: {" in chunk.data]


def _drop_terminal(chunks: list[Chunk]) -> list[Chunk]:
    positions = _json_frame_positions(chunks)
    return chunks[: positions[-1]] if positions else chunks


def _last_first(chunks: list[Chunk]) -> list[Chunk]:
    positions = _json_frame_positions(chunks)
    if len(positions) < 2:
        return chunks
    last = chunks[positions[-1]]
    rest = chunks[: positions[-1]] + chunks[positions[-1] + 1 :]
    return [Chunk(last.data, rest[0].delay if rest else 0.0)] + [
        Chunk(c.data, 0.0 if i == 0 else c.delay, c.action) for i, c in enumerate(rest)
    ]


# ---- status, labels and shapes -----------------------------------------------------------


def _relabel(reply: MockReply) -> MockReply:
    if reply.media_type in ("application/json", "text/event-stream") or reply.media_type.endswith("+json"):
        if reply.stream is None and reply.content is None:
            body = reply.body
            reply.content = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        reply.media_type = "text/plain"
    return reply


def _published_error_shape(ctx: SynthesisContext) -> Reshape:
    def reshape(reply: MockReply) -> MockReply:
        body = reply.body
        family = ctx.operation.family
        if reply.status >= 400 and isinstance(body, dict) and family in _PUBLISHED_SHAPE_FAMILIES:
            reply.body = {"ok": False, "error": body.get("error"), "message": body.get("description", "")}
        return reply

    return reshape


def _status_code_mismatch(reply: MockReply) -> MockReply:
    body = reply.body
    if reply.status >= 400 and isinstance(body, dict) and isinstance(body.get("status_code"), int):
        reply.body["status_code"] = 500 if reply.status != 500 else 502
    return reply


def _undocumented_status(ctx: SynthesisContext) -> Reshape:
    def reshape(reply: MockReply) -> MockReply:
        if reply.status < 300 and not ctx.operation.documents(203):
            reply.status = 203
        return reply

    return reshape


def _drop_required(ctx: SynthesisContext) -> Reshape:
    def reshape(reply: MockReply) -> MockReply:
        if isinstance(reply.body, dict) and reply.body:
            required = _required_keys(ctx, reply)
            victim = next((key for key in required if key in reply.body), next(iter(reply.body)))
            reply.body = {key: value for key, value in reply.body.items() if key != victim}
        return reply

    return reshape


def _required_keys(ctx: SynthesisContext, reply: MockReply) -> list[str]:
    response = ctx.operation.response(reply.status)
    media = response.media_types.get(reply.media_type) if response else None
    schema = resolve_ref(ctx.index.spec, media.schema) if media and media.schema else {}
    required = list(schema.get("required", []))
    for part in schema.get("allOf", []):
        required += resolve_ref(ctx.index.spec, part).get("required", [])
    return required
