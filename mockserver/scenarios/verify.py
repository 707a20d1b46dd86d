"""The verify API's logic: which journal entries a query selects (pure).

``GET /__mock/requests`` and ``/__mock/requests/count`` take any of ``operation``
(operationId), ``model`` (glob on the JSON body's ``model``), ``header`` (``name:value``,
exact; repeatable, all must hold), ``body`` (a substring of the body as kept; repeatable),
``status``, ``cassette`` (the cassette's name, ``*`` any, ``-`` none) and ``since``
(entries after that ``seq``), so a test in any language can ask
"was this called twice with model X".
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mockserver.scenarios.journal import Entry


class VerifyQueryError(ValueError):
    """A query parameter that cannot be used; the message names it."""


@dataclass(frozen=True)
class RequestQuery:
    operation: str | None = None
    model: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: tuple[str, ...] = ()
    status: int | None = None
    cassette: str | None = None
    since: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def selects(self, entry: Entry) -> bool:
        if entry.seq <= self.since:
            return False
        if self.operation is not None and entry.operation_id != self.operation:
            return False
        if self.status is not None and entry.status != self.status:
            return False
        if self.cassette is not None and not _cassette_matches(self.cassette, entry.cassette):
            return False
        if self.model is not None and not fnmatch.fnmatchcase(_model_of(entry), self.model):
            return False
        sent = {name.lower(): value for name, value in entry.headers}
        if any(sent.get(name) != value for name, value in self.headers):
            return False
        text = entry.body.decode("utf-8", "replace")
        return all(piece in text for piece in self.body)


def parse_query(query: dict[str, list[str]]) -> RequestQuery:
    known = {"operation", "model", "header", "body", "status", "cassette", "since", "limit"}
    unknown = sorted(set(query) - known)
    if unknown:
        raise VerifyQueryError(f"unknown query parameter(s) {unknown}; known: {sorted(known)}")
    headers = []
    for item in query.get("header", []):
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise VerifyQueryError(f"header must be name:value, got {item!r}")
        headers.append((name.strip().lower(), value.strip()))
    return RequestQuery(
        operation=_one(query, "operation"),
        model=_one(query, "model"),
        headers=tuple(headers),
        body=tuple(query.get("body", [])),
        status=_integer(query, "status"),
        cassette=_one(query, "cassette"),
        since=_integer(query, "since") or 0,
    )


def select(entries: Iterable[Entry], query: RequestQuery) -> list[Entry]:
    return [entry for entry in entries if query.selects(entry)]


def entry_view(entry: Entry) -> dict[str, Any]:
    """A journal entry with its body parsed when it is JSON (``json``; else null)."""
    view = entry.as_dict()
    view["json"] = parsed_body(entry)
    return view


def parsed_body(entry: Entry) -> Any:
    if entry.body_truncated or not entry.body:
        return None
    try:
        return json.loads(entry.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _cassette_matches(wanted: str, cassette: str | None) -> bool:
    if wanted == "*":
        return cassette is not None
    if wanted == "-":
        return cassette is None
    return cassette == wanted


def _model_of(entry: Entry) -> str:
    body = parsed_body(entry)
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else ""


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _integer(query: dict[str, list[str]], name: str) -> int | None:
    text = _one(query, name)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise VerifyQueryError(f"{name} must be a non-negative integer")
    return int(text)
