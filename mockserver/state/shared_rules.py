"""The rules added at run time, and which loaded files were cleared, as every worker sees them.

Scenario rules (``/__mock/rules``) and reply rules (``/__mock/replies``) are each a
``kind``. Rules from files (``--scenarios``, ``--replies``) are loaded by every worker from
the same files; what is shared is whether an admin ``DELETE`` dropped them, and the rule
sets posted at run time, as their JSON payloads, which each worker parses again (the same
payload gives the same rules). Their call counters live in :mod:`.counters`.

Contract of a :class:`RuleSets` implementation (:class:`MemoryRuleSets` for a single worker,
:class:`SqliteRuleSets` here; a Redis one would be a list per kind, a flag and an ``INCR``ed
version, changed in one ``MULTI``):

- ``version()`` changes (increases) whenever ``add`` or ``clear`` changes anything, in any
  process; a reader caches what it parsed until the version moves;
- ``add(kind, start, payload)`` appends a set (``payload`` is JSON-able; ``start`` is the
  number its rules' default names count from) and returns its id, unique and increasing;
- ``admin_sets(kind)`` lists ``(id, start, payload)`` in the order they were added;
- ``clear(kind, source)``: ``"admin"`` drops the added sets, ``"file"`` marks the files'
  rules dropped, ``None`` both;
- ``files_dropped(kind)`` says whether this launch's file rules were dropped (a new launch
  of the server, given a new ``launch`` id, loads its files again).
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any, Protocol

from mockserver.state.db import Database

#: The largest payload a rule set may have once encoded (the admin API's body limit is lower).
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024


class RuleSets(Protocol):
    def version(self) -> int: ...

    def add(self, kind: str, start: int, payload: Any) -> int: ...

    def admin_sets(self, kind: str) -> list[tuple[int, int, Any]]: ...

    def clear(self, kind: str, source: str | None) -> None: ...

    def files_dropped(self, kind: str) -> bool: ...


def _encoded(payload: Any) -> str:
    text = json.dumps(payload, separators=(",", ":"))
    if len(text) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"a rule set may hold at most {MAX_PAYLOAD_BYTES} bytes of JSON")
    return text


class MemoryRuleSets:
    def __init__(self) -> None:
        self._version = 0
        self._ids = itertools.count(1)
        self._sets: dict[str, list[tuple[int, int, Any]]] = {}
        self._dropped: set[str] = set()
        self._lock = threading.Lock()

    def version(self) -> int:
        return self._version

    def add(self, kind: str, start: int, payload: Any) -> int:
        stored = json.loads(_encoded(payload))
        with self._lock:
            set_id = next(self._ids)
            self._sets.setdefault(kind, []).append((set_id, start, stored))
            self._version += 1
        return set_id

    def admin_sets(self, kind: str) -> list[tuple[int, int, Any]]:
        with self._lock:
            return list(self._sets.get(kind, ()))

    def clear(self, kind: str, source: str | None) -> None:
        with self._lock:
            if source in (None, "admin"):
                self._sets.pop(kind, None)
            if source in (None, "file"):
                self._dropped.add(kind)
            self._version += 1

    def files_dropped(self, kind: str) -> bool:
        return kind in self._dropped


class SqliteRuleSets:
    """Rule sets in the ``rule_sets`` and ``rule_meta`` tables of a shared state file."""

    def __init__(self, db: Database, launch: str):
        self.db = db
        self.launch = launch

    def version(self) -> int:
        row = self.db.one("SELECT value FROM rule_meta WHERE name = 'version'")
        return int(row["value"]) if row else 0

    def _bump(self, conn) -> None:
        conn.execute(
            "INSERT INTO rule_meta (name, value) VALUES ('version', '1') "
            "ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def add(self, kind: str, start: int, payload: Any) -> int:
        text = _encoded(payload)
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO rule_sets (kind, source, start, payload) VALUES (?, 'admin', ?, ?)", (kind, start, text)
            )
            self._bump(conn)
        return int(cursor.lastrowid or 0)

    def admin_sets(self, kind: str) -> list[tuple[int, int, Any]]:
        rows = self.db.query("SELECT id, start, payload FROM rule_sets WHERE kind = ? ORDER BY id", (kind,))
        return [(int(row["id"]), int(row["start"]), json.loads(row["payload"])) for row in rows]

    def clear(self, kind: str, source: str | None) -> None:
        with self.db.write() as conn:
            if source in (None, "admin"):
                conn.execute("DELETE FROM rule_sets WHERE kind = ?", (kind,))
            if source in (None, "file"):
                conn.execute(
                    "INSERT INTO rule_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ?",
                    (f"files_dropped:{kind}", self.launch, self.launch),
                )
            self._bump(conn)

    def files_dropped(self, kind: str) -> bool:
        row = self.db.one("SELECT value FROM rule_meta WHERE name = ?", (f"files_dropped:{kind}",))
        return row is not None and row["value"] == self.launch
