"""The embedded SQLite database behind the mock's state.

A file: the one named, else a private one in a temporary directory, deleted when the
database is closed, collected or the process exits, or by the next process that makes one
if a signal stopped it. (An in-memory database kept every generation record and ledger row
on the process heap: +16 MB of RSS per 10,000 chat requests up to the row caps.) One
connection per process, guarded by a lock (SQLite
serialises writers anyway); a file database uses WAL, ``BEGIN IMMEDIATE`` and a busy
timeout so that several server processes can share it. A process that forks reopens
its own connection.

Writers of several processes (``serve --workers N``) queue on an exclusive ``flock`` of
``<file>.lock`` before ``BEGIN IMMEDIATE``: the kernel wakes the next writer the moment the
lock is free, where SQLite's busy handler would sleep 1, 2, 5, 10 ... ms between retries
(which halved the throughput of two workers). The busy timeout stays as the fallback for
processes that do not take the lock (an older version on the same file).

Migrations: every statement of :data:`SCHEMA` is idempotent and runs on each open, so a
state file written by an older version gains the tables added since (new tables only;
a changed column would need an ``ALTER TABLE`` step here).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS wallets (
    team_id TEXT PRIMARY KEY,
    balance_nanos INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id TEXT NOT NULL,
    request_id TEXT,
    amount_nanos INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_team ON ledger (team_id, created_ms);
-- Pruning by age reads these instead of scanning the table (added after the first release).
CREATE INDEX IF NOT EXISTS ledger_created ON ledger (created_ms);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    team_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    scopes TEXT NOT NULL,
    soft_blocked INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    secret_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    last_used_ms INTEGER
);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys (team_id, created_ms);
CREATE TABLE IF NOT EXISTS deleted_kids (
    kid TEXT PRIMARY KEY,
    deleted_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    team_id TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    run_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL,
    finished_ms INTEGER,
    charged_nanos INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_ms);
CREATE TABLE IF NOT EXISTS generations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    cost_nanos INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS generations_request ON generations (request_id);
CREATE INDEX IF NOT EXISTS generations_team ON generations (team_id, created_ms);
CREATE INDEX IF NOT EXISTS generations_created ON generations (created_ms);
-- Added after the first release: a state file written before gains it when next opened.
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    redirect_uris TEXT NOT NULL,
    homepage_url TEXT,
    logo_url TEXT,
    privacy_policy_url TEXT,
    terms_of_service_url TEXT,
    status TEXT NOT NULL,
    created_by TEXT,
    secret_hash TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS oauth_clients_team ON oauth_clients (team_id, created_ms);
"""


class Database:
    """A lock-guarded connection with transaction helpers."""

    def __init__(self, path: str | Path | None = None):
        #: Whether other processes may open the file (a named one): writers then take ``<file>.lock``.
        self.shared = bool(path)
        self._remove_private: weakref.finalize | None = None
        self.path = str(path) if path else _private_file(self)
        self._lock = threading.RLock()
        self._pid = -1
        self._conn: sqlite3.Connection | None = None
        self._writers_lock: int | None = None
        with self.write():
            pass

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn = self._open()
            self._writers_lock = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600) if self.shared else None
            self._pid = os.getpid()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.shared:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        else:
            # No other process opens a private file, and it is deleted when the server stops, so
            # a crash loses it whatever is synced: one lock for the connection's life (not one per
            # transaction), the rollback journal in memory, and no syncs.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("PRAGMA journal_mode = MEMORY")
            conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(SCHEMA)
        return conn

    @staticmethod
    def tables() -> list[str]:
        """Every table of :data:`SCHEMA`, in creation order."""
        return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with ``BEGIN IMMEDIATE`` (no lost updates across processes)."""
        with self._lock:
            conn = self._connection()
            if self._writers_lock is not None:
                fcntl.flock(self._writers_lock, fcntl.LOCK_EX)
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if self._writers_lock is not None:
                    fcntl.flock(self._writers_lock, fcntl.LOCK_UN)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._writers_lock is not None and self._pid == os.getpid():
                os.close(self._writers_lock)
            self._writers_lock = None
            if self._remove_private is not None:
                self._remove_private()


STATE_FILE = "state.sqlite3"


#: Private state directories are named after the process that made them.
PRIVATE_PREFIX = "aistats-mock-state-"


def _private_file(owner: Database) -> str:
    """A state file in a new temporary directory, removed when ``owner`` is closed or
    collected, or at exit (by the process that made it, not by a forked child).

    A server stopped by a signal does not run exit handlers (uvicorn re-raises SIGTERM and
    SIGINT once it has shut down), so each new private directory first removes those of
    processes that no longer exist.
    """
    _remove_orphans(Path(tempfile.gettempdir()))
    directory = tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-")
    owner._remove_private = weakref.finalize(owner, _remove_directory, directory, os.getpid())
    return str(Path(directory) / STATE_FILE)


def _remove_directory(directory: str, creator_pid: int) -> None:
    if os.getpid() == creator_pid:
        shutil.rmtree(directory, ignore_errors=True)


def _remove_orphans(parent: Path) -> None:
    """Remove the private state directories under ``parent`` whose process is gone."""
    for directory in parent.glob(f"{PRIVATE_PREFIX}*-*"):
        pid = directory.name[len(PRIVATE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
