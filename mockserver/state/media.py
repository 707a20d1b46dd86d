"""Generated media kept for a while so that ``url`` answers can be downloaded.

A bounded, thread-safe LRU: it holds at most ``max_items`` files and ``max_bytes``
bytes; the least recently used files go first. One store per server (the runtime's
``media``), so the mock-only download route and the generators share it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from mockserver.model import MockRequest
from mockserver.state.blobs import StoredMedia

DEFAULT_MAX_ITEMS = 256
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
ROUTE_PREFIX = "/__mock/media/"
#: The origin of media URLs when no server noted one (synthesis run without a server).
DEFAULT_ORIGIN = "http://127.0.0.1"


__all__ = ["MediaStore", "StoredMedia", "public_url"]


class MediaStore:
    """One process's media (a single worker): the in-memory
    :class:`~mockserver.state.blobs.BlobStore`; several workers share a
    :class:`~mockserver.state.blobs.SqliteBlobs` instead."""

    def __init__(self, max_items: int = DEFAULT_MAX_ITEMS, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, StoredMedia] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes, content_type: str) -> None:
        with self._lock:
            old = self._items.pop(name, None)
            if old is not None:
                self._bytes -= len(old.data)
            if len(data) > self.max_bytes:
                return
            self._items[name] = StoredMedia(data, content_type)
            self._bytes += len(data)
            while len(self._items) > self.max_items or self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.data)

    def get(self, name: str) -> StoredMedia | None:
        with self._lock:
            found = self._items.get(name)
            if found is not None:
                self._items.move_to_end(name)
            return found

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes


def public_url(request: MockRequest, name: str) -> str:
    """Absolute URL of a stored file, on the server's own origin.

    The server layer notes that origin per request: ``--public-url`` when configured, else
    the address the client connected to; never the request's ``Host`` header, which a
    client could point anywhere.
    """
    origin = request.origin or DEFAULT_ORIGIN
    return f"{origin}{ROUTE_PREFIX}{name}"
