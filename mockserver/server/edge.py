"""The outermost middleware: what the gateway's platform does before any route runs.

CORS on every ``/v1`` answer, ``OPTIONS`` → 204, ``GET /`` welcome, percent-encoded
path parameters made routable, body buffering with a size limit (413 in the route
family's envelope), identity (seed and generation id).
"""

from __future__ import annotations

import datetime as dt

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.dispatch import Runtime, request_generation_id, request_seed
from mockserver.encoding.body import json_bytes, reply_bytes
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.server.cors import cors_headers
from mockserver.server.paths import make_routable
from mockserver.server.scope import header, request_data


class GatewayEdge:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime
        self.base = runtime.index.base_path
        self.cors = cors_headers(runtime.index)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        in_api = path == self.base or path.startswith(self.base + "/")
        if scope["method"] == "OPTIONS" and in_api:
            await _send_plain(send, 204, b"", self.cors)
            return
        if path == "/" and scope["method"] in ("GET", "HEAD"):
            await _send_plain(send, 200, _welcome(), [(b"content-type", b"application/json")])
            return
        if in_api:
            make_routable(scope)
        data = request_data(scope)
        body, too_large = await _read_body(receive, self.runtime.settings.max_body_bytes, scope)
        data["raw_body"] = body
        refusal = None
        if too_large:
            limit = self.runtime.settings.max_body_bytes
            refusal = GatewayFailure(413, "payload_too_large", f"request body exceeds {limit} bytes")
        seed_header = header(scope, "x-mock-seed") if in_api else None
        try:
            seed = self._seed(scope, body, seed_header)
        except GatewayFailure as failure:  # a malformed X-Mock-Seed
            refusal, seed = refusal or failure, self._seed(scope, body, None)
        data["seed"] = seed
        occurrence = self.runtime.occurrences.next(seed) if in_api else 1
        data["generation_id"] = request_generation_id(self.runtime.settings, seed, occurrence)
        outgoing = _with_cors(send, self.cors) if in_api else send
        if refusal is not None:
            await self._refuse(scope, outgoing, refusal)
            return
        await self.app(scope, _replay(body, receive), outgoing)

    def _seed(self, scope: Scope, body: bytes, seed_header: str | None) -> int:
        query = scope.get("query_string", b"")
        return request_seed(self.runtime.settings, scope["method"], scope["path"], query, body, seed_header)

    async def _refuse(self, scope: Scope, send: Send, failure: GatewayFailure) -> None:
        """Answer ``failure`` in the route family's envelope before any route runs."""
        relative = scope["path"][len(self.base) :] or "/"
        matched = self.runtime.index.match(scope["method"], relative)
        family = matched[0].family if matched else "control"
        reply = render_failure(failure, family, request_data(scope)["generation_id"], self.runtime.index.dialect)
        headers = [(b"content-type", b"application/json")]
        headers += [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()]
        await _send_plain(send, failure.status, reply_bytes(reply), headers)


async def _read_body(receive: Receive, limit: int, scope: Scope) -> tuple[bytes, bool]:
    declared = header(scope, "content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


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
