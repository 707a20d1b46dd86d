"""Stream frames mapped lazily, chunk by chunk, keeping each chunk's pacing and action.

A gateway stream is a sequence of :class:`Chunk`\\ s, each holding whole SSE frames. A
dialect gives a :class:`FrameMapper`: it sees every frame in order (``event`` name, JSON
``data`` or None for a non-JSON frame such as ``[DONE]``, and the raw block) and returns
the bytes to send instead; ``close`` returns what goes after the last frame. Each output
chunk keeps its input's delay and action, so a paced stream stays paced and a broken one
breaks at the same frame.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.encoding.body import sse_frame
from mockserver.model import Chunk


@dataclass(frozen=True)
class Frame:
    event: str | None
    #: The parsed JSON payload, or None when the payload is not a JSON object.
    data: dict[str, Any] | None
    #: The payload as sent (``[DONE]`` for the literal end frame).
    raw: bytes


class FrameMapper(Protocol):
    def frame(self, frame: Frame) -> bytes:
        """The bytes sent for ``frame`` (empty: dropped)."""

    def close(self) -> bytes:
        """The bytes sent after the stream's last frame."""


def parse_frames(data: bytes) -> Iterator[Frame]:
    """The SSE frames of one chunk."""
    for block in data.replace(b"\r\n", b"\n").split(b"\n\n"):
        if not block.strip():
            continue
        lines = block.split(b"\n")
        payload = b"\n".join(line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:"))
        event = next((line[6:].strip().decode() for line in lines if line.startswith(b"event:")), None)
        parsed = _json_object(payload)
        yield Frame(event, parsed, payload)


def _json_object(payload: bytes) -> dict[str, Any] | None:
    if not payload.startswith(b"{"):
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def mapped_stream(chunks: Iterable[Chunk], mapper: FrameMapper) -> Iterator[Chunk]:
    """``chunks`` with every frame mapped by ``mapper``, lazily; the closing bytes last.

    A chunk that resets the connection ends the stream there (nothing is closed after it).
    """
    for chunk in chunks:
        data = b"".join(mapper.frame(frame) for frame in parse_frames(chunk.data))
        yield Chunk(data=data, delay=chunk.delay, action=chunk.action)
        if chunk.action == "reset":
            return
    tail = mapper.close()
    if tail:
        yield Chunk(data=tail)


def data_frame(data: Any, event: str | None = None) -> bytes:
    """One SSE frame: ``event:`` when named, then one ``data:`` line of compact JSON."""
    return sse_frame(data, event)
