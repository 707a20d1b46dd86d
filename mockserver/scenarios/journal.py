"""The journal: the last requests the mock served, kept so tests can see what was sent.

Pure data: the server layer opens an entry when a request arrives and completes it when
the answer has gone out (or the connection was dropped). It is bounded twice: by count
(``--journal-size``) and by bytes (``--journal-max-mb``), oldest dropped first. Bodies
up to ``--journal-body-kb`` are kept byte for byte (UTF-8 text as is, anything else as
base64); a larger body is kept as its first ``--journal-body-kb`` bytes with its size
and SHA-256 (``body_truncated``). Credentials are never kept (:mod:`.redaction`).
Answers are read a page at a time (:meth:`Journal.page`), at most :data:`PAGE_BYTES`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mockserver.scenarios.redaction import redact_body, redact_header, redact_headers, redact_prefix, redact_query
from mockserver.settings import ScenarioSettings

#: Kept for callers of the old name.
redact = redact_header

#: The most a page of the journal holds (entries' kept bytes; at least one entry).
PAGE_BYTES = 8 * 1024 * 1024
#: What an entry costs beyond its body and headers (the object, its fields).
ENTRY_OVERHEAD = 600


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
    reply: str | None = None
    #: The cassette that answered (``--replay``) or recorded the forwarded exchange.
    cassette: str | None = None
    #: The token counts the answer reported (``Outcome.usage``).
    usage: dict[str, Any] | None = None
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    outcome: str = "pending"
    duration_ms: float | None = None
    #: The size of the body as received, and for a truncated one its SHA-256.
    body_bytes: int = 0
    body_truncated: bool = False
    body_sha256: str | None = None
    body_redacted: bool = False
    #: The answer's body as sent (an SSE stream's frames, redacted, cut like the request's),
    #: its size as sent, and whether only its start is kept; None until the answer is over.
    response_body: bytes | None = None
    response_body_bytes: int = 0
    response_body_truncated: bool = False

    def complete(self, *, status: int | None, outcome: str, duration_ms: float) -> None:
        self.status, self.outcome, self.duration_ms = status, outcome, round(duration_ms, 3)

    @property
    def size(self) -> int:
        """Roughly the bytes this entry holds (what the journal's byte bound counts)."""
        heads = sum(len(name) + len(value) for name, value in self.headers)
        answer = len(self.response_body or b"")
        return ENTRY_OVERHEAD + len(self.body) + answer + heads + len(self.path) + len(self.query)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "received_at": self.received_at,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "client": self.client,
            "headers": [list(pair) for pair in self.headers],
            "body": encode_body(self.body),
            "body_bytes": self.body_bytes,
            "body_truncated": self.body_truncated,
            "body_sha256": self.body_sha256,
            "body_redacted": self.body_redacted,
            "operation_id": self.operation_id,
            "generation_id": self.generation_id,
            "scenario": self.scenario,
            "rule": self.rule,
            "reply": self.reply,
            "cassette": self.cassette,
            "usage": self.usage,
            "status": self.status,
            "response_headers": [list(pair) for pair in redact_headers(self.response_headers)],
            "response_body": None if self.response_body is None else encode_body(self.response_body),
            "response_body_bytes": self.response_body_bytes,
            "response_body_truncated": self.response_body_truncated,
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
        }


def kept_body(raw: bytes, content_type: str, limit: int) -> dict[str, Any]:
    """The ``body*`` fields of an entry: redacted, and cut to ``limit`` bytes if larger."""
    if len(raw) <= limit:
        body, redacted = redact_body(raw, content_type)
        return {"body": body, "body_bytes": len(raw), "body_redacted": redacted}
    prefix = _utf8_prefix(raw, limit)
    kept = redact_prefix(prefix)
    return {
        "body": kept,
        "body_bytes": len(raw),
        "body_truncated": True,
        "body_sha256": hashlib.sha256(raw).hexdigest(),
        "body_redacted": kept != prefix,
    }


