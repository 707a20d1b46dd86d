"""The outermost middleware: what the gateway's platform does before any route runs.

CORS on every ``/v1`` answer, ``OPTIONS`` → 204, ``GET /`` welcome, percent-encoded path
parameters made routable, body buffering, identity (seed and generation id), and the
server's own address for media URLs; with ``--workers N`` (N > 1), the ``X-Mock-Worker``
header naming the process that answered.

A body is read whole before anything else runs, within ``Settings.max_body_bytes`` and
``Settings.body_timeout_s`` (whose deadline the server's protocol keeps, see
server/serving.py). A request whose body does not arrive whole is never dispatched: too
large → 413, too slow → 408 (both in the route family's envelope, with ``Connection:
close``), the client gone before the end → no answer at all. A malformed ``X-Mock-Seed``
is a 400 the same way. The edge only notes the refusal in the scope; :class:`EdgeRefusals`,
inside Connexion's exception middleware, raises it, so that the journal records the request
and the error handlers render it like any failure. A chunked body, once read, is passed on
with a ``Content-Length`` (Connexion's body validators look only at that header).
"""

from __future__ import annotations

import datetime as dt
import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.encoding.body import json_bytes
from mockserver.errors import GatewayFailure
from mockserver.pipeline.dispatcher import request_generation_id, request_seed
from mockserver.pipeline.runtime import Runtime
from mockserver.scenarios.admin_api import PREFIX as ADMIN_PREFIX
from mockserver.server.cors import cors_headers
from mockserver.server.offload import is_large, run_off_loop_if
from mockserver.server.paths import make_routable
from mockserver.server.scope import header, request_state
from mockserver.state.interface import StateUnavailable

#: The answering worker's process id (``serve --workers N`` with N > 1 only).
WORKER_HEADER = b"x-mock-worker"


def _with_header(send: Send, name: bytes, value: bytes) -> Send:
    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (name, value)]}
        await send(message)

    return send_with_header


class GatewayEdge:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime
        self.base = runtime.surface.index.base_path
        self.cors = cors_headers(runtime.surface.index)
        #: With ``--workers N`` (N > 1) every answer names the worker process that gave it.
        self.worker = str(os.getpid()).encode() if runtime.settings.serving.workers > 1 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.worker is not None:
            send = _with_header(send, WORKER_HEADER, self.worker)
        path = scope.get("path", "")
        in_api = (path == self.base or path.startswith(self.base + "/")) and not is_admin_path(path)
        if scope["method"] == "OPTIONS" and in_api:
            await _send_plain(send, 204, b"", self.cors)
            return
        if path == "/" and scope["method"] in ("GET", "HEAD"):
            await _send_plain(send, 200, _welcome(), [(b"content-type", b"application/json")])
            return
        if in_api:
            make_routable(scope)
        state = request_state(scope)
        settings = self.runtime.settings
        body, refusal = await _read_body(
            receive, scope, settings.serving.max_body_bytes, settings.serving.body_timeout_s
        )
        state.raw_body = body
        state.origin = settings.serving.public_url or server_origin(scope)
        seed_header = header(scope, "x-mock-seed") if in_api else None
        try:
            seed = await run_off_loop_if(is_large(body), self._seed, scope, body, seed_header)
        except GatewayFailure as failure:  # a malformed X-Mock-Seed
            refusal = refusal or failure
            seed = await run_off_loop_if(is_large(body), self._seed, scope, body, None)
        state.seed = seed
        try:
            occurrence = self.runtime.occurrences.next(seed) if in_api else 1
        except StateUnavailable:  # the fleet's Redis is lost: the gateway's 500, in its envelope
            occurrence = 1
            refusal = refusal or GatewayFailure(500, "gateway_error", "gateway_context_failed")
        state.generation_id = request_generation_id(settings, seed, occurrence)
        outgoing = _with_cors(send, self.cors) if in_api else send
        if refusal is not None:
            state.refusal = refusal
            await self.app(scope, _client_gone, outgoing)
            return
        if header(scope, "transfer-encoding") is not None:
            scope = _with_content_length(scope, len(body))
        await self.app(scope, _replay(body, receive), outgoing)

    def _seed(self, scope: Scope, body: bytes, seed_header: str | None) -> int:
        query = scope.get("query_string", b"")
        return request_seed(self.runtime.settings, scope["method"], scope["path"], query, body, seed_header)


def is_admin_path(path: str) -> bool:
    """The mock's own ``/__mock/`` routes: never part of a served surface (no CORS, no seed
    counting), even when the surface is served from the root (provider mode)."""
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


class EdgeRefusals:
    """Answers the requests the edge refused (placed inside Connexion's exception middleware)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = request_state(scope).refusal if scope["type"] == "http" else None
        if refusal is None:
            await self.app(scope, receive, send)
        elif refusal is not CLIENT_GONE:
            raise refusal


#: What the server's protocol hands the edge instead of more body once the body deadline
#: has passed (a disconnect for any other ASGI app: the connection is given up).
BODY_TIMED_OUT: Message = {"type": "http.disconnect", "aistats_body_timed_out": True}

#: The client closed the connection before its request arrived whole: nobody to answer.
CLIENT_GONE = GatewayFailure(400, "incomplete_body", "the client closed the connection before the body arrived whole")


async def _read_body(receive: Receive, scope: Scope, limit: int, timeout: float) -> tuple[bytes, GatewayFailure | None]:
    declared = header(scope, "content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return b"", _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message is BODY_TIMED_OUT:
            description = f"the request body did not arrive whole within {timeout:g} s ({size} bytes received)"
            return b"".join(chunks), GatewayFailure(408, "incomplete_body", description, headers=dict(CLOSE))
        if message["type"] == "http.disconnect":
            return b"".join(chunks), CLIENT_GONE
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _too_large(limit: int) -> GatewayFailure:
    return GatewayFailure(413, "payload_too_large", f"request body exceeds {limit} bytes", headers=dict(CLOSE))


#: The rest of a refused body is never read: the connection cannot carry another request.
CLOSE = {"Connection": "close"}


def _with_content_length(scope: Scope, length: int) -> Scope:
    drop = (b"transfer-encoding", b"content-length")
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in drop]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def server_origin(scope: Scope) -> str:
    """``scheme://host:port`` of the socket the client connected to (not its Host header)."""
    server = scope.get("server") or ("127.0.0.1", None)
    host, port = str(server[0]), server[1]
    if ":" in host:
        host = f"[{host}]"
    scheme = scope.get("scheme", "http")
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


async def _client_gone() -> Message:
    return {"type": "http.disconnect"}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_cors(send: Send, cors: list[tuple[bytes, bytes]]) -> Send:
    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in cors if name not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_cors


async def _send_plain(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _welcome() -> bytes:
    now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    return json_bytes({"message": "Welcome to the AI Stats Gateway API! (aistats-mock)", "timestamp": now})
