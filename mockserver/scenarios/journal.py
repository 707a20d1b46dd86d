"""The journal: the last N requests the mock served, kept so tests can see what was sent.

Pure data: the server layer opens an entry when a request arrives and completes it when
the answer has gone out (or the connection was dropped). Bodies are kept byte for byte:
UTF-8 text as is, anything else as base64. ``Authorization`` and other credential
headers are redacted (only the scheme, e.g. ``Bearer``, is kept).
"""

from __future__ import annotations

import base64
import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REDACTED_HEADERS = (
    "authorization",
    "x-api-key",
    "cookie",
    "x-aistats-internal-token",
    "x-ai-stats-internal-token",
    "x-internal-token",
)


def redact(name: str, value: str) -> str:
    """Credentials are never kept: ``Bearer abc`` becomes ``Bearer [redacted]``."""
    if name.lower() not in REDACTED_HEADERS:
        return value
    scheme, _, token = value.partition(" ")
    return f"{scheme} [redacted]" if token else "[redacted]"


def encode_body(raw: bytes) -> dict[str, Any]:
    """``{"encoding": "utf-8", "text": ...}`` or ``{"encoding": "base64", "base64": ...}``."""
    try:
        return {"encoding": "utf-8", "text": raw.decode("utf-8"), "size": len(raw)}
    except UnicodeDecodeError:
        return {"encoding": "base64", "base64": base64.b64encode(raw).decode("ascii"), "size": len(raw)}


def decode_body(stored: dict[str, Any]) -> bytes:
    if stored["encoding"] == "base64":
        return base64.b64decode(stored["base64"])
    return stored["text"].encode("utf-8")


@dataclass
class Entry:
    seq: int
    received_at: float
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    client: str | None = None
    operation_id: str | None = None
    generation_id: str | None = None
    scenario: str | None = None
    rule: str | None = None
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = "pending"
    duration_ms: float | None = None

    def complete(self, *, status: int | None, outcome: str, duration_ms: float) -> None:
        self.status, self.outcome, self.duration_ms = status, outcome, round(duration_ms, 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "received_at": self.received_at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "client": self.client,
            "headers": [[name, redact(name, value)] for name, value in self.headers],
            "body": encode_body(self.body),
            "operation_id": self.operation_id,
            "generation_id": self.generation_id,
            "scenario": self.scenario,
            "rule": self.rule,
            "status": self.status,
            "response_headers": [list(pair) for pair in self.response_headers],
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
        }


class Journal:
    """A bounded ring buffer of :class:`Entry`, oldest dropped first (thread-safe)."""

    def __init__(self, capacity: int = 500):
        self.capacity = max(1, capacity)
        self._entries: deque[Entry] = deque(maxlen=self.capacity)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, **fields: Any) -> Entry:
        with self._lock:
            entry = Entry(seq=next(self._seq), **fields)
            self._entries.append(entry)
        return entry

    def entries(self, *, limit: int | None = None, since: int = 0) -> list[Entry]:
        with self._lock:
            found = [entry for entry in self._entries if entry.seq > since]
        return found[-limit:] if limit else found

    def clear(self) -> int:
        with self._lock:
            removed = len(self._entries)
            self._entries.clear()
        return removed

    def __len__(self) -> int:
        return len(self._entries)
