"""The ``/__mock/`` admin routes, the request journal and the server-side violations.

One ASGI middleware, inside :class:`GatewayEdge` (so the body is already buffered):

- ``/__mock/...`` is guarded here: loopback clients only unless ``--admin-any-host``, never
  a cross-site or DNS-rebound browser request (scenarios/admin_guard.py); what passes goes
  on, unjournaled, to Connexion, which routes it by the admin contract to its handler
  (server/admin_routes.py); with ``--no-admin`` it falls through to the gateway 404;
  ``/__mock/ui`` is the dashboard's static files (server/dashboard.py), behind the same guards;
- every other request gets a journal entry, completed with the status sent, the start of
  the answer's body and the scenario chosen (the pipeline's outcome in the request state);
- ``--violate ignore_auth`` swaps a missing or malformed key for a valid one, and
  ``--violate negative_data_accepted`` answers a rejected request with a documented
  success instead of the 400.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.auth import authenticate
from mockserver.encoding.body import json_bytes
from mockserver.errors import GatewayFailure
from mockserver.model import MockRequest
from mockserver.pipeline.dispatcher import Dispatcher
from mockserver.pipeline.runtime import Runtime
from mockserver.scenarios.admin_api import PREFIX
from mockserver.scenarios.admin_guard import admin_refusal
from mockserver.scenarios.control import ScenarioControl
from mockserver.server.dashboard import dashboard_asset, is_dashboard_path
from mockserver.server.edge import CLIENT_GONE, CLOSE
from mockserver.server.offload import is_large, run_off_loop_if
from mockserver.server.responses import ConnectionReset, to_starlette
from mockserver.server.scope import header, headers_dict, request_state
from mockserver.synthesis.chain import from_documentation
from mockserver.synthesis.preferences import Preferences

#: The key ``ignore_auth`` puts in place of a missing or malformed one.
STAND_IN_KID = "violation0001"


def is_loopback(client: tuple[str, int] | list | None) -> bool:
    """Loopback addresses (and Unix sockets, which have no client address) are local."""
    if not client:
        return True
    host = str(client[0])
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


class AdminMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime):
        self.app = app
        self.runtime = runtime
        self.control: ScenarioControl = runtime.scenarios
        self.traffic = runtime.traffic
        self.admin = runtime.settings.scenarios.admin
        violations = self.control.violations
        self.ignore_auth = "ignore_auth" in violations
        self.accept_negative = "negative_data_accepted" in violations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if self.admin != "off" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await self._admin(scope, receive, send)
            return
        if self.ignore_auth:
            scope = self._with_stand_in_key(scope)
        if self.accept_negative:
            send = self._accepting_negative(scope, send)
        if self.admin == "off":
            await _dropping_on_reset(self.app, scope, receive, send)
        else:
            await self._journaled(scope, receive, send)

    # ---- admin routes ------------------------------------------------------------------

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.admin != "any" and not is_loopback(scope.get("client")):
            body = {
                "error": "forbidden",
                "message": "the admin API answers loopback clients only "
                "(start the mock with --admin-any-host to open it)",
            }
            await _send_json(send, 403, body, {})
            return
        state = request_state(scope)
        refusal = state.refusal
        if refusal is CLIENT_GONE:
            return
        if refusal is not None:
            await _send_json(send, refusal.status, {"error": refusal.code, "message": refusal.description}, CLOSE)
            return
        raw = state.raw_body
        refused = admin_refusal(scope["method"], headers_dict(scope), raw, self._own_hosts(scope))
        if refused is not None:
            status, code, message = refused
            await _send_json(send, status, {"error": code, "message": message}, {})
            return
        if is_dashboard_path(scope["path"]):
            asset = dashboard_asset(scope["method"], scope["path"])
            await _send_raw(send, asset.status, asset.body, asset.media_type, asset.headers)
            return
        await self.app(_routed(scope), receive, send)  # the admin API (server/admin_routes.py)

    def _own_hosts(self, scope: Scope) -> tuple[str, ...]:
        """The names this server answers to: the address the client reached, and --public-url's host."""
        server = scope.get("server") or ("",)
        public = self.runtime.settings.serving.public_url
        return str(server[0]).lower(), (urlsplit(public).hostname or "") if public else ""

    # ---- journal -----------------------------------------------------------------------

    async def _journaled(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = request_state(scope)
        base = self.runtime.surface.index.base_path
        matched = (
            self.runtime.surface.index.match(scope["method"], scope["path"][len(base) :] or "/")
            if scope["path"].startswith(base)
            else None
        )
        client = scope.get("client")
        # A large body is hashed and trimmed for the journal in a worker thread (off the loop).
        opening = functools.partial(
            self.control.journal.open,
            received_at=time.time(),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])],
            body=state.raw_body,
            client=f"{client[0]}:{client[1]}" if client else None,
            operation_id=matched[0].operation_id if matched else None,
            generation_id=state.generation_id or None,
        )
        entry = await run_off_loop_if(is_large(state.raw_body), opening)
        started = time.perf_counter()
        status: list[int] = []
        operation_id = entry.operation_id
        traffic = self.traffic
        streaming = False
        answer = _AnswerStart(self.control.journal.body_limit)

        async def recording_send(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                status.append(message["status"])
                entry.response_headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])
                ]
                streaming = _is_event_stream(message)
                if streaming:
                    traffic.stream_opened(operation_id)
            elif message["type"] == "http.response.body":
                answer.add(message.get("body", b""))
            await send(message)

        outcome = "completed"
        try:
            outcome = await _dropping_on_reset(self.app, scope, receive, recording_send)
        except OSError:
            outcome = "disconnected"
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            if state.refusal is CLIENT_GONE:
                outcome = "client_disconnected"
            if state.outcome is not None:
                entry.scenario, entry.rule = state.outcome.scenario, state.outcome.rule
                entry.reply, entry.usage = state.outcome.reply, state.outcome.usage
                entry.cassette = state.outcome.cassette
            if status:
                content_type = next((v for k, v in entry.response_headers if k.lower() == "content-type"), "")
                self.control.journal.answered(entry, bytes(answer.start), answer.size, content_type)
            seconds = time.perf_counter() - started
            self.control.journal.complete(
                entry, status=status[0] if status else None, outcome=outcome, duration_ms=seconds * 1000
            )
            if streaming:
                traffic.stream_closed(operation_id)
            traffic.finished(operation_id, status[0] if status else None, seconds)

    # ---- server-side violations ----------------------------------------------------------

    def _with_stand_in_key(self, scope: Scope) -> Scope:
        try:
            authenticate(header(scope, "authorization"), self.runtime.settings.api.key_kind)
            return scope
        except GatewayFailure:
            pass
        token = f"aistats_v1_{self.runtime.settings.api.key_kind}_{STAND_IN_KID}_violation_secret"
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"authorization"]
        return {**scope, "headers": [*headers, (b"authorization", f"Bearer {token}".encode())]}

    def _accepting_negative(self, scope: Scope, send: Send) -> Send:
        held: list[Message] = []

        async def send_or_substitute(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400:
                held.append(message)
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body"):
                    return
                reply = self._documented_success(scope)
                if reply is not None:
                    await to_starlette(reply)(scope, _no_body, send)
                    return
                for kept in held:
                    await send(kept)
                return
            await send(message)

        return send_or_substitute

    def _documented_success(self, scope: Scope):
        base = self.runtime.surface.index.base_path
        matched = self.runtime.surface.index.match(scope["method"], scope["path"][len(base) :] or "/")
        if matched is None:
            return None
        operation = matched[0]
        state = request_state(scope)
        request = MockRequest(
            operation=operation,
            method=scope["method"],
            path=scope["path"],
            headers=headers_dict(scope),
            raw_body=state.raw_body,
            seed=state.seed,
            generation_id=state.generation_id,
            origin=state.origin,
        )
        ctx = Dispatcher(self.runtime).context(request)
        response = operation.response(operation.success_status)
        if response is None:
            return None
        return from_documentation(ctx, response, Preferences(), operation.success_status)


def _routed(scope: Scope) -> Scope:
    """The admin call as the admin API's router takes it: ``/__mock/journal/`` is
    ``/__mock/journal``, and ``/__mock`` is the (unrouted) ``/__mock/``, never a redirect."""
    path = scope["path"]
    routed = path.rstrip("/") if len(path.rstrip("/")) > len(PREFIX) else PREFIX + "/"
    if routed == path:
        return scope
    return {**scope, "path": routed, "raw_path": routed.encode()}


class _AnswerStart:
    """The first ``limit`` bytes of an answer's body and its whole size, as it is sent."""

    def __init__(self, limit: int):
        self.limit = limit
        self.start = bytearray()
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        room = self.limit - len(self.start)
        if room > 0 and chunk:
            self.start += chunk[:room]


async def _dropping_on_reset(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> str:
    """Run ``app``; when it breaks off with :class:`ConnectionReset` (possibly wrapped by
    Connexion's exception middleware), return without finishing the response, which makes
    uvicorn close the connection. Letting the exception reach Starlette's outermost error
    middleware instead would leave an un-awaited coroutine behind."""
    try:
        await app(scope, receive, send)
    except Exception as exc:
        if not _caused_by_reset(exc):
            raise
        return "reset"
    return "completed"


def _caused_by_reset(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ConnectionReset):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


async def _send_json(send: Send, status: int, body, headers: dict[str, str]) -> None:
    payload = json_bytes(body)
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"cache-control", b"no-store"),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def _is_event_stream(start: Message) -> bool:
    for name, value in start.get("headers", ()):
        if name == b"content-type":
            return value.startswith(b"text/event-stream")
    return False


async def _send_raw(
    send: Send, status: int, payload: bytes, media_type: str, extra: dict[str, str] | None = None
) -> None:
    headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(payload)).encode()),
    ]
    extra = extra or {"cache-control": "no-store"}
    headers += [(name.encode(), value.encode()) for name, value in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
