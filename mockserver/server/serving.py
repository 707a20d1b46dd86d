"""Run the mock with uvicorn, protected against clients that hold connections.

uvicorn waits for a request's headers for ever and keeps every connection it accepts, so
200 slowloris or 500 silent connections were all held. :class:`GuardedProtocol` (uvicorn's
httptools protocol) adds what the gateway's edge has:

- a **header timeout**: a new connection must complete its request headers within
  ``Settings.header_timeout_s``, and so must each further request on a kept-alive one;
  a client that sent part of its headers gets a 408 in the control envelope, a silent one
  is closed;
- a **body timeout**: a body must arrive whole within ``Settings.body_timeout_s`` of the
  first read that left it incomplete; then the edge middleware, waiting for it, is told
  so (:data:`~mockserver.server.edge.BODY_TIMED_OUT`) and answers 408 in the route
  family's envelope;
- a **connection cap**: above ``Settings.max_connections`` the connections that serve no
  request (idle keep-alive ones, silent ones, slow headers) are closed, longest idle first,
  so that a new client is still served; only when every connection has a request in
  flight does the newcomer get a 503.

:func:`make_server` builds the uvicorn server for ``aistats-mock serve`` and the tests, and
calls ``on_ready`` once the socket accepts connections.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockserver.encoding.body import reply_bytes
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.server.edge import BODY_TIMED_OUT
from mockserver.settings import Settings

#: What a connection's timer waits for while a request's headers are incomplete.
HEADERS = "headers"


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body timeouts and a connection cap.

    Timers are armed lazily: only when a read leaves a request's headers or body
    incomplete (or a new connection has sent nothing yet), so the usual request, whose
    headers and body arrive in one read, costs no timer at all.
    """

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000
    timeout_answer: bytes = b""
    busy_answer: bytes = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.timer: asyncio.TimerHandle | None = None
        self.waiting_for: object = None
        self.in_headers = False
        self.last_active = self.loop.time()
        super().connection_made(transport)
        self._wait_for(HEADERS, self.header_timeout)
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._wait_for(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.last_active = self.loop.time()
        super().data_received(data)
        if self.transport.is_closing():
            self._wait_for(None)
        elif self.in_headers:
            self._wait_for(HEADERS, self.header_timeout)
        elif self._body_pending():
            if self.waiting_for is not self.cycle:
                # Still before the request task's first step: it will read through this.
                # uvicorn's cycle has no hook for this: its bound receive is wrapped in place.
                self.cycle.receive = _with_body_deadline(self.cycle, self.cycle.receive)  # type: ignore[method-assign]
            self._wait_for(self.cycle, self.body_timeout)
        else:
            self._wait_for(None)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_headers = True

    def on_headers_complete(self) -> None:
        self.in_headers = False
        super().on_headers_complete()

    def serves_nobody(self) -> bool:
        """No request of this connection is being answered (idle, silent or mid-headers)."""
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    # ---- timeouts ----------------------------------------------------------------------

    def _body_pending(self) -> bool:
        cycle = self.cycle
        return cycle is not None and cycle.more_body and not cycle.response_complete

    def _wait_for(self, what: object, seconds: float = 0.0) -> None:
        """Keep (or start) the deadline for ``what`` ("headers", or the request cycle whose
        body is awaited); ``None`` stops waiting."""
        if what is self.waiting_for:
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.waiting_for = what
        if what is not None:
            self.timer = self.loop.call_later(seconds, self._timed_out)

    def _timed_out(self) -> None:
        what, self.timer, self.waiting_for = self.waiting_for, None, None
        if self.transport.is_closing():
            return
        if what is self.cycle and self._body_pending():
            setattr(self.cycle, "body_timed_out", True)  # noqa: B010 (read by _with_body_deadline: 408)
            self.cycle.message_event.set()
        elif what is HEADERS and self.serves_nobody():
            if self.in_headers:
                self.transport.write(self.timeout_answer)
            self.transport.close()

    # ---- connection cap ----------------------------------------------------------------

    def _make_room(self) -> None:
        open_ones = [c for c in self.connections if not c.transport.is_closing()]
        excess = len(open_ones) - self.max_connections
        if excess <= 0:
            return
        idle = sorted(
            (c for c in open_ones if c is not self and isinstance(c, GuardedProtocol) and c.serves_nobody()),
            key=lambda c: c.last_active,
        )
        for victim in idle[:excess]:
            victim.transport.close()
        if len(idle) < excess:
            self.transport.write(self.busy_answer)
            self.transport.close()


def _with_body_deadline(cycle, receive):
    """``receive`` that reports a body past its deadline as :data:`BODY_TIMED_OUT`."""

    async def receive_within_deadline():
        message = await receive()
        if getattr(cycle, "body_timed_out", False):
            return BODY_TIMED_OUT
        return message

    return receive_within_deadline


def protocol_class(settings: Settings, dialect: str | None = None) -> type[GuardedProtocol]:
    """A :class:`GuardedProtocol` bound to these settings (one class per server)."""
    timeout = GatewayFailure(
        408,
        "incomplete_headers",
        f"the request headers did not arrive whole within {settings.header_timeout_s:g} s",
    )
    busy = GatewayFailure(
        503,
        "server_busy",
        f"all {settings.max_connections} connections are serving requests",
        reason="connection_limit",
    )
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {
            "header_timeout": settings.header_timeout_s,
            "body_timeout": settings.body_timeout_s,
            "max_connections": settings.max_connections,
            "timeout_answer": _raw_answer(timeout, dialect),
            "busy_answer": _raw_answer(busy, dialect),
        },
    )


