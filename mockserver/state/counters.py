"""Named counters that every worker process sees: rule calls, the error rate's sequence,
how often each request seed was seen.

Contract of a :class:`Counters` implementation (the in-memory one, the SQLite one here; a
Redis one would be a hash per namespace with ``HINCRBY`` in a ``MULTI``):

- ``bump(names)`` adds 1 to each named counter (absent = 0) and returns the new values in
  the same order, atomically: two processes bumping the same name concurrently get two
  distinct, consecutive values; a name listed twice is bumped twice;
- ``read(names)`` returns the current values (0 for absent names), changing nothing;
- ``reset(prefix)`` forgets every counter whose name starts with ``prefix`` ("" = all);
- at most ``max_names`` names are kept (None = unbounded); beyond it the least recently
  bumped are forgotten (they start again from 0), which bounds the per-seed counts.

Names are plain strings of at most :data:`MAX_NAME` characters (longer ones are a ValueError).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

from mockserver.state.db import Database

MAX_NAME = 512
#: The SQLite implementation prunes names beyond ``max_names`` every this many bumps.
PRUNE_EVERY = 256


class Counters(Protocol):
    def bump(self, names: Sequence[str]) -> list[int]: ...

    def read(self, names: Sequence[str]) -> list[int]: ...

    def reset(self, prefix: str = "") -> None: ...


def _checked(names: Sequence[str]) -> Sequence[str]:
    for name in names:
        if not isinstance(name, str) or len(name) > MAX_NAME:
            raise ValueError(f"a counter name must be a string of at most {MAX_NAME} characters")
    return names


class MemoryCounters:
    """One process's counters (a single worker): a dict under a lock, LRU-bounded."""

    def __init__(self, max_names: int | None = None):
        self.max_names = max_names
        self._values: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def bump(self, names: Sequence[str]) -> list[int]:
        out = []
        with self._lock:
            for name in _checked(names):
                value = self._values.pop(name, 0) + 1
                self._values[name] = value
                out.append(value)
            while self.max_names is not None and len(self._values) > self.max_names:
                self._values.popitem(last=False)
        return out

    def read(self, names: Sequence[str]) -> list[int]:
        with self._lock:
            return [self._values.get(name, 0) for name in _checked(names)]

    def reset(self, prefix: str = "") -> None:
        with self._lock:
            for name in [name for name in self._values if name.startswith(prefix)]:
                del self._values[name]


class SqliteCounters:
    """Counters in the ``counters`` table of a shared state file, one ``namespace`` each."""

    def __init__(self, db: Database, namespace: str, max_names: int | None = None):
        self.db = db
        self.namespace = namespace
        self.max_names = max_names
        self._bumps = itertools.count(1)

    def bump(self, names: Sequence[str]) -> list[int]:
        names = _checked(names)
        if not names:
            return []
        out = []
        touched = time.time_ns()  # (only orders the names for pruning)
        with self.db.write() as conn:
            for name in names:
                row = conn.execute(
                    "INSERT INTO counters (namespace, name, value, touched) VALUES (?, ?, 1, ?) "
                    "ON CONFLICT (namespace, name) DO UPDATE SET value = value + 1, touched = excluded.touched "
                    "RETURNING value",
                    (self.namespace, name, touched),
                ).fetchone()
                out.append(int(row[0]))
            if self.max_names is not None and next(self._bumps) % PRUNE_EVERY == 0:
                self._prune(conn)
        return out

    def _prune(self, conn) -> None:
        conn.execute(
            "DELETE FROM counters WHERE namespace = ? AND touched <= ("
            "SELECT touched FROM counters WHERE namespace = ? ORDER BY touched DESC LIMIT 1 OFFSET ?)",
            (self.namespace, self.namespace, self.max_names),
        )

    def read(self, names: Sequence[str]) -> list[int]:
        names = _checked(names)
        if not names:
            return []
        marks = ",".join("?" * len(names))
        rows = self.db.query(
            f"SELECT name, value FROM counters WHERE namespace = ? AND name IN ({marks})",  # noqa: S608 (only ?s)
            (self.namespace, *names),
        )
        found = {row["name"]: int(row["value"]) for row in rows}
        return [found.get(name, 0) for name in names]

    def reset(self, prefix: str = "") -> None:
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM counters WHERE namespace = ? AND substr(name, 1, ?) = ?",
                (self.namespace, len(prefix), prefix),
            )


class CountedOccurrences:
    """How many times each request seed was seen (``ids.Occurrences``' job) over shared counters."""

    def __init__(self, counters: Counters):
        self.counters = counters

    def next(self, key: int) -> int:
        return self.counters.bump([str(key)])[0]

    def clear(self) -> None:
        self.counters.reset()
