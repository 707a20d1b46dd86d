"""Generated media files that every worker process can serve (``/__mock/media/<name>``).

Contract of a :class:`BlobStore` (the in-memory :class:`~mockserver.state.media.MediaStore`
of a single worker, :class:`SqliteBlobs` here; a Redis one would be a hash per file plus a
sorted set of last use, trimmed in one ``MULTI``):

- ``put(name, data, content_type)`` stores (or replaces) a file; a file larger than
  ``max_bytes`` is not kept (and a previous file of that name is dropped); then the least
  recently used files go until at most ``max_items`` files and ``max_bytes`` bytes are kept;
- ``get(name)`` returns the :class:`StoredMedia` or None, and marks it recently used;
- ``len()`` and ``size_bytes`` describe what is kept.

Names are at most :data:`MAX_NAME` characters (longer ones are a ValueError on ``put`` and
never found by ``get``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mockserver.state.db import Database

MAX_NAME = 256


@dataclass(frozen=True)
class StoredMedia:
    data: bytes
    content_type: str


class BlobStore(Protocol):
    max_items: int
    max_bytes: int

    def put(self, name: str, data: bytes, content_type: str) -> None: ...

    def get(self, name: str) -> StoredMedia | None: ...

    def __len__(self) -> int: ...

    @property
    def size_bytes(self) -> int: ...


class SqliteBlobs:
    """Files in the ``media`` table of a shared state file (:mod:`.shared_db`)."""

    def __init__(self, db: Database, max_items: int, max_bytes: int):
        self.db = db
        self.max_items = max_items
        self.max_bytes = max_bytes

    def put(self, name: str, data: bytes, content_type: str) -> None:
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise ValueError(f"a media name must be 1 to {MAX_NAME} characters")
        with self.db.write() as conn:
            conn.execute("DELETE FROM media WHERE name = ?", (name,))
            if len(data) > self.max_bytes:
                return
            conn.execute(
                "INSERT INTO media (name, content_type, data, size, touched) VALUES (?, ?, ?, ?, "
                "(SELECT COALESCE(MAX(touched), 0) + 1 FROM media))",
                (name, content_type, data, len(data)),
            )
            self._bound(conn)

    def _bound(self, conn) -> None:
        count, total = conn.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media").fetchone()
        if count <= self.max_items and total <= self.max_bytes:
            return
        gone = []
        for name, size in conn.execute("SELECT name, size FROM media ORDER BY touched"):
            if count <= self.max_items and total <= self.max_bytes:
                break
            gone.append((name,))
            count, total = count - 1, total - size
        conn.executemany("DELETE FROM media WHERE name = ?", gone)

    def get(self, name: str) -> StoredMedia | None:
        if not isinstance(name, str) or len(name) > MAX_NAME:
            return None
        with self.db.write() as conn:
            row = conn.execute("SELECT content_type, data FROM media WHERE name = ?", (name,)).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE media SET touched = (SELECT MAX(touched) + 1 FROM media) WHERE name = ?",
                (name,),
            )
        return StoredMedia(bytes(row["data"]), str(row["content_type"]))

    def __len__(self) -> int:
        row = self.db.one("SELECT COUNT(*) AS n FROM media")
        return int(row["n"]) if row else 0

    @property
    def size_bytes(self) -> int:
        row = self.db.one("SELECT COALESCE(SUM(size), 0) AS total FROM media")
        return int(row["total"]) if row else 0
