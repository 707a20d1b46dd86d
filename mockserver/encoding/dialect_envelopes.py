"""Error envelopes of older contracts, as a table over the current envelopes.

A dialect renders a failure the way the current gateway renders it for one route family,
then keeps only the keys and headers the older gateway sent. The 2025-12 gateway used
one body on every route, ``{generation_id, status_code, error, description}``: today's
inference envelope without ``error_type``, ``details`` and the
``X-Gateway-Error-Attribution`` header (GATEWAY-BEHAVIOUR §11).
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.model import MockReply


@dataclass(frozen=True)
class ErrorDialect:
    #: The current route family whose envelope every route of the dialect starts from.
    family: str
    #: Body keys the dialect keeps, in order.
    keep: tuple[str, ...]
    #: Response headers the dialect never sent.
    drop_headers: tuple[str, ...] = ()

    def reshape(self, reply: MockReply) -> MockReply:
        body = reply.body if isinstance(reply.body, dict) else {}
        reply.body = {key: body[key] for key in self.keep if key in body}
        reply.headers = {
            name: value
            for name, value in reply.headers.items()
            if name.lower() not in {h.lower() for h in self.drop_headers}
        }
        reply.pretty = False
        return reply


ERROR_DIALECTS: dict[str, ErrorDialect] = {
    "2025-12": ErrorDialect(
        family="inference",
        keep=("generation_id", "status_code", "error", "description"),
        drop_headers=("X-Gateway-Error-Attribution",),
    ),
}


def error_dialect(name: str | None) -> ErrorDialect | None:
    """The error dialect a contract names, or None for the current envelopes."""
    return ERROR_DIALECTS.get(name) if name else None
