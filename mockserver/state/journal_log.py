"""A bounded log of records that every worker process appends to and reads: the journal's storage.

The journal (:mod:`mockserver.scenarios.journal`) keeps its entries in one process's memory
for a single worker; with several workers :class:`~mockserver.scenarios.journal.SharedJournal`
stores each entry as a text record in a :class:`RecordLog`. Contract of an implementation
(:class:`SqliteRecordLog` here; a Redis one would be a sorted set or stream plus an ``INCR``
sequence and a byte counter, updated in one ``MULTI`` or Lua script):

- ``append(size, text, data)`` stores a record (a text and bytes) and returns its ``seq``: unique and increasing
  across every process, never reused (not even after ``clear``); then it drops the oldest
  records while more than ``capacity`` are kept or their ``size`` sum exceeds ``max_bytes``,
  but never the record just appended;
- ``finish(seq, ending)`` adds to a record still kept its ``ending``, a second, small text
  written once it is known (a dropped record stays dropped);
- ``read(after=, limit=)`` returns ``(seq, text, data, ending or None)`` with ``seq > after``, oldest
  first; with ``limit``, the newest ``limit`` of them;
- ``newest()`` is the highest ``seq`` kept (0 when empty), ``stats()`` is ``(count, bytes)``;
- ``clear()`` drops every record and says how many.

``size`` is the caller's measure of a record (what the byte bound counts), not ``len(text)``.
"""

from __future__ import annotations

from typing import Protocol

from mockserver.state.db import Database


class RecordLog(Protocol):
    capacity: int
    max_bytes: int

    def append(self, size: int, text: str, data: bytes = b"") -> int: ...

    def finish(self, seq: int, ending: str) -> None: ...

    def read(self, *, after: int = 0, limit: int | None = None) -> list[tuple[int, str, bytes, str | None]]: ...

    def newest(self) -> int: ...

    def stats(self) -> tuple[int, int]: ...

    def clear(self) -> int: ...


class SqliteRecordLog:
    """Records in the ``journal`` table of a shared state file (:mod:`.shared_db`)."""

    def __init__(self, db: Database, capacity: int, max_bytes: int):
        self.db = db
        self.capacity = max(1, capacity)
        self.max_bytes = max(1, max_bytes)

    def append(self, size: int, text: str, data: bytes = b"") -> int:
        if size < 0:
            raise ValueError("a record's size cannot be negative")
        with self.db.write() as conn:
            seq, count, total = conn.execute(
                "UPDATE journal_totals SET count = count + 1, bytes = bytes + ?, last_seq = last_seq + 1 "
                "RETURNING last_seq, count, bytes",
                (size,),
            ).fetchone()
            conn.execute("INSERT INTO journal (seq, size, entry, data) VALUES (?, ?, ?, ?)", (seq, size, text, data))
            if count > self.capacity or total > self.max_bytes:
                self._bound(conn, seq, count, total)
        return int(seq)

    def _bound(self, conn, newest: int, count: int, total: int) -> None:
        if count == self.capacity + 1:  # the usual case: one in, the oldest out
            oldest = conn.execute(
                "DELETE FROM journal WHERE seq = (SELECT MIN(seq) FROM journal) AND seq < ? RETURNING seq, size",
                (newest,),
            ).fetchone()
            if oldest is not None:
                conn.execute("DELETE FROM journal_ends WHERE seq = ?", (oldest[0],))
                conn.execute("UPDATE journal_totals SET count = count - 1, bytes = bytes - ?", (oldest[1],))
                count, total = count - 1, total - oldest[1]
                if total <= self.max_bytes:
                    return
        dropped_to, dropped, freed = 0, 0, 0
        for seq, size in conn.execute("SELECT seq, size FROM journal WHERE seq < ? ORDER BY seq", (newest,)):
            if count - dropped <= self.capacity and total - freed <= self.max_bytes:
                break
            dropped_to, dropped, freed = seq, dropped + 1, freed + size
        if dropped_to:
            conn.execute("DELETE FROM journal WHERE seq <= ?", (dropped_to,))
            conn.execute("DELETE FROM journal_ends WHERE seq <= ?", (dropped_to,))
            conn.execute("UPDATE journal_totals SET count = count - ?, bytes = bytes - ?", (dropped, freed))

    def finish(self, seq: int, ending: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO journal_ends (seq, ending) SELECT seq, ? FROM journal WHERE seq = ?",
                (ending, seq),
            )

    def read(self, *, after: int = 0, limit: int | None = None) -> list[tuple[int, str, bytes, str | None]]:
        newest_first = "ORDER BY seq DESC LIMIT ?" if limit else "ORDER BY seq"
        sql = (
            "SELECT journal.seq AS seq, entry, data, ending FROM (SELECT seq, entry, data FROM journal "  # noqa: S608
            f"WHERE seq > ? {newest_first}) AS journal LEFT JOIN journal_ends USING (seq) ORDER BY seq"
        )
        rows = self.db.query(sql, (after, limit) if limit else (after,))
        return [(int(row["seq"]), str(row["entry"]), bytes(row["data"]), row["ending"]) for row in rows]

    def newest(self) -> int:
        row = self.db.one("SELECT COALESCE(MAX(seq), 0) AS newest FROM journal")
        return int(row["newest"]) if row else 0

    def stats(self) -> tuple[int, int]:
        row = self.db.one("SELECT count, bytes FROM journal_totals")
        return (int(row["count"]), int(row["bytes"])) if row else (0, 0)

    def clear(self) -> int:
        with self.db.write() as conn:
            conn.execute("UPDATE journal_totals SET count = 0, bytes = 0")
            conn.execute("DELETE FROM journal_ends")
            return int(conn.execute("DELETE FROM journal").rowcount)
