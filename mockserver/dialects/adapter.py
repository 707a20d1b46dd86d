"""The dispatcher as a dialect serves it: inbound → the one dispatcher → outbound."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Protocol

from mockserver.dialects.base import Dialect
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply, MockRequest
from mockserver.scenarios.breakage import reset


class Handler(Protocol):
    def handle(self, request: MockRequest) -> MockReply:
        """The reply to a request of the current contract (every stage of the pipeline)."""


class DialectDispatcher:
    """Answers requests of a surface: through their operation's dialect, else unchanged."""

    def __init__(self, handler: Handler, dialects: Mapping[str, Dialect]):
        self.handler = handler
        self.dialects = dialects

    def answers_with(self, operation_id: str) -> str:
        """The contract operation that answers a surface operation (itself when no dialect maps it)."""
        dialect = self.dialects.get(operation_id)
        return dialect.answers_with(operation_id) if dialect is not None else operation_id

    def handle(self, request: MockRequest) -> MockReply:
        dialect = self.dialects.get(request.operation.operation_id)
        if dialect is None:
            return self.handler.handle(request)
        try:
            mapped = dialect.inbound(request)
        except GatewayFailure as failure:
            return dialect.error(render_failure(failure, "inference", request.generation_id), request)
        mapped = dataclasses.replace(mapped, served_operation=request.operation.operation_id)
        return outbound(dialect, request, self.handler.handle(mapped))


def outbound(dialect: Dialect, native: MockRequest, reply: MockReply) -> MockReply:
    """``dialect.outbound``, also for a plain JSON body that a ``connection_reset`` scenario
    cut in half: the whole body is mapped, then cut the same way."""
    cut = reply.stream is not None and reply.content is not None
    if not cut or not reply.media_type.startswith("application/json"):
        return dialect.outbound(native, reply)
    try:
        body = json.loads(reply.content or b"")
    except ValueError:
        return reply
    headers = {name: value for name, value in reply.headers.items() if name.lower() != "content-length"}
    whole = dataclasses.replace(reply, body=body, content=None, stream=None, headers=headers)
    return reset(0)(dialect.outbound(native, whole))
