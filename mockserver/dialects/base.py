"""The typed interface every dialect offers, and the surface a server serves.

:class:`Dialect` is a pair of pure mappings: ``inbound`` (a request as the served surface
received it → the current contract's request) and ``outbound`` (the gateway's reply to it
→ the surface's reply); ``error`` renders a gateway error reply alone, for refusals the
server gives before any dispatch (authentication, validation). :class:`Surface` is what a
server routes and validates: its OpenAPI document, the index over it and the dialect of
each of its operations (none: served as the contract itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.contract import ContractIndex, Operation
from mockserver.model import MockReply, MockRequest
from mockserver.validation.schemas import SchemaCompiler


class Dialect(Protocol):
    #: The dialect's name, as operations of a surface name it (``x-aistats-dialect``).
    name: str

    def inbound(self, request: MockRequest) -> MockRequest:
        """The request as the current contract's operation receives it."""

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        """The gateway's reply to the mapped request, as the surface answers ``native``."""

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        """A gateway error reply (any envelope, status kept) in the surface's error shape."""

    def answers_with(self, operation_id: str) -> str:
        """The contract's operationId that answers the surface's ``operation_id``."""


class OneOperation:
    """For adapters that answer every operation they serve with one contract operation."""

    operation: Operation

    def answers_with(self, operation_id: str) -> str:
        return self.operation.operation_id


@dataclass(frozen=True)
class Surface:
    """The API a server serves: routed and validated from ``spec``, answered through ``dialects``."""

    spec: dict[str, Any]
    index: ContractIndex
    compiler: SchemaCompiler
    #: served operationId → its adapter; empty when the surface is the contract itself.
    dialects: Mapping[str, Dialect] = field(default_factory=dict)
    #: True when any non-empty key is a caller, read where the surface's security schemes say
    #: (the providers' APIs); False for the gateway's own key check (a contract, old or new).
    any_key: bool = False

    def dialect_for(self, operation_id: str) -> Dialect | None:
        return self.dialects.get(operation_id)
