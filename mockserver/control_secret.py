"""The operator's control secret (a gate of the pipeline, listed by :mod:`mockserver.pipeline.assembly`).

Operations that declare an ``x-control-secret`` header (provider derank status, gateway
key cache invalidation) need it on top of a key. After authentication, in the gateway's
order: no secret configured on the server (``serve --control-secret``) → 503
``control_secret_missing``; a missing or different header → 403 ``forbidden``.
"""

from __future__ import annotations

import hmac
from typing import Any

from mockserver.errors import GatewayFailure

HEADER = "x-control-secret"


def needs_control_secret(operation: Any) -> bool:
    return any(
        param.get("in") == "header" and param.get("name", "").lower() == HEADER for param in operation.parameters
    )


def check_control_secret(ctx: Any) -> None:
    """503 without a configured secret, 403 unless the header matches it."""
    if not needs_control_secret(ctx.operation):
        return
    configured = ctx.settings.api.control_secret
    if not configured:
        raise GatewayFailure(503, "control_secret_missing", "No control secret is configured on this server")
    given = ctx.request.header(HEADER) or ""
    if not hmac.compare_digest(given.encode(), configured.encode()):
        raise GatewayFailure(403, "forbidden", "Invalid control secret")


class ControlSecretCheck:
    """Gate: the operator routes need the server's control secret."""

    def check(self, ctx: Any) -> None:
        check_control_secret(ctx)
