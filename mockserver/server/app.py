"""Build the Connexion application (AsyncApp by default, FlaskApp on request)."""

from __future__ import annotations

import hashlib
import json
import logging

import connexion
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions

from mockserver.contract.loader import fresh_copy
from mockserver.dialects.adapter import DialectDispatcher
from mockserver.pipeline.assembly import assemble
from mockserver.pipeline.dispatcher import Dispatcher
from mockserver.pipeline.runtime import Runtime
from mockserver.server.admin import AdminMiddleware
from mockserver.server.admin_routes import add_admin_api
from mockserver.server.edge import EdgeRefusals, GatewayEdge
from mockserver.server.errors import install_error_handlers
from mockserver.server.forwarding import UpstreamForwarding
from mockserver.server.handlers import DispatchResolver, direct_api_class
from mockserver.server.media_route import MediaRoute
from mockserver.server.security import security_map
from mockserver.server.state_routes import BeforeAuthChecks
from mockserver.server.validators import validator_map
from mockserver.settings import Settings

FRAMEWORKS = ("async", "flask")
#: Worker threads for FlaskApp's WSGI bridge: paced streams hold one each.
FLASK_WORKERS = 64


def create_app(settings: Settings | None = None, runtime: Runtime | None = None):
    """A ready-to-serve ASGI application for ``settings`` (its ``.runtime`` attached)."""
    settings = settings or Settings()
    runtime = runtime or assemble(settings)
    _validate_each_spec_once()
    if settings.serving.framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {FRAMEWORKS}, not {settings.serving.framework!r}")
    surface = runtime.surface
    dispatcher = DialectDispatcher(Dispatcher(runtime), surface.dialects)
    options = dict(
        security_map=security_map(runtime),
        validator_map=validator_map(runtime),
        swagger_ui_options=SwaggerUIOptions(spec_path="/openapi.json", swagger_ui_path="/ui"),
        validate_responses=settings.api.validate_responses,
        strict_validation=False,
    )
    if settings.serving.framework == "flask":
        app = connexion.FlaskApp(__name__, **options)
        _enlarge_flask_pool(app)
    else:
        app = connexion.AsyncApp(__name__, **options)
        app._middleware_app.api_cls = direct_api_class()
    if settings.scenarios.admin != "off":  # first: a surface served at "/" would take /__mock too
        add_admin_api(app, runtime, settings.serving.framework)
    resolver = DispatchResolver(dispatcher, surface.index, settings.serving.framework)
    app.add_api(fresh_copy(surface.spec), resolver=resolver, name="gateway")
    for middleware_class, position, arguments in middleware(runtime):
        app.add_middleware(middleware_class, position=position, **arguments)
    install_error_handlers(app, runtime)
    app.runtime = runtime
    logging.getLogger("connexion").setLevel(logging.ERROR)
    return app


def middleware(runtime: Runtime) -> list[tuple[type, MiddlewarePosition, dict]]:
    """The mock's middleware around Connexion's own, in the order it is added (ARCHITECTURE.md).

    Connexion places each at its ``position`` in its own stack; of two at the same position,
    the one added first is further out.
    """
    return [
        # the gateway's platform: CORS, OPTIONS, body read whole, seed and generation id
        (GatewayEdge, MiddlewarePosition.BEFORE_EXCEPTION, {"runtime": runtime}),
        # refusals the edge noted (413, 408, bad X-Mock-Seed), raised inside the error handlers
        (EdgeRefusals, MiddlewarePosition.BEFORE_SWAGGER, {}),
        # GET /__mock/media/<name>: generated files (outside the contract)
        (MediaRoute, MiddlewarePosition.BEFORE_EXCEPTION, {"store": runtime.media}),
        # the /__mock/ admin API, the journal, server-side violations and dropped connections
        (AdminMiddleware, MiddlewarePosition.BEFORE_EXCEPTION, {"runtime": runtime}),
        # --record / --replay-miss forward: the request goes upstream and its exchange is recorded
        (UpstreamForwarding, MiddlewarePosition.BEFORE_EXCEPTION, {"runtime": runtime}),
        # refusals the gateway gives before authenticating
        (BeforeAuthChecks, MiddlewarePosition.BEFORE_SECURITY, {"runtime": runtime}),
    ]


def _validate_each_spec_once() -> None:
    """Connexion re-validates the whole spec (about 2 s for ours) for every app it builds.

    The result depends only on the document, so remember which documents passed: tests
    and the conformance suite build many apps from the same contract.
    """
    from connexion.spec import OpenAPISpecification

    validate = OpenAPISpecification._validate_spec.__func__
    if getattr(validate, "memoized", False):
        return
    passed: set[str] = set()

    def validate_once(cls, spec):
        digest = hashlib.blake2b(json.dumps(spec, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
        if digest not in passed:
            validate(cls, spec)
            passed.add(digest)

    # A marker on the installed function, read back above; mypy does not model function attributes.
    validate_once.memoized = True  # type: ignore[attr-defined]
    OpenAPISpecification._validate_spec = classmethod(validate_once)


def _enlarge_flask_pool(app) -> None:
    from mockserver.server.wsgi_bridge import StreamSafeWSGIMiddleware

    inner = app._middleware_app
    inner.asgi_app = StreamSafeWSGIMiddleware(inner.app.wsgi_app, workers=FLASK_WORKERS)
