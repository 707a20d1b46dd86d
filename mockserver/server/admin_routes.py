"""The admin API as a Connexion API of its own: spec/admin/openapi.yaml under ``/__mock``.

Connexion routes each admin call by the admin contract, as it routes the gateway's by the
gateway contract; :class:`AdminResolver` maps each operationId to the
:class:`~mockserver.scenarios.admin_api.AdminApi` method that answers it and converts its
:class:`AdminAnswer` for the framework served (a Starlette response under AsyncApp, a
Flask one under FlaskApp), the journal's pages sent a piece at a time and the metrics
exposition as raw text.

What Connexion does not do here:

- no Swagger UI and no served spec (``/__mock/ui`` is the dashboard, and
  ``/__mock/openapi.json`` is an admin operation of its own);
- no request validation: the admin handlers check their queries and bodies themselves and
  answer in the admin's own ``{"error", "message"}`` body, naming the field or the rule
  (``invalid_rule``, ``invalid_reply``, ``limit must be an integer 1..N`` with the journal's
  capacity as its bound), which a schema check in front of them could not say;
- no security: the guard in front of it (server/admin.py) admits loopback clients only and
  refuses DNS-rebound and cross-site calls.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs

from connexion import context
from connexion.datastructures import MediaTypeDict
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolution, Resolver
from connexion.uri_parsing import OpenAPIURIParser
from connexion.validators.parameter import ParameterValidator
from starlette.responses import Response, StreamingResponse

from mockserver.contract import load_admin_contract
from mockserver.encoding.body import json_bytes
from mockserver.pipeline.runtime import Runtime
from mockserver.scenarios.admin_api import PREFIX, AdminAnswer, AdminApi
from mockserver.scenarios.metrics import MetricsExporter
from mockserver.server.dashboard import dashboard_asset
from mockserver.server.scope import request_state
from mockserver.state.overview import overview

#: Sent with every admin answer but the dashboard's (which has its own).
NO_STORE = {"cache-control": "no-store"}


class UncheckedParameters(ParameterValidator):
    """The admin handlers read and check their own query parameters."""

    def validate(self, scope) -> None:
        return None


class RawQuery(OpenAPIURIParser):
    """Hands Connexion no query parameters to convert: under FlaskApp its view decorator would
    cast ``?limit=abc`` to an int and fail with a 500 before the handler could say what is wrong."""

    def resolve_query(self, query_data):
        return {}


def add_admin_api(app, runtime: Runtime, framework: str) -> None:
    """Serve the admin contract on ``app`` under ``/__mock``, over ``runtime``."""
    control = runtime.scenarios
    exporter = MetricsExporter(runtime.traffic, control.journal, runtime.state, runtime.state.now_ms)
    api = AdminApi(control, runtime.replies, exporter, functools.partial(overview, runtime.state))
    app.add_api(
        load_admin_contract(),
        base_path=PREFIX,
        name="admin",
        resolver=AdminResolver(api, framework),
        swagger_ui_options=SwaggerUIOptions(swagger_ui=False, serve_spec=False),
        validator_map={"parameter": UncheckedParameters, "body": MediaTypeDict()},
        security_map={},
        uri_parser_class=RawQuery,
        validate_responses=False,
        strict_validation=False,
    )


class AdminResolver(Resolver):
    """operationId → a handler calling the :class:`AdminApi` method that answers it."""

    def __init__(self, api: AdminApi, framework: str):
        super().__init__()
        self.api = api
        self.framework = framework

    def resolve(self, operation) -> Resolution:
        operation_id = self.resolve_operation_id(operation)
        if operation_id != "adminDashboard" and operation_id not in self.api.operations:
            raise KeyError(f"spec/admin/openapi.yaml: no handler for operationId {operation_id!r}")
        if self.framework == "flask":
            return Resolution(self._flask_handler(operation_id), operation_id)
        return Resolution(self._async_handler(operation_id), operation_id)

    def _answer(self, operation_id: str, scope) -> AdminAnswer:
        if operation_id == "adminDashboard":
            asset = dashboard_asset(scope["method"], scope["path"])
            return AdminAnswer(asset.status, None, asset.headers, raw=asset.body, media_type=asset.media_type)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        return self.api.call(operation_id, query, request_state(scope).raw_body)

    def _async_handler(self, operation_id: str):
        async def serve_admin_operation() -> Response:
            return to_starlette(self._answer(operation_id, context.scope))

        serve_admin_operation.__name__ = f"serve_{operation_id}"
        return serve_admin_operation

    def _flask_handler(self, operation_id: str):
        def serve_admin_operation(**_connexion_arguments: Any):
            return to_flask(self._answer(operation_id, context.scope))

        serve_admin_operation.__name__ = f"serve_{operation_id}"
        return serve_admin_operation


def _headers(answer: AdminAnswer) -> dict[str, str]:
    if answer.raw is not None and answer.headers:
        return dict(answer.headers)  # the dashboard's own security headers
    return {**NO_STORE, **answer.headers}


def to_starlette(answer: AdminAnswer) -> Response:
    headers = _headers(answer)
    if answer.stream is not None:
        return StreamingResponse(_yielding(answer.stream), answer.status, headers, "application/json")
    if answer.raw is not None:
        return Response(answer.raw, answer.status, headers, answer.media_type)
    return Response(json_bytes(answer.body), answer.status, headers, "application/json")


async def _yielding(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The journal's page a piece at a time, letting other requests run in between."""
    for chunk in chunks:
        yield chunk
        await asyncio.sleep(0)


def to_flask(answer: AdminAnswer):
    from flask import Response as FlaskResponse

    headers = _headers(answer)
    if answer.stream is not None:
        return FlaskResponse(answer.stream, answer.status, headers, content_type="application/json")
    if answer.raw is not None:
        return FlaskResponse(answer.raw, answer.status, headers, content_type=answer.media_type)
    return FlaskResponse(json_bytes(answer.body), answer.status, headers, content_type="application/json")
