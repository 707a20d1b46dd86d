"""The adapter that forwards gateway requests to the upstream and records each exchange.

With ``--record DIR --upstream URL`` every request under the base path goes to the upstream
gateway instead of the pipeline; with ``--replay DIR --replay-miss forward`` only those no
cassette records do (the replay selector answers the rest). It sits inside the admin
middleware (so the journal has every forwarded request, with the cassette it was written
to) and before authentication and validation (the upstream decides those). The client's key
goes upstream unless ``--upstream-key`` replaces it.

The client gets the upstream's status, headers (minus the transport's own) and body; a
stream (``text/event-stream``) is passed on chunk by chunk as it arrives. Once the upstream's
answer is complete its cassette is written atomically (mockserver/recording/recorder.py),
before the client gets the end of it. An upstream
that cannot be reached is a 502 ``bad_gateway``, one that takes longer than
``--upstream-timeout`` to connect or between two pieces of its answer a 504 ``timeout``, in
the operation's error envelope; a failure in the middle of a stream drops the connection
(the client sees a broken stream, as from the gateway). Nothing is recorded then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from urllib.parse import parse_qs, quote

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.model import Outcome
from mockserver.pipeline.runtime import Runtime
from mockserver.recording.normalize import bearer_token, normalize_request, request_key
from mockserver.recording.recorder import Exchange
from mockserver.server.edge import is_admin_path
from mockserver.server.paths import request_path
from mockserver.server.responses import ConnectionReset, to_starlette
from mockserver.server.scope import header, request_state

#: Request headers not passed upstream (httpx sets its own transport headers, and asks only
#: for the encodings it can decode).
_NOT_FORWARDED = frozenset(
    {
        b"host",
        b"content-length",
        b"connection",
        b"keep-alive",
        b"transfer-encoding",
        b"te",
        b"upgrade",
        b"accept-encoding",
    }
)
#: Upstream response headers not passed to the client (the mock's server sets its own).
_NOT_RETURNED = frozenset(
    {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "date", "server"}
)
#: Connecting may take at most this long, however long --upstream-timeout is.
CONNECT_TIMEOUT_S = 10.0

logger = logging.getLogger("aistats_mock.forwarding")


class UpstreamForwarding:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime
        settings = runtime.settings
        self.upstream = settings.recording.upstream_url or ""
        self.upstream_key = settings.recording.upstream_key
        self.timeout = httpx.Timeout(
            settings.recording.upstream_timeout_s, connect=min(settings.recording.upstream_timeout_s, CONNECT_TIMEOUT_S)
        )
        self.base = runtime.index.base_path
        #: the admin API's calls pass through here to its Connexion routes: never forwarded,
        #: even on a surface served from the root (provider mode)
        self.admin_on = settings.scenarios.admin != "off"
        self.forward_all = settings.recording.record_dir is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.runtime.recorder
        if recorder is None or scope["type"] != "http" or request_state(scope).refusal is not None:
            await self.app(scope, receive, send)
            return
        path = request_path(scope)
        if not (path == self.base or path.startswith(self.base + "/")) or (self.admin_on and is_admin_path(path)):
            await self.app(scope, receive, send)
            return
        state = request_state(scope)
        secrets = tuple(s for s in (bearer_token(header(scope, "authorization")), self.upstream_key) if s)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        normalized = normalize_request(
            scope["method"], path, query, header(scope, "content-type") or "", state.raw_body, secrets
        )
        library = self.runtime.replay.library
        if not self.forward_all and library is not None and library.recorded(request_key(normalized)):
            await self.app(scope, receive, send)  # the replay selector answers it
            return
        matched = self.runtime.index.match(scope["method"], scope["path"][len(self.base) :] or "/")
        operation = matched[0].operation_id if matched else "unknown"
        family = matched[0].family if matched else "inference"
        await self._forward(scope, send, Exchange(operation, normalized, secrets), family)

    async def _forward(self, scope: Scope, send: Send, exchange: Exchange, family: str) -> None:
        state = request_state(scope)
        clock = asyncio.get_running_loop().time
        started = clock()
        sending = False
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
                client.stream(
                    scope["method"], self._url(scope), headers=self._headers(scope), content=state.raw_body
                ) as answer,
            ):
                exchange.respond(answer.status_code, answer.headers.multi_items())
                headers = _returned(answer.headers.raw)
                # the cassette is on disk before the client has the whole answer: a client that
                # got it can replay it at once
                if not exchange.streamed:
                    body = await answer.aread()
                    exchange.feed(body, (clock() - started) * 1000)
                    await self._record(scope, exchange, (clock() - started) * 1000)
                    headers.append((b"content-length", str(len(body)).encode()))
                    sending = True
                    await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
                sending = True
                await send({"type": "http.response.start", "status": answer.status_code, "headers": headers})
                async for chunk in answer.aiter_bytes():
                    exchange.feed(chunk, (clock() - started) * 1000)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await self._record(scope, exchange, (clock() - started) * 1000)
                await send({"type": "http.response.body", "body": b""})
        except httpx.HTTPError as exc:
            if sending:  # the answer has begun: all that is left is to break it off
                state.outcome = Outcome(scenario="upstream_broke_off")
                raise ConnectionReset(f"the upstream broke off: {exc!r}") from exc
            await self._refuse(scope, send, exc, family)

    async def _record(self, scope: Scope, exchange: Exchange, elapsed_ms: float) -> None:
        recorder = self.runtime.recorder
        assert recorder is not None
        cassette = exchange.finish(elapsed_ms)
        try:
            await asyncio.to_thread(recorder.write, cassette)
        except OSError as exc:
            logger.error("aistats-mock: could not write the cassette of %s: %s", exchange.request["path"], exc)
            request_state(scope).outcome = Outcome(scenario="forwarded_not_recorded")
            return
        request_state(scope).outcome = Outcome(scenario="forwarded", cassette=cassette.name)

    async def _refuse(self, scope: Scope, send: Send, exc: httpx.HTTPError, family: str) -> None:
        state = request_state(scope)
        seconds = self.runtime.settings.recording.upstream_timeout_s
        if isinstance(exc, httpx.TimeoutException):
            failure = GatewayFailure(
                504,
                "timeout",
                f"Request timed out: the upstream gateway {self.upstream} did not answer within "
                f"{seconds:g} s (--upstream-timeout)",
            )
            state.outcome = Outcome(scenario="upstream_timeout")
        else:
            failure = GatewayFailure(
                502,
                "bad_gateway",
                f"Bad gateway: the upstream gateway {self.upstream} could not be reached ({type(exc).__name__})",
            )
            state.outcome = Outcome(scenario="upstream_unreachable")
        reply = render_failure(failure, family, state.generation_id, self.runtime.index.dialect)
        await to_starlette(reply)(scope, _nothing, send)

    def _url(self, scope: Scope) -> str:
        raw = scope.get("raw_path")
        path = bytes(raw).decode("latin-1") if isinstance(raw, bytes | bytearray) else quote(request_path(scope))
        path = path.split("?", 1)[0][len(self.base) :]
        query = scope.get("query_string", b"").decode("latin-1")
        return f"{self.upstream}{path}" + (f"?{query}" if query else "")

    def _headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in _NOT_FORWARDED]
        if self.upstream_key:
            headers = [(k, v) for k, v in headers if k.lower() != b"authorization"]
            headers.append((b"authorization", f"Bearer {self.upstream_key}".encode("latin-1")))
        return headers


def _returned(pairs: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name.lower(), value) for name, value in pairs if name.lower().decode("latin-1") not in _NOT_RETURNED]


async def _nothing() -> dict[str, str]:
    return {"type": "http.disconnect"}
