"""Direct HTTP probes for the gateway workflows that need full control of each request.

Round trips, tenant isolation, the wallet and malformed-input probes build requests
Schemathesis would never generate (an answer sent back, a second identity, raw bytes).
A :class:`Probe` sends them with httpx, records every finding in the run's result with a
redacted curl to reproduce it, and tallies passes per operation and check.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from conformance.options import Options
from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult


@dataclass
class Answer:
    """One exchange: what was sent, what came back (status None = no answer), how long it took."""

    method: str
    path: str
    status: int | None
    headers: dict[str, str]
    content: bytes
    seconds: float
    sent_headers: dict[str, str]
    sent_body: bytes | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


class Probe:
    """Sends requests to the target and records what the checks find."""

    def __init__(
        self,
        options: Options,
        result: RunResult,
        redactor: Redactor,
        selected: list[str],
        progress: Callable[[str], None],
    ):
        self.options = options
        self.result = result
        self.redactor = redactor
        self.selected = set(selected)
        self.progress = progress
        self.client = httpx.Client(base_url=options.base_url, timeout=options.request_timeout)
        self.headers = {**options.extra_headers}
        if options.api_key:
            self.headers["Authorization"] = f"Bearer {options.api_key}"
        self._interval = _interval(options.rate_limit)
        self._last = 0.0
        #: A run with a spend cap (the live profile) leaves the dear probes (video and music jobs) out.
        self.capped = options.max_spend_usd is not None

    def _pace(self) -> None:
        wait = self._last + self._interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()

    def close(self) -> None:
        self.client.close()

    def wants(self, *checks: str) -> bool:
        return any(name in self.selected for name in checks)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: str | None = None,
        query: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Answer:
        sent = {**self.headers, **(headers or {})}
        if auth is not None:
            sent["Authorization"] = f"Bearer {auth}"
        content = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if content is not None and raw is None:
            sent.setdefault("Content-Type", "application/json")
        self._pace()
        started = time.monotonic()
        try:
            response = self.client.request(
                method,
                path,
                content=content,
                headers=sent,
                params=query,
                timeout=timeout or self.options.request_timeout,
            )
        except httpx.HTTPError as exc:
            seconds = time.monotonic() - started
            return Answer(method, path, None, {}, b"", seconds, sent, content, f"{type(exc).__name__}: {exc}")
        seconds = time.monotonic() - started
        return Answer(
            method, path, response.status_code, dict(response.headers), response.content, seconds, sent, content
        )

    def alive(self) -> bool:
        """Whether the target still accepts connections (a crashed one does not)."""
        try:
            self.client.get("/", timeout=min(5.0, self.options.request_timeout))
        except httpx.HTTPError:
            return False
        return True

    def abandon(self, method: str, path: str, *, body: Any) -> Answer:
        """Open a streamed answer, read its first bytes and hang up (a client that abandons it)."""
        sent = {**self.headers, "Content-Type": "application/json"}
        content = json.dumps(body).encode()
        self._pace()
        started = time.monotonic()
        try:
            with self.client.stream(method, path, content=content, headers=sent) as response:
                first = next(response.iter_raw(), b"")
                status, headers = response.status_code, dict(response.headers)
        except httpx.HTTPError as exc:
            return Answer(method, path, None, {}, b"", time.monotonic() - started, sent, content, str(exc))
        return Answer(method, path, status, headers, first, time.monotonic() - started, sent, content)

    def curl(self, answer: Answer) -> str:
        parts = ["curl", "-X", answer.method, self.options.base_url + answer.path]
        for name, value in answer.sent_headers.items():
            parts += ["-H", f"{name}: {value}"]
        if answer.sent_body is not None:
            parts += ["--data-binary", answer.sent_body.decode("utf-8", errors="replace")[:4000]]
        return self.redactor.text(" ".join(shlex.quote(part) for part in parts))

    def passed(self, check: str, answer: Answer | str) -> None:
        label = answer if isinstance(answer, str) else answer.label
        summary = self.result.operation(label)
        summary.tally(check).passed += 1

    def failed(self, check: str, answer: Answer, title: str, expected: str, actual: str, *more: Answer) -> None:
        self.result.operation(answer.label).tally(check).failed += 1
        excerpt = answer.content[:600].decode("utf-8", errors="replace") if answer.content else None
        self.result.add_failure(
            FailureRecord(
                check=check,
                operation=answer.label,
                title=title,
                message=self.redactor.text(f"Expected: {expected}\nActual: {actual}"),
                phase="workflows",
                curl=[self.curl(step) for step in (*more, answer)],
                expected=self.redactor.text(expected),
                actual=self.redactor.text(actual),
                status=answer.status,
                response_excerpt=self.redactor.text(excerpt) if excerpt else None,
            )
        )

    def judge(self, check: str, answer: Answer, problem: tuple[str, str, str] | None, *more: Answer) -> None:
        """Record ``problem`` (title, expected, actual) as a failure of ``check``, or a pass."""
        if problem is None:
            self.passed(check, answer)
        else:
            self.failed(check, answer, *problem, *more)


def _interval(rate_limit: str | None) -> float:
    """Seconds between requests for a Schemathesis-style rate (``"2/s"``, ``"100/m"``); 0 = unpaced."""
    if not rate_limit or "/" not in rate_limit:
        return 0.0
    count, _, unit = rate_limit.partition("/")
    seconds = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}.get(unit.strip()[-1:], 1.0)
    try:
        return seconds / max(1, int(count))
    except ValueError:
        return 0.0


def excerpt(answer: Answer, limit: int = 240) -> str:
    if answer.status is None:
        return f"no answer ({answer.error})"
    text = answer.content[:limit].decode("utf-8", errors="replace")
    return f"{answer.status} {text}"
