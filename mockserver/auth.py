"""Gateway API keys: parsing the bearer header exactly as the gateway does (§1)."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.errors import GatewayFailure, unauthorised

KEY_PREFIXES = {"2026-03": "sk", "2025-12": "k"}


@dataclass(frozen=True)
class ApiKey:
    kid: str
    secret: str
    token: str

    @property
    def team_id(self) -> str:
        """Every key of the mock belongs to one team unless the state store knows better."""
        return "team_mock"


def read_bearer(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer`` header (prefix is case-sensitive)."""
    if not authorization or not authorization.startswith("Bearer "):
        raise unauthorised("missing_or_invalid_authorization_header")
    token = authorization[len("Bearer ") :].strip()
    if not token:
        raise unauthorised("missing_or_invalid_authorization_header")
    return token


def parse_key(token: str, key_kind: str = "sk") -> ApiKey:
    """Split ``aistats_v1_<kind>_<kid>_<secret>``; the secret may contain underscores."""
    parts = token.split("_")
    if len(parts) < 5 or parts[0] != "aistats" or parts[1] != "v1" or parts[2] != key_kind:
        raise unauthorised("invalid_key_format")
    kid, secret = parts[3], "_".join(parts[4:])
    if not kid or not secret:
        raise unauthorised("invalid_key_format")
    return ApiKey(kid=kid, secret=secret, token=token)


def authenticate(authorization: str | None, key_kind: str = "sk") -> ApiKey:
    """Parse and return the key, or raise the 401 the gateway would give."""
    return parse_key(read_bearer(authorization), key_kind)


__all__ = ["ApiKey", "GatewayFailure", "KEY_PREFIXES", "authenticate", "parse_key", "read_bearer"]
