"""The dispatcher as a dialect serves it: inbound → the one dispatcher → outbound."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from mockserver.dialects.base import Dialect
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply, MockRequest


class Handler(Protocol):
    def handle(self, request: MockRequest) -> MockReply:
        """The reply to a request of the current contract (every stage of the pipeline)."""


class DialectDispatcher:
    """Answers requests of a surface: through their operation's dialect, else unchanged."""

    def __init__(self, handler: Handler, dialects: Mapping[str, Dialect]):
        self.handler = handler
        self.dialects = dialects

    def handle(self, request: MockRequest) -> MockReply:
        dialect = self.dialects.get(request.operation.operation_id)
        if dialect is None:
            return self.handler.handle(request)
        try:
            mapped = dialect.inbound(request)
        except GatewayFailure as failure:
            return dialect.error(render_failure(failure, "inference", request.generation_id), request)
        return dialect.outbound(request, self.handler.handle(mapped))
