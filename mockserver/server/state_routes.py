"""Server-side pieces of the state feature: checks the gateway makes before it
authenticates (``runtime.hooks["before_auth"]``), run by a middleware placed in front
of Connexion's security layer."""

from __future__ import annotations

from urllib.parse import parse_qs

from connexion.middleware import MiddlewarePosition
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.dispatch import Runtime


class BeforeAuthChecks:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        checks = self.runtime.hooks.get("before_auth", [])
        if scope["type"] == "http" and checks:
            base = self.runtime.index.base_path
            path = scope.get("path", "")
            if path.startswith(base + "/"):
                matched = self.runtime.index.match(scope["method"], path[len(base) :])
                if matched is not None:
                    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                    for check in checks:
                        check(matched[0].operation_id, query)
        await self.app(scope, receive, send)


def extend(app, runtime: Runtime) -> None:
    app.add_middleware(BeforeAuthChecks, position=MiddlewarePosition.BEFORE_SECURITY, runtime=runtime)
