"""What a client asks of the mock for one request: ``Prefer`` header and query forms.

``Prefer: code=429, example=big, dynamic=true`` (Prism's convention) or the query
parameters ``__code``, ``__example``, ``__dynamic`` choose a documented status, a named
example or schema-generated data. ``X-Mock-Seed`` overrides the server seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.model import MockRequest

MOCK_QUERY_PARAMS = ("__code", "__example", "__dynamic")


@dataclass(frozen=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False


def _parse_prefer(header: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in (header or "").replace(";", ",").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            found[key.strip().lower()] = value.strip().strip('"')
    return found


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes", "on"}


def read_preferences(request: MockRequest) -> Preferences:
    prefer = _parse_prefer(request.header("prefer"))
    code = request.query_value("__code") or prefer.get("code")
    example = request.query_value("__example") or prefer.get("example")
    dynamic = _truthy(request.query_value("__dynamic") or prefer.get("dynamic"))
    status = int(code) if code and code.isdigit() and len(code) <= 3 else None  # an HTTP status or nothing
    return Preferences(code=status, example=example or None, dynamic=dynamic)
