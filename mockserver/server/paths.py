"""Percent-encoded path parameters that Starlette's routing cannot carry.

The server decodes the path before routing (``scope["path"]``). Two decoded characters
then break it: ``/`` (from ``%2F``) splits one parameter into two segments, and a
newline (``%0A``) is not matched by the ``.*`` of the ``/v1`` mount. Such a request got
the plain 404 of an unknown path, although the gateway (Hono decodes with ``decodeURI``,
which keeps ``%2F``, and matches segments with ``[^/]+``) routes it to its operation.

:func:`make_routable` re-encodes just those characters inside each segment before
routing and remembers the real values; :func:`path_params` and :func:`request_path`
give the operation the decoded values again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.types import Scope

from mockserver.server.scope import request_state

_ESCAPES = {"%": "%25", "/": "%2F", "\n": "%0A"}


def make_routable(scope: Scope) -> None:
    """Rewrite ``scope["path"]`` so that every raw segment stays one routable segment."""
    raw = scope.get("raw_path")
    if not isinstance(raw, bytes | bytearray) or b"%" not in raw:
        return
    raw_path = bytes(raw).split(b"?", 1)[0].decode("latin-1")
    if unquote(raw_path) != scope.get("path"):
        return  # a root path or a rewrite we do not know about: leave routing alone
    aliases: dict[str, str] = {}
    segments = []
    for segment in raw_path.split("/"):
        value = unquote(segment)
        if "/" in value or "\n" in value:
            routed = "".join(_ESCAPES.get(char, char) for char in value)
            aliases[routed] = value
            value = routed
        segments.append(value)
    if aliases:
        state = request_state(scope)
        state.path_aliases = aliases
        state.decoded_path = scope["path"]
        scope["path"] = "/".join(segments)


def path_params(scope: Scope, params: Any = None) -> dict[str, str]:
    """The routed path parameters with their real (decoded) values."""
    aliases = request_state(scope).path_aliases
    found = scope.get("path_params", {}) if params is None else params
    return {key: aliases.get(str(value), str(value)) for key, value in found.items()}


def request_path(scope: Scope) -> str:
    """The decoded request path, as the client sent it."""
    return request_state(scope).decoded_path or scope["path"]
