"""The 2025-12 contract as a dialect over the current one (``serve --contract 2025-12``).

In: an operation named in :data:`~mockserver.shapes.tables.SOURCES` becomes its current
operation (renamed request fields, path parameters moved to the query); the others (health,
the model list, the placeholders) are answered as they are, by their own generators. Out:
answers and stream frames mapped by :mod:`mockserver.shapes.dec2025`; every failure in the
2025-12 envelope (:mod:`mockserver.encoding.dialect_envelopes`), re-rendered from the failure itself.
"""

from __future__ import annotations

import dataclasses

from mockserver.catalogue import Catalogue
from mockserver.contract import ContractIndex
from mockserver.encoding.dialect_envelopes import ERROR_DIALECTS
from mockserver.encoding.envelopes import PRETTY_FAMILIES, render_failure
from mockserver.model import MockReply, MockRequest
from mockserver.shapes.dec2025 import View, to_dec2025
from mockserver.shapes.tables import SOURCES

NAME = "2025-12"


class Dec2025:
    name = NAME

    def __init__(self, contract: ContractIndex, catalogue: Catalogue, epoch: int):
        self.contract = contract
        self.catalogue = catalogue
        self.epoch = epoch
        self.errors = ERROR_DIALECTS[NAME]

    def answers_with(self, operation_id: str) -> str:
        source = SOURCES.get(operation_id)
        return source.operation if source is not None else operation_id

    def inbound(self, request: MockRequest) -> MockRequest:
        source = SOURCES.get(request.operation.operation_id)
        if source is None:
            return request
        body = request.body
        if isinstance(body, dict) and source.request_renames:
            body = {source.request_renames.get(key, key): value for key, value in body.items()}
        query = dict(request.query)
        for name in source.path_to_query:
            query[name] = [request.path_params.get(name, "")]
        operation = self.contract.operations[source.operation]
        return dataclasses.replace(request, operation=operation, body=body, query=query)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if reply.failure is not None:
            reply = self.error(reply, native)
            reply.pretty = native.operation.family in PRETTY_FAMILIES
            return reply
        source = SOURCES.get(native.operation.operation_id)
        if source is None:
            return reply
        reply = to_dec2025(View(native, self.catalogue, self.epoch), reply, source.payload)
        reply.pretty = native.operation.family in PRETTY_FAMILIES and reply.content is None and reply.stream is None
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        if reply.failure is None:
            return reply
        generation_id = native.generation_id if native is not None else ""
        older = self.errors.reshape(render_failure(reply.failure, self.errors.family, generation_id))
        reply.status, reply.body, reply.headers = older.status, older.body, older.headers
        reply.content, reply.stream, reply.pretty = None, None, False
        return reply
