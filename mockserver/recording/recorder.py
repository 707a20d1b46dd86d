"""An exchange with the upstream gateway, written down as a cassette.

The server's forwarding adapter (mockserver/server/forwarding.py) feeds an :class:`Exchange`
the upstream's status, headers and body chunks as they arrive, with their time; the
:class:`CassetteRecorder` names the finished cassette (operation, match key, repeat number)
and writes it atomically into its directory (numbering continues after the cassettes
already there: nothing recorded before is overwritten).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mockserver.recording.cassette import Cassette, Frame, json_body_kind, write_atomically
from mockserver.recording.library import CassetteLibrary, load_directory
from mockserver.recording.normalize import request_key, scrub
from mockserver.scenarios.redaction import is_secret_name

#: Response headers never recorded: the transport's own (recomputed on replay), the CORS
#: headers the mock adds itself, cookies and anything else named like a credential.
DROPPED_HEADERS = frozenset(
    {
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "date",
        "server",
        "set-cookie",
        "www-authenticate",
        "proxy-authenticate",
        "alt-svc",
    }
)
_FRAME_ENDS = (b"\r\n\r\n", b"\n\n")


def recorded_headers(pairs: Iterable[tuple[str, str]], secrets: Iterable[str] = ()) -> dict[str, str]:
    """The response headers a cassette keeps (lower-cased names; repeated ones joined)."""
    secrets = tuple(secrets)
    kept: dict[str, str] = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered in DROPPED_HEADERS or lowered.startswith("access-control-") or is_secret_name(lowered):
            continue
        value = scrub(value, secrets)
        kept[lowered] = f"{kept[lowered]}, {value}" if lowered in kept else value
    return kept


def is_event_stream(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").split(";")[0].strip().lower() == "text/event-stream"


class Exchange:
    """One request's answer as it arrives from the upstream."""

    def __init__(self, operation: str, request: dict[str, Any], secrets: Iterable[str] = ()):
        self.operation = operation
        self.request = request
        self.secrets = tuple(secrets)
        self.status = 0
        self.headers: dict[str, str] = {}
        self.streamed = False
        self._body = bytearray()
        self._pending = bytearray()
        self._frames: list[Frame] = []

    def respond(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        self.status = status
        self.headers = recorded_headers(headers, self.secrets)
        self.streamed = is_event_stream(self.headers)

    def feed(self, chunk: bytes, at_ms: float) -> None:
        """A piece of the body, ``at_ms`` after the request was sent."""
        if not self.streamed:
            self._body += chunk
            return
        self._pending += chunk
        while True:
            end = _frame_end(self._pending)
            if end is None:
                return
            self._frames.append(Frame(self._scrubbed(bytes(self._pending[:end])), round(at_ms, 1)))
            del self._pending[:end]

    def finish(self, elapsed_ms: float) -> Cassette:
        """The cassette (named by the recorder)."""
        cassette = Cassette(
            name="",
            operation=self.operation,
            request=self.request,
            status=self.status,
            headers=self.headers,
            elapsed_ms=round(elapsed_ms, 1),
            recorded_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        if self.streamed:
            if self._pending:
                self._frames.append(Frame(self._scrubbed(bytes(self._pending)), round(elapsed_ms, 1)))
            cassette.frames = tuple(self._frames)
        else:
            cassette.body = self._scrubbed(bytes(self._body))
            cassette.body_kind = json_body_kind(cassette.body)
        return cassette

    def _scrubbed(self, data: bytes) -> bytes:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data  # binary (audio, images): no key is written as text in it
        cleaned = scrub(text, self.secrets)
        return data if cleaned == text else cleaned.encode("utf-8")


def _frame_end(buffer: bytearray) -> int | None:
    ends = [(index + len(mark)) for mark in _FRAME_ENDS if (index := buffer.find(mark)) >= 0]
    return min(ends) if ends else None


class CassetteRecorder:
    """Writes cassettes into one directory, numbering repeats of the same request."""

    def __init__(self, directory: Path, library: CassetteLibrary | None = None):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        #: The cassettes there (those already there, then each one written): repeat numbers.
        self.library = library if library is not None else CassetteLibrary(load_directory(directory))
        self._lock = threading.Lock()

    def write(self, cassette: Cassette) -> Path:
        """Name ``cassette`` (``<operation>-<key>-<repeat>``), write it atomically, add it to
        the library; its path."""
        key = request_key(cassette.request)
        with self._lock:
            cassette.repeat = self.library.recorded(key) + 1
            cassette.name = f"{cassette.operation}-{key}-{cassette.repeat:03d}"
            while (self.directory / f"{cassette.name}.json").exists():  # a hand-numbered file
                cassette.repeat += 1
                cassette.name = f"{cassette.operation}-{key}-{cassette.repeat:03d}"
            path = write_atomically(self.directory, cassette)
            self.library.add(cassette)
        return path