def _utf8_prefix(raw: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes, shortened by up to 3 so as not to split a UTF-8 character."""
    prefix = raw[:limit]
    for cut in range(4):
        try:
            (prefix[: len(prefix) - cut] if cut else prefix).decode("utf-8")
        except UnicodeDecodeError:
            continue
        return prefix[: len(prefix) - cut] if cut else prefix
    return prefix


class Journal:
    """One process's journal (a single worker; :class:`~.shared_journal.SharedJournal` is the
    same over a :class:`~mockserver.state.journal_log.RecordLog` several workers share):
    a ring buffer of :class:`Entry` bounded by count and bytes, oldest dropped first
    (thread-safe)."""

    def __init__(
        self,
        capacity: int = ScenarioSettings.journal_size,
        max_bytes: int = ScenarioSettings.journal_max_bytes,
        body_limit: int = ScenarioSettings.journal_body_bytes,
    ):
        self.capacity = max(1, capacity)
        self.max_bytes = max(1, max_bytes)
        self.body_limit = max(0, body_limit)
        self._entries: deque[Entry] = deque()
        self._bytes = 0
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def open(self, *, headers: list[tuple[str, str]], body: bytes, query: str = "", **fields: Any) -> Entry:
        content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
        kept = kept_body(body, content_type, self.body_limit)
        with self._lock:
            entry = Entry(
                seq=next(self._seq), headers=redact_headers(headers), query=redact_query(query), **kept, **fields
            )
            self._entries.append(entry)
            self._bytes += entry.size
            self._trim()
        return entry

    def complete(self, entry: Entry, *, status: int | None, outcome: str, duration_ms: float) -> None:
        """Record how a request ended (the entry is this journal's own object: nothing to store)."""
        entry.complete(status=status, outcome=outcome, duration_ms=duration_ms)

    def answered(self, entry: Entry, start: bytes, size: int, content_type: str) -> None:
        """Keep ``start``, the first bytes (at least ``body_limit`` when there are more) of
        the ``size`` bytes the answer to ``entry`` sent, redacted and cut like a request body."""
        kept = kept_body(start, content_type, self.body_limit)
        with self._lock:
            before = entry.size
            entry.response_body = kept["body"]
            entry.response_body_bytes = size
            entry.response_body_truncated = size > len(start) or kept.get("body_truncated", False)
            if self._entries and self._entries[0].seq <= entry.seq <= self._entries[-1].seq:
                self._bytes += entry.size - before
                self._trim()

    def _trim(self) -> None:
        """Drop the oldest entries beyond the bounds (always keeping one); under the lock."""
        while len(self._entries) > 1 and (len(self._entries) > self.capacity or self._bytes > self.max_bytes):
            self._bytes -= self._entries.popleft().size

    def entries(self, *, limit: int | None = None, since: int = 0) -> list[Entry]:
        with self._lock:
            found = [entry for entry in self._entries if entry.seq > since]
        return found[-limit:] if limit else found

    def page(
        self, *, limit: int | None = None, after: int = 0, forward: bool = False, max_bytes: int = PAGE_BYTES
    ) -> tuple[list[Entry], int | None]:
        """Entries after ``after``, oldest first, within ``max_bytes``, and the cursor to
        continue from (None when the page reaches the newest entry).

        ``limit`` keeps the most recent ``limit`` of them, or with ``forward`` the next
        ``limit``.
        """
        with self._lock:
            found = [entry for entry in self._entries if entry.seq > after]
            newest = self._entries[-1].seq if self._entries else 0
        return cut_page(found, newest, limit=limit, forward=forward, max_bytes=max_bytes)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> int:
        with self._lock:
            removed = len(self._entries)
            self._entries.clear()
            self._bytes = 0
        return removed

    def __len__(self) -> int:
        return len(self._entries)


def cut_page(
    found: list[Entry], newest: int, *, limit: int | None, forward: bool, max_bytes: int
) -> tuple[list[Entry], int | None]:
    """One page of ``found`` (entries after the cursor, oldest first): the most recent ``limit``
    of them, or with ``forward`` the next ``limit``, within ``max_bytes`` (always at least one);
    and the cursor to continue from, None when the page reaches ``newest``."""
    if limit:
        found = found[:limit] if forward else found[-limit:]
    taken: list[Entry] = []
    size = 0
    for entry in found:
        if taken and size + entry.size > max_bytes:
            break
        taken.append(entry)
        size += entry.size
    more = bool(taken) and taken[-1].seq < newest
    return taken, taken[-1].seq if more else None


def page_chunks(header: dict[str, Any], entries: list[Entry], dumps) -> Iterator[bytes]:
    """A journal page as JSON, one entry per chunk: ``header``'s fields, then ``entries``."""
    head = dumps(header)
    yield head[:-1] + (b',"entries":[' if len(head) > 2 else b'"entries":[')
    for index, entry in enumerate(entries):
        yield (b"," if index else b"") + dumps(entry.as_dict())
    yield b"]}"
