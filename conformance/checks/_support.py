"""Shared plumbing of the gateway checks: the failure type and response helpers."""

from __future__ import annotations

import json
from typing import Any

from schemathesis.core.failures import Failure, Severity

#: Every gateway check, by name, with the property it asserts (filled by the modules).
GATEWAY_CHECKS: dict[str, str] = {}


def register(name: str, description: str) -> None:
    GATEWAY_CHECKS[name] = description


class GatewayCheckFailure(Failure):
    """A gateway property that does not hold; ``expected``/``actual`` say how."""

    code = "ST950"
    kind_title = "Gateway contract breach"

    def __init__(
        self,
        *,
        check: str,
        operation: str | None,
        title: str,
        expected: str,
        actual: str,
        case_id: str | None = None,
        severity: Severity = Severity.HIGH,
    ) -> None:
        super().__init__(
            operation=operation,
            title=title,
            message=f"Expected: {expected}\nActual: {actual}",
            case_id=case_id,
            severity=severity,
        )
        self.check = check
        self.expected = expected
        self.actual = actual

    @property
    def _unique_key(self) -> str:
        return f"{self.check}|{self.title}"


def is_probe(case: Any) -> bool:
    """A request sent with a method the operation does not declare (Schemathesis's coverage probes)."""
    return case.method.upper() != str(case.operation.method).upper()


def fail(check: str, case: Any, title: str, expected: Any, actual: Any) -> GatewayCheckFailure:
    return GatewayCheckFailure(
        check=check,
        operation=case.operation.label,
        title=title,
        expected=_short(expected),
        actual=_short(actual),
    )


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def media_type(response: Any) -> str:
    values = response.headers.get("content-type") or response.headers.get("Content-Type") or [""]
    value = values[0] if isinstance(values, list) else values
    return value.split(";")[0].strip().lower()


def header(response: Any, name: str) -> str | None:
    for key, values in response.headers.items():
        if key.lower() == name.lower():
            return values[0] if isinstance(values, list) else values
    return None


def json_body(response: Any) -> Any:
    """The decoded JSON body, or None when the answer is not JSON."""
    if not media_type(response).endswith("json") or not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def is_stream(response: Any) -> bool:
    return media_type(response) == "text/event-stream"


def request_header(response: Any, name: str) -> str | None:
    request = getattr(response, "request", None)
    headers = getattr(request, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def path_parameter(case: Any, *names: str) -> str | None:
    params = case.path_parameters or {}
    for name in names:
        if params.get(name) is not None:
            return str(params[name])
    return None
