"""The two values that flow through the mock: a request and the reply it gets.

Both are plain data, with no web framework behind them, so that scenario selection,
synthesis, enrichment and encoding can run (and be tested, and be reused by the
conformance suite) without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mockserver.contract.index import Operation
from mockserver.errors import GatewayFailure


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """What the pipeline decided for a request, beyond its answer (the journal shows it)."""

    scenario: str | None = None
    rule: str | None = None
    #: The reply rule that scripted the answer (``--replies``), if one did.
    reply: str | None = None
    #: The cassette (``--replay``) that answered, or that the forwarded exchange was recorded in.
    cassette: str | None = None
    #: The token counts the answer reported (its ``usage`` without the pricing), if it had any.
    usage: dict[str, Any] | None = None


@dataclass(frozen=True)
class MockRequest:
    """One request, resolved once by the server and never changed (``dataclasses.replace``
    makes the variants a dialect or a scenario needs)."""

    operation: Operation
    method: str
    path: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    raw_body: bytes = b""
    content_type: str = ""
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)
    key: Any = None
    seed: int = 0
    generation_id: str = ""
    #: ``scheme://host:port`` of this server as the client reached it (media URLs).
    origin: str = ""
    #: The operationId the client called when a dialect answers it through ``operation``
    #: (provider mode, an older contract); "" when the request is the contract's own.
    served_operation: str = ""

    def is_operation(self, operation_id: str) -> bool:
        """Whether ``operation_id`` names this request's operation: the one that answers it,
        or the one the client called (rules may name either)."""
        return operation_id in (self.operation.operation_id, self.served_operation or self.operation.operation_id)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def query_value(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def field(self, name: str, default: Any = None) -> Any:
        """A top-level field of a JSON object body or a form body."""
        return self.body.get(name, default) if isinstance(self.body, dict) else default


@dataclass
class Chunk:
    """One piece of a streamed answer: wait ``delay`` seconds, then send ``data``.

    ``action`` lets a scenario break the stream: ``"reset"`` closes the connection.
    """

    data: bytes
    delay: float = 0.0
    action: str | None = None


@dataclass
class MockReply:
    status: int = 200
    body: Any = None
    content: bytes | None = None
    stream: Iterable[Chunk] | None = None
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    pretty: bool = False
    #: Seconds to wait before the first byte (latency simulation).
    delay: float = 0.0
    #: What was generated, for the after-hooks (audit records, wallet debits): ``model``,
    #: ``provider``, ``usage`` (as sent), ``pricing`` (the priced object), ``meta``
    #: (timings), ``status``, ``stream``. Never encoded on the wire.
    summary: dict[str, Any] = field(default_factory=dict)
    #: The scenario and rule that chose this answer (never sent; the journal shows them).
    outcome: Outcome = field(default_factory=Outcome)
    #: The failure an error reply renders, so that a dialect can render it in its own terms.
    failure: GatewayFailure | None = None
    #: Usage and pricing add up by construction (a domain generator built them from one
    #: usage plan): the usage-consistency enricher need not walk the body.
    consistent: bool = False

    def chunks(self) -> Iterator[Chunk]:
        return iter(self.stream or ())

    def reported_usage(self) -> dict[str, Any] | None:
        """The usage this answer reports (``summary``'s), without the gateway's pricing objects."""
        usage = self.summary.get("usage")
        if not isinstance(usage, dict):
            return None
        return {name: value for name, value in usage.items() if not name.startswith("pricing")}
