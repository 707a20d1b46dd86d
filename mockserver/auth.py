"""Gateway API keys: parsing the bearer header exactly as the gateway does (§1), and the
mock's rule for the team of a key it did not mint (docs/teams.md).

The team rule: a kid of the form ``<label>.<anything>`` whose label is 1–32 letters, digits
or hyphens (starting with a letter or digit) belongs to team ``team_<label>``, exactly as
written; every other kid belongs to :data:`DEFAULT_TEAM`. ``aistats_v1_sk_acme.k1_secret``
is team ``team_acme``; ``aistats_v1_sk_demo_secret`` is ``team_mock``, as is
``aistats_v1_sk_mock.ci_secret``. Keys minted by ``/management/keys`` carry the team of the
key that minted them instead (the state store knows it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockserver.errors import GatewayFailure, unauthorised

KEY_PREFIXES = {"2026-03": "sk", "2025-12": "k"}
#: The team of every unminted key whose kid names no team.
DEFAULT_TEAM = "team_mock"
_TEAM_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")


def team_of_kid(kid: str) -> str:
    """``acme.k1`` → ``team_acme``; a kid without a valid ``<label>.`` prefix → ``team_mock``."""
    label, dot, _ = kid.partition(".")
    if dot and _TEAM_LABEL.fullmatch(label):
        return f"team_{label}"
    return DEFAULT_TEAM


@dataclass(frozen=True)
class ApiKey:
    kid: str
    secret: str
    token: str

    @property
    def team_id(self) -> str:
        """The team the kid names (:func:`team_of_kid`); the state store knows minted keys' teams."""
        return team_of_kid(self.kid)


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


__all__ = [
    "DEFAULT_TEAM",
    "KEY_PREFIXES",
    "ApiKey",
    "GatewayFailure",
    "authenticate",
    "parse_key",
    "read_bearer",
    "team_of_kid",
]
