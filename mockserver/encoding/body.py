"""Bytes on the wire: JSON bodies (compact or pretty), SSE frames."""

from __future__ import annotations

import json
from typing import Any

import orjson

from mockserver.model import MockReply


def json_bytes(value: Any, *, pretty: bool = False) -> bytes:
    """UTF-8 JSON, compact or indented by two spaces (the layout of ``json.dumps(indent=2)``).

    orjson does the work (the standard library's indented encoder is pure Python: ~2.3 ms
    against ~0.04 ms for the 45 KB models list); values orjson refuses (integers beyond
    64 bits, non-string keys) go through ``json``.
    """
    if not pretty and _has_long_list(value):
        return _in_batches(value)
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)
    except TypeError:
        if pretty:
            return json.dumps(value, indent=2, ensure_ascii=False).encode()
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


#: A top-level list longer than this (2,048 embeddings: 60 MB of JSON) is encoded
#: :data:`BATCH_ITEMS` items at a time. The bytes are the same; one orjson call on the
#: whole would hold the interpreter for hundreds of ms, stalling the server's event loop.
LONG_LIST = 256
BATCH_ITEMS = 32


def _has_long_list(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and any(isinstance(item, list) and len(item) > LONG_LIST for item in value.values())
        and all(isinstance(key, str) for key in value)
    )


def _in_batches(value: dict[str, Any]) -> bytes:
    pieces: list[bytes] = []
    for key, item in value.items():
        pieces += [b",", json_bytes(key), b":"]
        if isinstance(item, list) and len(item) > LONG_LIST:
            pieces.append(b"[")
            for start in range(0, len(item), BATCH_ITEMS):
                pieces += [json_bytes(item[start : start + BATCH_ITEMS])[1:-1], b","]
            pieces[-1] = b"]"
        else:
            pieces.append(json_bytes(item))
    pieces[0] = b"{"
    pieces.append(b"}")
    return b"".join(pieces)


def sse_frame(data: Any, event: str | None = None) -> bytes:
    """One SSE block: an optional ``event:`` line, a ``data:`` line, a blank line."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def reply_bytes(reply: MockReply) -> bytes:
    """The whole body of a non-streamed reply."""
    if reply.content is not None:
        return reply.content
    if reply.body is None:
        return b""
    if isinstance(reply.body, str) and not reply.media_type.endswith("json"):
        return reply.body.encode()
    return json_bytes(reply.body, pretty=reply.pretty)
