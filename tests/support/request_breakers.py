"""ASGI wrappers that break the mock on the request side: refusing some bodies, losing
the caller's team, answering slowly. Companions of tests/support/breakers.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class Refuse:
    """Answers ``status`` (400 by default, in the inference envelope) to requests for which
    ``when(scope, body)`` holds; with ``hang_s``, first keeps the client waiting that long."""

    def __init__(self, app: Any, when: Callable[[dict, bytes], bool], status: int = 400, hang_s: float = 0.0):
        self.app = app
        self.when = when
        self.status = status
        self.hang_s = hang_s

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if not self.when(scope, body):
            await self.app(scope, _replay(body), send)
            return
        if self.hang_s:
            await asyncio.sleep(self.hang_s)
        payload = json.dumps(
            {"status_code": self.status, "error": "validation_error", "error_type": "user", "description": "refused"}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


class Impersonate:
    """Serves requests of ``matches(scope)`` sent with key ``intruder`` as if sent with ``owner``:
    a gateway that looks resources up without the caller's team."""

    def __init__(self, app: Any, intruder: str, owner: str, matches: Callable[[dict], bool]):
        self.app = app
        self.intruder = f"Bearer {intruder}".encode()
        self.owner = f"Bearer {owner}".encode()
        self.matches = matches

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.matches(scope):
            headers = [
                (name, self.owner if name.lower() == b"authorization" and value == self.intruder else value)
                for name, value in scope["headers"]
            ]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def echoes_assistant(scope: dict, body: bytes) -> bool:
    """A request that sends an assistant turn back (chat, messages) or output items (responses)."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    turns = data.get("messages") or data.get("input")
    return isinstance(turns, list) and any(
        isinstance(t, dict) and (t.get("role") == "assistant" or t.get("type") == "function_call") for t in turns
    )


def malformed_json(scope: dict, body: bytes) -> bool:
    if scope.get("method") != "POST" or not body or body.lstrip()[:1] != b"{":
        return False
    try:
        json.loads(body)
    except ValueError:
        return True
    return False


def untyped_multipart_part(scope: dict, body: bytes) -> bool:
    """A multipart body with a part that has no Content-Type of its own."""
    headers = dict(scope.get("headers") or [])
    if not headers.get(b"content-type", b"").startswith(b"multipart/"):
        return False
    parts = body.split(b"Content-Disposition:")[1:]
    return any(b"Content-Type" not in part.split(b"\r\n\r\n", 1)[0] for part in parts)


class ChargeExtra:
    """After each answer ``when(scope, status, disconnected)`` selects, sends the inner app one
    more priced chat request with the caller's key and drops its answer: a gateway that bills
    what it never reports (a refused call, a stream the client hung up on)."""

    BODY = json.dumps(
        {"model": "openai/gpt-4o-mini", "max_tokens": 8, "messages": [{"role": "user", "content": "extra"}]}
    ).encode()

    def __init__(self, app: Any, when: Callable[[dict, int, bool], bool]):
        self.app = app
        self.when = when

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        disconnected = finished = False
        original = {**scope, "headers": list(scope["headers"])}

        async def listen():
            nonlocal disconnected
            message = await receive()
            disconnected = disconnected or message["type"] == "http.disconnect"
            return message

        async def watch(message):
            nonlocal status, finished
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
            finished = finished or (message["type"] == "http.response.body" and not message.get("more_body"))

        await self.app(scope, listen, watch)
        # ``disconnected``: the client hung up before the answer was complete.
        if self.when(original, status, disconnected and not finished):
            auth = [(k, v) for k, v in original["headers"] if k.lower() == b"authorization"]
            length = str(len(self.BODY)).encode()
            extra = {
                **original,
                "method": "POST",
                "path": "/v1/chat/completions",
                "raw_path": b"/v1/chat/completions",
                "query_string": b"",
                "headers": [*auth, (b"content-type", b"application/json"), (b"content-length", length)],
            }

            async def discard(message):
                return None

            await self.app(extra, _replay(self.BODY), discard)
