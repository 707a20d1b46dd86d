"""CORS headers for every ``/v1`` answer and preflight, so a browser app can use the mock.

The gateway allows a fixed list of request headers and exposes none (GATEWAY-BEHAVIOUR,
runtime basics). The mock keeps that list and adds what a browser app needs to drive it:

- the request headers the mock reads (``Prefer`` and every ``X-Mock-*`` header), so a
  preflight for ``X-Mock-Scenario`` or ``X-Mock-Seed`` succeeds;
- ``Access-Control-Expose-Headers`` naming every response header the contract documents
  (``X-Gateway-Error-Attribution``, ``Server-Timing``, ``Vary`` ...) and the mock's own,
  so ``fetch()`` can read them. The CORS-safelisted ones (``Cache-Control``,
  ``Content-Type`` ...) are readable anyway and are left out.
"""

from __future__ import annotations

from typing import Any

from mockserver.enrichment.meta import TPS_HEADER, TTFT_HEADER
from mockserver.scenarios.catalogue import JOB_OUTCOME_HEADER
from mockserver.scenarios.control import LATENCY_HEADER, SCENARIO_HEADER

#: What the gateway allows, in its spelling.
GATEWAY_ALLOW_HEADERS = (
    "Authorization",
    "Content-Type",
    "x-title",
    "http-referer",
    "x-gateway-debug",
    "X-AIStats-Strictness",
    "x-aistats-cache-revalidate",
)
#: Request headers only the mock reads.
MOCK_REQUEST_HEADERS = (
    "Prefer",
    "X-Mock-Seed",
    SCENARIO_HEADER,
    LATENCY_HEADER,
    TTFT_HEADER,
    TPS_HEADER,
    JOB_OUTCOME_HEADER,
)
#: Response headers the mock sends that no operation documents.
MOCK_RESPONSE_HEADERS = ("X-Accel-Buffering", "X-Mock-Worker")
#: Response headers a browser lets scripts read without being told (Fetch standard).
SAFELISTED = {
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
}


def exposed_headers(index: Any) -> list[str]:
    """Every response header the contract documents, and the mock's own, minus the safelisted."""
    names: dict[str, str] = {}
    for operation in index.operations.values():
        for response in operation.responses.values():
            for name in response.headers:
                names.setdefault(name.lower(), name)
    for name in MOCK_RESPONSE_HEADERS:
        names.setdefault(name.lower(), name)
    return sorted((name for key, name in names.items() if key not in SAFELISTED), key=str.lower)


def cors_headers(index: Any) -> list[tuple[bytes, bytes]]:
    """The CORS headers of every ``/v1`` answer (and of the 204 preflight answer)."""
    allowed = ", ".join(dict.fromkeys([*GATEWAY_ALLOW_HEADERS, *(_title(h) for h in MOCK_REQUEST_HEADERS)]))
    return [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", b"GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        (b"access-control-max-age", b"86400"),
        (b"access-control-allow-headers", allowed.encode()),
        (b"access-control-expose-headers", ", ".join(exposed_headers(index)).encode()),
    ]


def _title(name: str) -> str:
    """``x-mock-ttft-ms`` → ``X-Mock-TTFT-Ms`` style (header names are case-insensitive)."""
    return "-".join(part.upper() if part in ("ttft",) else part.capitalize() for part in name.split("-"))
