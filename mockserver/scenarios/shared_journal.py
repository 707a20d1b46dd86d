"""The journal of several worker processes: :class:`~.journal.Journal`'s interface over a
shared :class:`~mockserver.state.journal_log.RecordLog` (``serve --workers N``).

Each entry is stored as JSON text plus its body's bytes when the request arrives, and how it
ended (a second, small JSON text) once its answer has gone out, so ``/__mock/journal`` and the verify API
(``/__mock/requests``) list every request whichever worker answered it, within the same
count and byte bounds as the in-memory journal.
"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson

from mockserver.scenarios.journal import PAGE_BYTES, Entry, Journal, cut_page, decode_body, encode_body, kept_body
from mockserver.scenarios.redaction import redact_headers, redact_query
from mockserver.settings import ScenarioSettings
from mockserver.state.interface import StateUnavailable
from mockserver.state.journal_log import RecordLog

#: The fields known only once the answer has gone out: the record's ``ending``.
ENDING = (
    "scenario",
    "rule",
    "reply",
    "cassette",
    "usage",
    "status",
    "response_headers",
    "response_body_bytes",
    "response_body_truncated",
    "outcome",
    "duration_ms",
)
_APART = {*ENDING, "seq", "body", "response_body"}


def entry_json(entry: Entry) -> str:
    """The request part of an entry as JSON text (without its ``seq``, the log's, and its body,
    the record's bytes)."""
    data = {name: value for name, value in entry.__dict__.items() if name not in _APART}
    return orjson.dumps(data).decode()


def ending_json(entry: Entry) -> str:
    ending = {name: getattr(entry, name) for name in ENDING}
    ending["response_body"] = None if entry.response_body is None else encode_body(entry.response_body)
    return orjson.dumps(ending).decode()


def entry_from_json(seq: int, text: str, body: bytes, ending: str | None) -> Entry:
    """The entry :func:`entry_json` and :func:`ending_json` wrote (pending while it has no ending)."""
    data = orjson.loads(text)
    data["seq"] = seq
    data["body"] = body
    data["headers"] = [tuple(pair) for pair in data["headers"]]
    if ending is not None:
        data.update(orjson.loads(ending))
        kept_answer = data.get("response_body")
        data["response_body"] = None if kept_answer is None else decode_body(kept_answer)
        data["response_headers"] = [tuple(pair) for pair in data["response_headers"]]
    return Entry(**data)


class SharedJournal:
    def __init__(self, log: RecordLog, body_limit: int = ScenarioSettings.journal_body_bytes):
        self.log = log
        self.capacity = log.capacity
        self.max_bytes = log.max_bytes
        self.body_limit = max(0, body_limit)

    def open(self, *, headers: list[tuple[str, str]], body: bytes, query: str = "", **fields: Any) -> Entry:
        content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
        kept = kept_body(body, content_type, self.body_limit)
        entry = Entry(seq=0, headers=redact_headers(headers), query=redact_query(query), **kept, **fields)
        # A lost log server (Redis): the request is still answered (and fails on the state it needs), unjournaled.
        with contextlib.suppress(StateUnavailable):
            entry.seq = self.log.append(entry.size, entry_json(entry), entry.body)
        return entry

    def answered(self, entry: Entry, start: bytes, size: int, content_type: str) -> None:
        """As :meth:`~.journal.Journal.answered`; stored with the entry's ending (the log's
        count bound then bounds it: at most ``body_limit`` bytes per entry)."""
        kept = kept_body(start, content_type, self.body_limit)
        entry.response_body = kept["body"]
        entry.response_body_bytes = size
        entry.response_body_truncated = size > len(start) or kept.get("body_truncated", False)

    def complete(self, entry: Entry, *, status: int | None, outcome: str, duration_ms: float) -> None:
        entry.complete(status=status, outcome=outcome, duration_ms=duration_ms)
        if entry.seq:  # (0: never stored)
            with contextlib.suppress(StateUnavailable):
                self.log.finish(entry.seq, ending_json(entry))

    def entries(self, *, limit: int | None = None, since: int = 0) -> list[Entry]:
        return [entry_from_json(*record) for record in self.log.read(after=since, limit=limit)]

    def page(
        self, *, limit: int | None = None, after: int = 0, forward: bool = False, max_bytes: int = PAGE_BYTES
    ) -> tuple[list[Entry], int | None]:
        """As :meth:`~.journal.Journal.page`."""
        newest = self.log.newest()
        return cut_page(self.entries(since=after), newest, limit=limit, forward=forward, max_bytes=max_bytes)

    @property
    def bytes(self) -> int:
        return self.log.stats()[1]

    def clear(self) -> int:
        return self.log.clear()

    def __len__(self) -> int:
        return self.log.stats()[0]


#: Either journal: one process's, or the workers' shared one.
AnyJournal = Journal | SharedJournal
