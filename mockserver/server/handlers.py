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

from mockserver.contract import ContractIndex
from mockserver.dialects.adapter import DialectDispatcher
from mockserver.model import MockRequest
from mockserver.server.offload import is_large, run_off_loop_if
from mockserver.server.paths import path_params, request_path
from mockserver.server.responses import initial_delay, to_flask, to_starlette
from mockserver.server.scope import headers_dict, request_state
from mockserver.synthesis.registry import is_heavy


def build_request(surface: ContractIndex, operation_id: str, scope) -> MockRequest:
    state = request_state(scope)
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    headers = headers_dict(scope)
    return MockRequest(
        operation=surface.operations[operation_id],
        method=scope["method"],
        path=request_path(scope),
        path_params=path_params(scope),
        query=query,
        headers=headers,
        body=state.body,
        raw_body=state.raw_body,
        content_type=headers.get("content-type", ""),
        files=state.files,
        key=state.key,
        seed=state.seed,
        generation_id=state.generation_id,
        origin=state.origin,
    )


class DispatchResolver(Resolver):
    def __init__(self, dispatcher: DialectDispatcher, surface: ContractIndex, framework: str):
        super().__init__()
        self.dispatcher = dispatcher
        self.surface = surface
        self.framework = framework

    def resolve(self, operation) -> Resolution:
        operation_id = self.resolve_operation_id(operation)
        if self.framework == "flask":
            return Resolution(self._flask_handler(operation_id), operation_id)
        return Resolution(self._async_handler(operation_id), operation_id)

    def _async_handler(self, operation_id: str):
        dispatcher = self.dispatcher
        surface = self.surface
        heavy = is_heavy(dispatcher.answers_with(operation_id))

        def answer(request: MockRequest):
            """The response, its initial delay and the pipeline's outcome; the reply dies here
            (in the worker thread when offloaded: freeing millions of objects is work too)."""
            reply = dispatcher.handle(request)
            return reply.delay, to_starlette(reply), reply.outcome

        async def serve_operation():
            scope = context.scope
            request = build_request(surface, operation_id, scope)
            offload = heavy or is_large(request.raw_body)
            delay, response, request_state(scope).outcome = await run_off_loop_if(offload, answer, request)
            await initial_delay(delay)
            return response

        serve_operation.__name__ = f"serve_{operation_id}"
        return serve_operation

    def _flask_handler(self, operation_id: str):
        dispatcher = self.dispatcher
        surface = self.surface

        def serve_operation(**_connexion_arguments):
            request = build_request(surface, operation_id, context.scope)
            reply = dispatcher.handle(request)
            request_state(context.scope).outcome = reply.outcome
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
