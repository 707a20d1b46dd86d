"""Exception handlers: every failure leaves in the envelope of its route family.

Unknown paths and methods get the gateway's plain-text ``404 Not Found`` (never 405),
except under ``/__mock`` (when the admin API is on), where they get the admin's
``{"error", "message"}`` bodies: 404 ``not_found`` and 405 with ``Allow``;
Connexion's problem exceptions are translated into :class:`GatewayFailure`s; anything
unexpected becomes a 500 ``gateway_error`` in the envelope rather than a bare crash.
"""

from __future__ import annotations

import logging

from connexion.exceptions import (
    BadRequestProblem,
    OAuthProblem,
    ProblemException,
    UnsupportedMediaTypeProblem,
)
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from mockserver.encoding.body import json_bytes, reply_bytes
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure, ValidationDetail, unauthorised
from mockserver.model import MockRequest
from mockserver.pipeline.runtime import Runtime
from mockserver.scenarios.admin_api import PREFIX as ADMIN_PREFIX
from mockserver.scenarios.admin_api import AdminAnswer, no_route, wrong_method
from mockserver.server.scope import headers_dict, request_state

log = logging.getLogger("aistats_mock")


def install_error_handlers(app, runtime: Runtime) -> None:
    surface = runtime.surface
    admin_on = runtime.settings.scenarios.admin != "off"

    def is_admin(request: ConnexionRequest) -> bool:
        path = request.scope.get("path", "")
        return admin_on and (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"))

    def respond(request: ConnexionRequest, failure: GatewayFailure) -> ConnexionResponse:
        scope = request.scope
        if is_admin(request):
            return admin_response(AdminAnswer(failure.status, {"error": failure.code, "message": failure.description}))
        base = surface.index.base_path
        relative = scope.get("path", "")[len(base) :] or "/"
        matched = surface.index.match(scope.get("method", "GET"), relative)
        family = matched[0].family if matched else "control"
        state = request_state(scope)
        generation_id = state.generation_id or "G-00000000000000000000000000"
        dialect = surface.dialect_for(matched[0].operation_id) if matched else None
        if dialect is not None and matched is not None:
            native = MockRequest(
                operation=matched[0],
                method=scope.get("method", "GET"),
                path=scope.get("path", ""),
                headers=headers_dict(scope),
                body=state.body,
                generation_id=generation_id,
            )
            reply = dialect.error(render_failure(failure, "inference", generation_id), native)
        else:
            reply = render_failure(failure, family, generation_id, surface.index.dialect)
        return ConnexionResponse(
            status_code=reply.status, body=reply_bytes(reply), content_type="application/json", headers=reply.headers
        )

    def on_gateway_failure(request, exc: GatewayFailure):
        return respond(request, exc)

    def on_problem(request, exc: ProblemException):
        return respond(request, translate_problem(exc))

    def on_http_exception(request, exc: HTTPException):
        if is_admin(request) and exc.status_code in (404, 405):
            path = request.scope.get("path", "")
            return admin_response(no_route(path) if exc.status_code == 404 else wrong_method(path))
        if exc.status_code in (404, 405):
            return ConnexionResponse(status_code=404, body=b"404 Not Found", content_type="text/plain; charset=UTF-8")
        return respond(request, GatewayFailure(exc.status_code, "invalid_request", str(exc.detail)))

    def on_crash(request, exc: Exception):
        log.error("unhandled error while serving %s", request.scope.get("path"), exc_info=exc)
        return respond(request, GatewayFailure(500, "gateway_error", "gateway_context_failed"))

    app.add_error_handler(GatewayFailure, on_gateway_failure)
    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_http_exception)
    app.add_error_handler(Exception, on_crash)


def admin_response(answer: AdminAnswer) -> ConnexionResponse:
    """An admin error in the admin's own ``{"error", "message"}`` body."""
    headers = {"cache-control": "no-store", **answer.headers}
    return ConnexionResponse(
        status_code=answer.status, body=json_bytes(answer.body), content_type="application/json", headers=headers
    )


def translate_problem(exc: ProblemException) -> GatewayFailure:
    if isinstance(exc, OAuthProblem) or exc.status == 401:
        return unauthorised("missing_or_invalid_authorization_header")
    if isinstance(exc, UnsupportedMediaTypeProblem) or exc.status == 415:
        return GatewayFailure(415, "unsupported_media_type", str(exc.detail or "unsupported content type"))
    if isinstance(exc, BadRequestProblem) or exc.status == 400:
        detail = str(exc.detail or exc.title or "bad request")
        return GatewayFailure(400, "validation_error", details=[ValidationDetail(detail, [], "schema")])
    if exc.status == 404:
        return GatewayFailure(404, "not_found", str(exc.detail or "not found"), reason="not_found")
    return GatewayFailure(exc.status or 500, "invalid_request", str(exc.detail or exc.title))
