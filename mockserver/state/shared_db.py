"""The tables several worker processes share beyond the store's own (``serve --workers N``).

A piece of schema of its own, created on the same SQLite file as the store (WAL, ``BEGIN
IMMEDIATE``, busy timeout: :class:`~mockserver.state.db.Database`) by every process that
opens it; idempotent, like the store's. These tables are NOT the store's: an admin reset
does not drop them wholesale (each shared piece says what a reset forgets).

- ``journal``: the journal's entries (:mod:`.journal_log`), oldest first by ``seq``, and
  ``journal_ends`` how each ended, ``journal_totals`` their count and bytes;
- ``counters``: named counters in namespaces (:mod:`.counters`), ``touched`` orders them
  for pruning;
- ``media``: generated files behind ``/__mock/media/`` (:mod:`.blobs`);
- ``rule_sets`` and ``rule_meta``: the scenario and reply rules in force (:mod:`.shared_rules`).
"""

from __future__ import annotations

from pathlib import Path

from mockserver.state.db import Database

SHARED_SCHEMA = (
    # seq comes from journal_totals.last_seq (never reused, even after a clear).
    """CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY,
        size INTEGER NOT NULL,
        entry TEXT NOT NULL,
        data BLOB NOT NULL
    )""",
    # How each journalled request ended, apart from the request (a small row, written once).
    """CREATE TABLE IF NOT EXISTS journal_ends (
        seq INTEGER PRIMARY KEY,
        ending TEXT NOT NULL
    )""",
    # One row: the journal's count and bytes, kept with every change (no scan to check the bounds).
    """CREATE TABLE IF NOT EXISTS journal_totals (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        count INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        last_seq INTEGER NOT NULL
    )""",
    "INSERT OR IGNORE INTO journal_totals (id, count, bytes, last_seq) VALUES (1, 0, 0, 0)",
    """CREATE TABLE IF NOT EXISTS counters (
        namespace TEXT NOT NULL,
        name TEXT NOT NULL,
        value INTEGER NOT NULL,
        touched INTEGER NOT NULL,
        PRIMARY KEY (namespace, name)
    )""",
    "CREATE INDEX IF NOT EXISTS counters_touched ON counters (namespace, touched)",
    """CREATE TABLE IF NOT EXISTS media (
        name TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        data BLOB NOT NULL,
        size INTEGER NOT NULL,
        touched INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS media_touched ON media (touched)",
    """CREATE TABLE IF NOT EXISTS rule_sets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        source TEXT NOT NULL,
        start INTEGER NOT NULL,
        payload TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS rule_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)


def open_shared(path: str | Path) -> Database:
    """A connection to the state file ``path`` with the shared tables created."""
    db = Database(path)
    with db.write() as conn:
        for statement in SHARED_SCHEMA:
            conn.execute(statement)
    return db
