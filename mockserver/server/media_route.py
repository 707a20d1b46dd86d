"""The mock-only download route for generated media: ``GET /__mock/media/<name>``.

Image answers with ``response_format: url`` point here. It is outside the contract and
the ``/v1`` base path, needs no key, and serves from the bounded media store; an
unknown or evicted name gets a JSON 404. It is a tiny ASGI middleware (the same code
under AsyncApp and FlaskApp), placed just inside :class:`GatewayEdge` and outside the
admin API, which answers every other ``/__mock/`` path.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.encoding.body import json_bytes
from mockserver.state.blobs import BlobStore
from mockserver.state.interface import StateUnavailable
from mockserver.state.media import ROUTE_PREFIX

_HEADERS = [(b"cache-control", b"no-store"), (b"access-control-allow-origin", b"*")]


class MediaRoute:
    def __init__(self, app: ASGIApp, store: BlobStore):
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(ROUTE_PREFIX):
            await self.app(scope, receive, send)
            return
        name = path[len(ROUTE_PREFIX) :]
        content_type = "application/json"
        try:
            found = self.store.get(name) if "/" not in name else None
        except StateUnavailable as exc:  # the fleet's media store (Redis) is lost
            found, lost = None, str(exc)
        else:
            lost = ""
        if scope["method"] not in ("GET", "HEAD"):
            status, body = 405, json_bytes({"error": "method_not_allowed", "allow": "GET, HEAD"})
        elif lost:
            status, body = 503, json_bytes({"error": "state_unavailable", "message": lost})
        elif found is None:
            status = 404
            body = json_bytes({"error": "not_found", "reason": "media_not_found_or_expired", "name": name})
        else:
            status, body, content_type = 200, found.data, found.content_type
        headers = [*_HEADERS, (b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        if status == 405:
            headers.append((b"allow", b"GET, HEAD"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
