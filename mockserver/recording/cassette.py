"""The cassette file: one recorded (or hand-written) exchange, JSON or YAML.

::

    {
      "cassette": 1,
      "name": "createChatCompletion-1f0c2b7a9d3e4f50-001",
      "operation": "createChatCompletion",
      "repeat": 1,
      "request":  {"method": "POST", "path": "/v1/chat/completions", "query": {}, "body": {...}},
      "response": {"status": 200, "headers": {"content-type": "application/json"},
                   "body": "<the answer's bytes as text>"}
    }

A response holds exactly one of ``body`` (text, sent byte for byte as UTF-8), ``body_base64``
(binary), ``json`` (a value, encoded by the mock: the recorder's choice when that gives the
answer's bytes back exactly), ``frames`` (a stream: ``[{at_ms, data}]``,
each frame sent whole at ``at_ms`` after the request) or ``reply`` (a scripted answer in the
reply-rule format, generated like one: docs/scenarios.md). Only ``request`` and ``response``
are required by hand; the name defaults to the file's stem. Every error names the file and
the field (:class:`CassetteError`).
"""

from __future__ import annotations

import base64
import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.encoding.body import json_bytes
from mockserver.recording.normalize import normalize_body, normalize_query, request_key
from mockserver.replies.rules import Answer, ReplyRuleError, parse_answer

FORMAT_VERSION = 1
SUFFIXES = (".json", ".yaml", ".yml")
_TOP_KEYS = {"cassette", "name", "operation", "repeat", "recorded_at", "request", "response"}
_REQUEST_KEYS = {"method", "path", "query", "body"}
_RESPONSE_KEYS = {"status", "headers", "body", "body_base64", "json", "frames", "reply", "elapsed_ms"}
_BODY_KINDS = ("body", "body_base64", "json", "frames", "reply")


class CassetteError(ValueError):
    """A cassette that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Frame:
    """One frame of a stream: its bytes, and when it arrived (ms after the request was sent)."""

    data: bytes
    at_ms: float = 0.0


@dataclass
class Cassette:
    name: str
    operation: str
    request: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    frames: tuple[Frame, ...] | None = None
    #: A scripted answer (reply-rule format) instead of a recorded one.
    script: Answer | None = None
    #: Which recording of the same request this is (1 = the first time it was sent).
    repeat: int = 1
    elapsed_ms: float | None = None
    recorded_at: str | None = None
    #: How the body was written in the file (``body``, ``body_base64``, ``json``), kept on rewrite.
    body_kind: str = "body"
    source: str = ""

    @property
    def key(self) -> str:
        return request_key(self.request)

    def as_data(self) -> dict[str, Any]:
        """The file's content, keys in a fixed order."""
        response: dict[str, Any] = {"status": self.status, "headers": dict(sorted(self.headers.items()))}
        if self.frames is not None:
            response["frames"] = [{"at_ms": f.at_ms, "data": f.data.decode("utf-8", "replace")} for f in self.frames]
        elif self.body is not None:
            response.update(_body_data(self.body, self.body_kind))
        if self.elapsed_ms is not None:
            response["elapsed_ms"] = self.elapsed_ms
        data: dict[str, Any] = {"cassette": FORMAT_VERSION, "name": self.name, "operation": self.operation}
        data["repeat"] = self.repeat
        if self.recorded_at:
            data["recorded_at"] = self.recorded_at
        data["request"] = self.request
        data["response"] = response
        return data


def _body_data(body: bytes, kind: str) -> dict[str, Any]:
    if kind == "json":
        return {"json": json.loads(body)}
    if kind != "body_base64":
        try:
            return {"body": body.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"body_base64": base64.b64encode(body).decode("ascii")}


def cassette_text(cassette: Cassette) -> str:
    """A cassette as the recorder writes it: indented JSON, one key per line, a final newline."""
    return json.dumps(cassette.as_data(), indent=2, ensure_ascii=False) + "\n"


