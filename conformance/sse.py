"""Parse a Server-Sent Events body the way an SSE client does (WHATWG event-stream rules)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_FIELDS = ("event", "data", "id", "retry")
DONE = "[DONE]"


@dataclass
class Event:
    event: str | None
    data: str
    id: str | None = None

    @property
    def is_done(self) -> bool:
        return self.data.strip() == DONE

    def json(self) -> Any:
        return json.loads(self.data)

    def as_dict(self) -> dict[str, Any]:
        """The event as an SSE client exposes it: the event name defaults to ``message``."""
        out: dict[str, Any] = {"event": self.event or "message", "data": self.data}
        if self.id is not None:
            out["id"] = self.id
        return out


@dataclass
class Stream:
    events: list[Event] = field(default_factory=list)
    #: Lines that are neither a known field nor a comment.
    bad_lines: list[str] = field(default_factory=list)
    #: The body ended on a blank line (the last event was dispatched).
    complete: bool = True

    def json_frames(self) -> list[tuple[Event, Any]]:
        """Events whose data decodes as JSON, with the decoded value ([DONE] and bad JSON left out)."""
        frames = []
        for event in self.events:
            if event.is_done:
                continue
            try:
                frames.append((event, event.json()))
            except ValueError:
                continue
        return frames


def parse(body: bytes | str) -> Stream:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stream = Stream(complete=text == "" or text.endswith("\n\n"))
    for block in text.split("\n\n"):
        if not block.strip("\n"):
            continue
        event_name, data_lines, event_id = None, [], None
        for line in block.split("\n"):
            if line == "" or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name not in _FIELDS:
                stream.bad_lines.append(line)
            elif name == "event":
                event_name = value
            elif name == "data":
                data_lines.append(value)
            elif name == "id":
                event_id = value
        if data_lines:
            stream.events.append(Event(event_name, "\n".join(data_lines), event_id))
    return stream
