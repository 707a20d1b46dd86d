"""ASGI wrappers that break the mock's answers one way, to show a conformance check failing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Rewrite = Callable[[dict, int, list, bytes], tuple[int, list, bytes]]


class Breaker:
    """ASGI wrapper: buffers answers of matching requests and rewrites them with ``rewrite``."""

    def __init__(self, app: Any, matches: Callable[[dict], bool], rewrite: Rewrite):
        self.app = app
        self.matches = matches
        self.rewrite = rewrite

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.matches(scope):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    status, headers, body = self.rewrite(
                        scope, start["status"], list(start["headers"]), b"".join(chunks)
                    )
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def on(method: str, path_suffix: str) -> Callable[[dict], bool]:
    return lambda scope: scope["method"] == method and scope["path"].endswith(path_suffix)


def json_rewrite(change: Callable[[Any], Any], *, statuses: range = range(200, 300)) -> Rewrite:
    def rewrite(scope, status, headers, body):
        content_type = dict(headers).get(b"content-type", b"")
        if status not in statuses or b"json" not in content_type:
            return status, headers, body
        return status, headers, json.dumps(change(json.loads(body))).encode()

    return rewrite
