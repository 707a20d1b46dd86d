"""Checks the gateway makes before it authenticates (:func:`mockserver.state.hooks.before_auth`),
run by a middleware placed in front of Connexion's security layer."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.pipeline.runtime import Runtime
from mockserver.state.hooks import before_auth


class BeforeAuthChecks:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            base = self.runtime.surface.index.base_path
            path = scope.get("path", "")
            if path.startswith(base + "/"):
                matched = self.runtime.surface.index.match(scope["method"], path[len(base) :])
                if matched is not None:
                    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                    before_auth(matched[0].operation_id, query)
        await self.app(scope, receive, send)
