"""A :class:`MockReply` as a Starlette (AsyncApp) or Flask (FlaskApp) response.

Streams are paced here, with ``asyncio.sleep`` on the event loop or ``time.sleep`` in
Flask's worker thread; frames are flushed as they are produced. Each frame is due at the
stream's start plus the delays of the frames up to it (a schedule, not a sleep after each
send), so the time spent producing and sending frames, and a busy event loop's lateness,
do not add up over a stream: a client sees the requested tokens/s (bench/streams.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

from mockserver.encoding.body import reply_bytes
from mockserver.model import MockReply

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class ConnectionReset(Exception):
    """Raised inside a stream to make the server drop the connection (a fault scenario)."""


def _headers(reply: MockReply) -> dict[str, str]:
    headers = dict(reply.headers)
    if reply.stream is not None:  # the reply's own (a replayed cassette's, lower-cased) win
        present = {name.lower() for name in headers}
        headers = {**{k: v for k, v in STREAM_HEADERS.items() if k.lower() not in present}, **headers}
    return headers


def _content_type(reply: MockReply) -> str:
    given = next((value for name, value in reply.headers.items() if name.lower() == "content-type"), None)
    if given is not None:  # as recorded (a replayed cassette), charset or not
        return given
    if reply.media_type.startswith("text/") and "charset" not in reply.media_type:
        return f"{reply.media_type}; charset=utf-8"
    return reply.media_type


async def _paced_async(reply: MockReply) -> AsyncIterator[bytes]:
    clock = asyncio.get_running_loop().time
    due = clock()
    for chunk in reply.chunks():
        if chunk.delay > 0:
            due += chunk.delay
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait)
        if chunk.action == "reset":
            raise ConnectionReset("connection_reset scenario")
        if chunk.data:
            yield chunk.data


def _paced_sync(reply: MockReply) -> Iterator[bytes]:
    due = time.monotonic()
    for chunk in reply.chunks():
        if chunk.delay > 0:
            due += chunk.delay
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        if chunk.action == "reset":
            raise ConnectionReset("connection_reset scenario")
        if chunk.data:
            yield chunk.data


def to_starlette(reply: MockReply):
    from starlette.responses import Response, StreamingResponse

    if reply.stream is not None:
        return StreamingResponse(
            _paced_async(reply), status_code=reply.status, headers=_headers(reply), media_type=_content_type(reply)
        )
    return Response(
        reply_bytes(reply),
        status_code=reply.status,
        headers=_headers(reply),
        media_type=_content_type(reply) if reply.media_type else None,
    )


def to_flask(reply: MockReply):
    import flask

    if reply.stream is not None:
        return flask.Response(
            _paced_sync(reply), status=reply.status, headers=_headers(reply), content_type=_content_type(reply)
        )
    return flask.Response(
        reply_bytes(reply),
        status=reply.status,
        headers=_headers(reply),
        content_type=_content_type(reply) if reply.media_type else None,
    )


async def initial_delay(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)
