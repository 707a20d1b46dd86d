"""Findings reported beside the engine rather than through it.

A finding check (client compatibility) that raised inside Schemathesis would fail its case:
Hypothesis would then spend the phase shrinking toward it and stop looking for the breaches
of that operation. Such checks hand their finding to the run's :class:`FindingSink` and let
the case pass.
"""

from __future__ import annotations

import threading
from typing import Any

from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult


class FindingSink:
    def __init__(self, result: RunResult, redactor: Redactor):
        self.result = result
        self.redactor = redactor
        self._lock = threading.Lock()

    def __call__(self, check: str, case: Any, response: Any, failure: Any) -> None:
        excerpt = (response.content or b"")[:600].decode("utf-8", errors="replace")
        record = FailureRecord(
            check=check,
            operation=failure.operation or case.operation.label,
            title=failure.title,
            message=self.redactor.text(failure.message or ""),
            phase="engine",
            curl=[self.redactor.text(_curl(case, response))],
            expected=self.redactor.text(failure.expected),
            actual=self.redactor.text(failure.actual),
            status=response.status_code,
            response_excerpt=self.redactor.text(excerpt) if excerpt else None,
        )
        with self._lock:
            self.result.add_failure(record)


def _curl(case: Any, response: Any) -> str:
    request = getattr(response, "request", None)
    headers = dict(getattr(request, "headers", None) or {})
    try:
        return case.as_curl_command(headers=headers)
    except Exception:
        return case.as_curl_command()