def _raw_answer(failure: GatewayFailure, dialect: str | None) -> bytes:
    """A whole HTTP/1.1 answer in the control envelope, for a request that has no route yet."""
    reply = render_failure(failure, "control", "", dialect)
    body = reply_bytes(reply)
    reason = {408: b"Request Timeout", 503: b"Service Unavailable"}[failure.status]
    head = [b"HTTP/1.1 %d %s" % (failure.status, reason), b"content-type: application/json"]
    head += [f"{name.lower()}: {value}".encode("latin-1") for name, value in reply.headers.items()]
    head += [b"content-length: %d" % len(body), b"connection: close", b"", b""]
    return b"\r\n".join(head) + body


class MockServer(uvicorn.Server):
    """A uvicorn server that calls ``on_ready`` once its sockets accept connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None = None):
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.on_ready is not None:
            self.on_ready()


#: How long a thread keeps the interpreter before another may take it (Python's default:
#: 5 ms). While a worker thread answers a heavy request, the event loop needs the
#: interpreter back after each wait for the network; at 1 ms, a /v1/health probe behind a
#: 2,048-input embeddings request took a p50 of 2.4 ms instead of 6.2 ms (bench/event_loop.py).
SWITCH_INTERVAL_S = 0.001


def share_the_interpreter_finely() -> None:
    """Set :data:`SWITCH_INTERVAL_S` for this process (the CLI's AsyncApp server only: under
    FlaskApp every request runs in a worker thread, and there the gain was not measured)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def make_server(
    app: Any,
    *,
    log_level: str = "warning",
    graceful_seconds: float = 2,
    on_ready: Callable[[], None] | None = None,
) -> MockServer:
    """The uvicorn server for ``app`` (its settings from ``app.runtime``, else the defaults)."""
    runtime = getattr(app, "runtime", None)
    settings = runtime.settings if runtime is not None else Settings()
    dialect = runtime.surface.index.dialect if runtime is not None else None
    config = uvicorn.Config(
        app,
        http=protocol_class(settings, dialect),
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=int(graceful_seconds),
        # X-Forwarded-* from a loopback client would otherwise rewrite the client address and
        # scheme the admin gate and media URLs read; behind a proxy, use --public-url.
        proxy_headers=False,
    )
    return MockServer(config, on_ready)
