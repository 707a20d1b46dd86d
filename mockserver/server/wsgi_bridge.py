"""FlaskApp's WSGI bridge, made safe for long streams whose client goes away.

a2wsgi runs the Flask app in a thread pool and hands each chunk to the event loop
through a bounded queue. When the client disconnects mid-stream, nothing drains that
queue any more: the worker thread producing a paced stream blocks forever, and the
process can no longer exit (the pool's threads are joined at interpreter exit). This
bridge gives every hand-over a bounded wait and abandons the stream once the sending
side is gone, so the generator is closed and the thread returns to the pool.
"""

from __future__ import annotations

import asyncio
import concurrent.futures

from a2wsgi.wsgi import WSGIMiddleware, WSGIResponder

#: How often a blocked hand-over re-checks whether the client is still being served.
POLL_SECONDS = 0.5


class ClientGone(ConnectionAbortedError):
    """The response's consumer stopped: stop producing it."""


class _Responder(WSGIResponder):
    sender_finished = False

    async def sender(self, send) -> None:
        try:
            await super().sender(send)
        finally:
            self.sender_finished = True

    def send(self, message) -> None:
        if self.sender_finished or self.loop.is_closed():
            raise ClientGone("the response is no longer being sent")
        future = asyncio.run_coroutine_threadsafe(self.send_queue.put(message), loop=self.loop)
        while True:
            try:
                future.result(timeout=POLL_SECONDS)
                return
            except concurrent.futures.TimeoutError:
                if self.sender_finished or self.loop.is_closed():
                    future.cancel()
                    raise ClientGone("the response is no longer being sent") from None


class StreamSafeWSGIMiddleware(WSGIMiddleware):
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            responder = _Responder(self.app, self.executor, self.send_queue_size)
            return await responder(scope, receive, send)
        return await super().__call__(scope, receive, send)
