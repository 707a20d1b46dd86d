"""Reply reshapers that slow down or break an answer after it was synthesized.

Each function returns a ``Reshape`` (reply → reply) for a :class:`ScenarioPlan`. They
work on the :class:`Chunk` stream the server layer paces, so both Connexion frameworks
break the same way: a pause is a chunk ``delay``, a dropped socket is a chunk with
``action="reset"`` (the server raises ``ConnectionReset`` and uvicorn closes the
connection without finishing the body).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from mockserver.encoding.body import reply_bytes
from mockserver.model import Chunk, MockReply
from mockserver.scenarios.plan import Reshape


def added_delay(ms: float) -> Reshape:
    """Wait ``ms`` more before the first byte (``slow``, latency, ``upstream_timeout``)."""

    def reshape(reply: MockReply) -> MockReply:
        reply.delay += ms / 1000.0
        return reply

    return reshape


def interrupted(after: int, error_frame: bytes) -> Reshape:
    """Send ``after`` frames, then the surface's error frame, then end the stream."""

    def reshape(reply: MockReply) -> MockReply:
        if reply.stream is not None and reply.status < 400:
            reply.stream = _cut(reply.stream, after, [Chunk(error_frame)])
        return reply

    return reshape


def stalled(after: int, stall_ms: float) -> Reshape:
    """Send ``after`` frames, pause ``stall_ms``, then carry on as if nothing happened."""

    def reshape(reply: MockReply) -> MockReply:
        if reply.stream is not None and reply.status < 400:
            reply.stream = _pause(reply.stream, after, stall_ms / 1000.0)
        return reply

    return reshape


def reset(after: int) -> Reshape:
    """Drop the connection mid-answer: after ``after`` frames of a stream, or half-way
    through a plain body (its full ``Content-Length`` announced, half of it sent)."""

    def reshape(reply: MockReply) -> MockReply:
        if reply.stream is not None:
            reply.stream = _cut(reply.stream, after, [Chunk(b"", action="reset")])
            return reply
        body = reply_bytes(reply)
        reply.headers["Content-Length"] = str(len(body))
        reply.stream = [Chunk(body[: len(body) // 2]), Chunk(b"", action="reset")]
        reply.content, reply.body = body, None
        return reply

    return reshape


def _cut(stream: Iterable[Chunk], after: int, tail: list[Chunk]) -> Iterator[Chunk]:
    sent = 0
    for chunk in stream:
        if sent >= after:
            break
        yield chunk
        sent += 1 if chunk.data else 0
    yield from tail


def _pause(stream: Iterable[Chunk], after: int, seconds: float) -> Iterator[Chunk]:
    sent, paused = 0, False
    for chunk in stream:
        if not paused and sent >= after:
            paused = True
            chunk = Chunk(chunk.data, chunk.delay + seconds, chunk.action)
        yield chunk
        sent += 1 if chunk.data else 0
    if not paused:
        yield Chunk(b"", seconds)