def write_atomically(directory: Path, cassette: Cassette) -> Path:
    """Write ``<name>.json`` in ``directory`` through a temporary file and a rename: a reader
    (or a crash) never sees half a cassette."""
    target = directory / f"{cassette.name}.json"
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(cassette_text(cassette))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def json_body_kind(body: bytes) -> str:
    """``json`` when the body is JSON that the mock's encoder writes back byte for byte (the
    cassette then holds it as a readable value), else ``body``."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return "body"
    return "json" if json_bytes(value) == body else "body"


def load_cassette(path: Path) -> Cassette:
    """A ``.json`` file is read as JSON (YAML 1.1 would read ``1e-06`` as a string), any other
    as YAML."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise CassetteError(f"{path}: cannot read: {exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise CassetteError(f"{path}: not valid {kind}: {exc}") from None
    try:
        return parse_cassette(data, default_name=path.stem, source=str(path))
    except CassetteError as exc:
        raise CassetteError(f"{path}: {exc}") from None


def parse_cassette(data: Any, *, default_name: str, source: str = "") -> Cassette:
    if not isinstance(data, Mapping):
        raise CassetteError("a cassette must be a mapping with request and response")
    _no_unknown(data, _TOP_KEYS, "the cassette")
    version = data.get("cassette", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise CassetteError(f"cassette: format version {version!r} is not supported (expected {FORMAT_VERSION})")
    name = _string(data.get("name", default_name), "name")
    request = _request(_mapping(data.get("request"), "request"))
    response = _mapping(data.get("response"), "response")
    _no_unknown(response, _RESPONSE_KEYS, "response")
    operation = _string(data.get("operation", "unknown"), "operation")
    repeat = data.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise CassetteError("repeat must be an integer >= 1")
    cassette = Cassette(name=name, operation=operation, request=request, repeat=repeat, source=source)
    cassette.recorded_at = data.get("recorded_at") if isinstance(data.get("recorded_at"), str) else None
    _fill_response(cassette, response)
    return cassette


def _request(data: Mapping[str, Any]) -> dict[str, Any]:
    _no_unknown(data, _REQUEST_KEYS, "request")
    method = _string(data.get("method"), "request.method").upper()
    path = _string(data.get("path"), "request.path")
    if not path.startswith("/"):
        raise CassetteError(f"request.path must start with '/', got {path!r}")
    query = data.get("query") or {}
    if not isinstance(query, Mapping):
        raise CassetteError("request.query must be a mapping of name to a value or a list of values")
    lists = {str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in query.items()}
    body = data.get("body")
    # normalized again, so that a hand-written body matches whatever its key order and ids
    normal_body = normalize_body("application/json", json.dumps(body).encode()) if body is not None else None
    return {"method": method, "path": path, "query": normalize_query(lists), "body": normal_body}


def _fill_response(cassette: Cassette, data: Mapping[str, Any]) -> None:
    status = data.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise CassetteError(f"response.status must be an integer from 100 to 599, got {status!r}")
    cassette.status = status
    headers = data.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(isinstance(v, str | int | float) for v in headers.values()):
        raise CassetteError("response.headers must be a mapping of header names to strings")
    cassette.headers = {str(k).lower(): str(v) for k, v in headers.items()}
    elapsed = data.get("elapsed_ms")
    cassette.elapsed_ms = float(elapsed) if isinstance(elapsed, int | float) and _number(elapsed) else None
    kinds = [kind for kind in _BODY_KINDS if kind in data]
    if len(kinds) > 1:
        raise CassetteError(f"response has {' and '.join(kinds)}; give exactly one of {', '.join(_BODY_KINDS)}")
    kind = kinds[0] if kinds else "body"
    cassette.body_kind = kind
    if kind == "frames":
        cassette.frames = _frames(data["frames"])
    elif kind == "reply":
        try:
            cassette.script = parse_answer(data["reply"], cassette.name, "response.reply")
        except ReplyRuleError as exc:
            raise CassetteError(str(exc)) from None
    elif kind == "json":
        cassette.body = json_bytes(data["json"])
        cassette.headers.setdefault("content-type", "application/json")
    elif kind == "body_base64":
        cassette.body = _base64(data["body_base64"])
    else:
        text = data.get("body", "")
        if not isinstance(text, str):
            raise CassetteError("response.body must be a string (the answer's text; use json: for a value)")
        cassette.body = text.encode("utf-8")


def _frames(items: Any) -> tuple[Frame, ...]:
    if not isinstance(items, list):
        raise CassetteError("response.frames must be a list of {at_ms, data} (or of strings)")
    frames = []
    for index, item in enumerate(items):
        where = f"response.frames[{index}]"
        if isinstance(item, str):
            item = {"data": item}
        if not isinstance(item, Mapping):
            raise CassetteError(f"{where} must be a mapping {{at_ms, data}} or a string")
        _no_unknown(item, {"at_ms", "data"}, where)
        data = item.get("data")
        if not isinstance(data, str):
            raise CassetteError(f"{where}.data must be a string (one SSE frame)")
        at_ms = item.get("at_ms", 0.0)
        if not _number(at_ms) or at_ms < 0:
            raise CassetteError(f"{where}.at_ms must be a number >= 0")
        frames.append(Frame(data.encode("utf-8"), float(at_ms)))
    return tuple(frames)


def _base64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise CassetteError("response.body_base64 must be a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise CassetteError("response.body_base64 is not valid base64") from None


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CassetteError(f"{where} is missing or not a mapping")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise CassetteError(f"{where} must be a non-empty string")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _no_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(map(str, data)) - allowed
    if unknown:
        raise CassetteError(f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
