"""The one check of an answer against a contract, for every kind of response object a test holds.

``contract_checker("2026-03").check(response)`` reads the method, path, query and request body
from the response's own request (Starlette's TestClient and httpx/httpx2 responses, SDK raw
responses' ``http_response``, Schemathesis responses), so a test only says what it expects to
differ (``path=`` for a request it sent elsewhere, ``request_body=`` where none was recorded).
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockserver.contract import load_admin_contract, load_contract
from tests.support.response_checker import Exchange, ResponseChecker


class ContractChecker:
    """A contract's verdict on answers: ``problems(response)`` lists them, ``check`` asserts none."""

    def __init__(self, spec: dict[str, Any]):
        self.responses = ResponseChecker(spec)
        self.base_path = self.responses.index.base_path

    def exchange(self, response: Any, **given: Any) -> Exchange:
        request = getattr(response, "request", None)
        url = urlsplit(str(getattr(request, "url", "") or ""))
        path = given.pop("path", None) or _without(url.path, self.base_path)
        request_headers = _flat(getattr(request, "headers", None) or {})
        return Exchange(
            method=given.pop("method", None) or getattr(request, "method", "GET"),
            path=path,
            status=response.status_code,
            headers=_flat(response.headers),
            content=response.content,
            query=given.pop("query", None) or dict(parse_qsl(url.query)),
            request_headers=given.pop("request_headers", None) or request_headers,
            request_body=given.pop("request_body", None) or _body_of(request),
            **given,
        )

    def problems(self, response: Any, **given: Any) -> list[str]:
        """Every way ``response`` breaks the contract (empty when it conforms)."""
        return self.responses.problems(self.exchange(response, **given))

    def event_problems(self, schema: dict[str, Any] | None, event: dict[str, str]) -> list[str]:
        return self.responses.event_problems(schema, event)

    def check(self, response: Any, **given: Any) -> Any:
        """Assert that ``response`` conforms; hand it back for further assertions."""
        exchange = self.exchange(response, **given)
        problems = self.responses.problems(exchange)
        assert problems == [], f"{exchange.method} {exchange.path} -> {exchange.status}: {problems}"
        return response


@functools.cache
def contract_checker(name: str = "2026-03") -> ContractChecker:
    """The checker of a contract by name (``"admin"`` is the mock's own ``/__mock/`` API); built once."""
    return ContractChecker(load_admin_contract() if name == "admin" else load_contract(name))


def assert_conforms(response: Any, contract: str = "2026-03", **given: Any) -> Any:
    """Assert that ``response`` conforms to ``contract``; hand it back."""
    return contract_checker(contract).check(response, **given)


def _without(path: str, base_path: str) -> str:
    return path[len(base_path) :] if base_path and path.startswith(base_path) else path


def _flat(headers: Any) -> dict[str, str]:
    """A plain ``{name: value}`` of any headers object (lists of values joined as on the wire)."""
    items = headers.items() if hasattr(headers, "items") else headers
    return {str(k): ", ".join(v) if isinstance(v, list) else str(v) for k, v in items}


def _body_of(request: Any) -> bytes:
    if request is None:
        return b""
    for attr in ("content", "body"):
        try:
            body = getattr(request, attr, None)
        except Exception:  # a streamed request body that was never read
            continue
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode()
    return b""
