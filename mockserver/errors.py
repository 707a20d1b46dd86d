"""The failures the mock answers with, independent of how they are encoded.

A :class:`GatewayFailure` carries what the gateway would decide (status, code,
description, validation details); :mod:`mockserver.encoding.envelopes` renders it in
the envelope of the route family that failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Codes whose name makes the gateway blame the user (GATEWAY-BEHAVIOUR §2).
_USER_WORDS = (
    "invalid_json",
    "validation",
    "unsupported_model_or_endpoint",
    "unsupported_modalities",
    "bad_request",
    "missing_required",
)
_SYSTEM_WORDS = ("gateway", "upstream", "internal", "timeout", "rate_limit", "forbidden", "unauthorized")
_UPSTREAM_WORDS = ("gateway", "upstream", "internal", "timeout", "routing", "executor")


@dataclass
class ValidationDetail:
    message: str
    path: list[str | int]
    keyword: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "path": list(self.path), "keyword": self.keyword, "params": self.params}

    def render(self) -> str:
        """``messages[1].content: <message>``, or the bare message for the whole body."""
        where = render_path(self.path)
        return f"{where}: {self.message}" if where else self.message


def render_path(path: list[str | int]) -> str:
    """A field path as a client writes it: ``messages[1].content``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class GatewayFailure(Exception):
    """An error answer: raised anywhere in the pipeline, rendered by the encoder."""

    def __init__(
        self,
        status: int,
        code: str,
        description: str | None = None,
        *,
        reason: str | None = None,
        details: list[ValidationDetail] | None = None,
        extra: dict[str, Any] | None = None,
        passthrough: bool = False,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(f"{status} {code}: {description or reason or code}")
        self.status = status
        self.code = code
        self.reason = reason
        self.details = details or []
        self.extra = extra or {}
        self.passthrough = passthrough
        self.headers = headers or {}
        self.description = description or reason or (self.details[0].render() if self.details else code)

    @property
    def error_type(self) -> str:
        code = self.code.lower()
        if any(word in code for word in _USER_WORDS):
            return "user"
        if any(word in code for word in _SYSTEM_WORDS):
            return "system"
        return "system" if self.status >= 500 or self.status in (401, 403, 408, 429) else "user"

    @property
    def attribution(self) -> str:
        if self.passthrough:
            return "upstream" if self.status >= 500 or self.status in (408, 429) else "user"
        code = self.code.lower()
        return "upstream" if self.status >= 500 or any(word in code for word in _UPSTREAM_WORDS) else "user"


def validation_failure(details: list[ValidationDetail], *, code: str = "validation_error") -> GatewayFailure:
    return GatewayFailure(400, code, details=details)


def invalid_json(message: str) -> GatewayFailure:
    return GatewayFailure(400, "invalid_json", "invalid_json", details=[ValidationDetail(message, [], "invalid_json")])


def unauthorised(reason: str) -> GatewayFailure:
    return GatewayFailure(401, "unauthorised", reason, reason=reason)


def not_found(reason: str, **extra: Any) -> GatewayFailure:
    return GatewayFailure(404, "not_found", reason, reason=reason, extra=extra)
