"""One handler for every operation: build the :class:`MockRequest`, dispatch, convert.

The resolver follows Connexion's own ``MockResolver``: whatever the operationId, the
operation resolves to the same dispatcher, bound to that operation.

Under AsyncApp, a request whose answer takes real CPU (a heavy operation, see
``synthesis.registry.is_heavy``, or a large body) is dispatched and encoded in a worker
thread (server/offload.py); FlaskApp already runs every handler in its WSGI threads.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs

from connexion import context
from connexion.resolver import Resolution, Resolver

from mockserver.dispatch import Dispatcher
from mockserver.model import MockRequest
from mockserver.server.offload import is_large, run_off_loop_if
from mockserver.server.paths import path_params, request_path
from mockserver.server.responses import initial_delay, to_flask, to_starlette
from mockserver.server.scope import headers_dict, request_data
from mockserver.synthesis.registry import is_heavy


def build_request(dispatcher: Dispatcher, operation_id: str, scope) -> MockRequest:
    data = request_data(scope)
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    headers = headers_dict(scope)
    return MockRequest(
        operation=dispatcher.runtime.index.operations[operation_id],
        method=scope["method"],
        path=request_path(scope),
        path_params=path_params(scope),
        query=query,
        headers=headers,
        body=data.get("body"),
        raw_body=data.get("raw_body", b""),
        content_type=headers.get("content-type", ""),
        files=data.get("files", {}),
        key=data.get("key"),
        seed=data.get("seed", 0),
        generation_id=data.get("generation_id", ""),
        notes=data,
    )


class DispatchResolver(Resolver):
    def __init__(self, dispatcher: Dispatcher, framework: str):
        super().__init__()
        self.dispatcher = dispatcher
        self.framework = framework

    def resolve(self, operation) -> Resolution:
        operation_id = self.resolve_operation_id(operation)
        if self.framework == "flask":
            return Resolution(self._flask_handler(operation_id), operation_id)
        return Resolution(self._async_handler(operation_id), operation_id)

    def _async_handler(self, operation_id: str):
        dispatcher = self.dispatcher
        heavy = is_heavy(operation_id)

        def answer(request: MockRequest):
            """The response and its initial delay; the reply dies here (in the worker thread
            when offloaded: freeing millions of objects is work too)."""
            reply = dispatcher.handle(request)
            return reply.delay, to_starlette(reply)

        async def serve_operation():
            request = build_request(dispatcher, operation_id, context.scope)
            delay, response = await run_off_loop_if(heavy or is_large(request.raw_body), answer, request)
            await initial_delay(delay)
            return response

        serve_operation.__name__ = f"serve_{operation_id}"
        return serve_operation

    def _flask_handler(self, operation_id: str):
        dispatcher = self.dispatcher

        def serve_operation(**_connexion_arguments):
            request = build_request(dispatcher, operation_id, context.scope)
            reply = dispatcher.handle(request)
            if reply.delay > 0:
                time.sleep(reply.delay)
            return to_flask(reply)

        serve_operation.__name__ = f"serve_{operation_id}"
        return serve_operation


class DirectOperation:
    """An AsyncApp operation that calls the dispatcher straight from the ASGI scope.

    Connexion's default operation wraps every handler in decorators that rebuild the
    request, parse form bodies a second time (leaving their temporary files open) and
    map arguments we never use; the dispatcher reads everything from the scope instead.
    """

    def __init__(self, fn, operation_id: str):
        self.fn = fn
        self.operation_id = operation_id

    async def __call__(self, scope, receive, send) -> None:
        response = await self.fn()
        await response(scope, receive, send)


def direct_api_class():
    from connexion.apps.asynchronous import AsyncApi

    class DirectApi(AsyncApi):
        def make_operation(self, operation):
            return DirectOperation(operation.function, operation.operation_id)

    return DirectApi
