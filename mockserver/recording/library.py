"""The cassettes of one directory, and which one answers a request (thread-safe).

Cassettes are grouped by their request's match key and ordered by ``repeat`` (then file
name). The n-th identical request gets the n-th recording, and every later one the last
again; :meth:`CassetteLibrary.reset` (``POST /__mock/reset``) starts the count over.
"""

from __future__ import annotations

import difflib
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from mockserver.recording.cassette import SUFFIXES, Cassette, CassetteError, load_cassette
from mockserver.recording.normalize import canonical, first_difference, request_key

#: How much of two requests' text is compared to find the closest cassette to a miss.
_COMPARED_CHARS = 4000


def load_directory(directory: Path) -> list[Cassette]:
    """Every cassette in ``directory`` (not its sub-directories; files starting with ``.`` skipped)."""
    if not directory.is_dir():
        raise CassetteError(f"{directory}: not a directory of cassettes")
    found = sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))
    cassettes = [load_cassette(path) for path in found]
    names: dict[str, str] = {}
    for cassette in cassettes:
        if cassette.name in names:
            raise CassetteError(f"{cassette.source}: name {cassette.name!r} is also the name of {names[cassette.name]}")
        names[cassette.name] = cassette.source
    return cassettes


class CassetteLibrary:
    def __init__(self, cassettes: list[Cassette] | None = None):
        self._by_key: dict[str, list[Cassette]] = defaultdict(list)
        self._served: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        for cassette in cassettes or []:
            self.add(cassette)

    def add(self, cassette: Cassette) -> None:
        with self._lock:
            group = self._by_key[cassette.key]
            group.append(cassette)
            group.sort(key=lambda c: (c.repeat, c.name))

    def recorded(self, key: str) -> int:
        """How many recordings of the request with this key there are."""
        with self._lock:
            return len(self._by_key.get(key, ()))

    def take(self, normalized: dict[str, Any]) -> Cassette | None:
        """The recording for this request (the n-th for the n-th identical request, then the
        last again), or None."""
        key = request_key(normalized)
        with self._lock:
            group = self._by_key.get(key)
            if not group:
                return None
            index = min(self._served[key], len(group) - 1)
            self._served[key] += 1
            return group[index]

    def closest(self, normalized: dict[str, Any]) -> tuple[Cassette, str] | None:
        """The cassette whose request is most like this one (same method and path first), and
        where the two first differ."""
        with self._lock:
            every = [c for group in self._by_key.values() for c in group]
        if not every:
            return None
        same_route = [
            c for c in every if (c.request["method"], c.request["path"]) == (normalized["method"], normalized["path"])
        ]
        text = canonical(normalized)[:_COMPARED_CHARS]

        def likeness(cassette: Cassette) -> float:
            other = canonical(cassette.request)[:_COMPARED_CHARS]
            return difflib.SequenceMatcher(None, text, other, autojunk=False).ratio()

        best = max(same_route or every, key=likeness)
        return best, first_difference(normalized, best.request) or "(nothing: a repeat beyond the recorded ones)"

    def __len__(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._by_key.values())

    def reset(self) -> None:
        """Serve every recording from the first again."""
        with self._lock:
            self._served.clear()
