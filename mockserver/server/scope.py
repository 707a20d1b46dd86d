"""Per-request data the server layers share through the ASGI scope."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

EXTENSION = "aistats"


def request_data(scope: Scope) -> dict[str, Any]:
    """The mutable mapping where middleware, security and validators leave their findings."""
    return scope.setdefault("extensions", {}).setdefault(EXTENSION, {})


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


def headers_dict(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[name] = f"{out[name]},{text}" if name in out else text
    return out
