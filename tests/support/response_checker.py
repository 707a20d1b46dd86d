"""Check a response against the contract: status, content type, headers and body.

JSON, text and binary answers go through openapi-core; event streams are split into
events and each event (and the JSON inside its ``data``, per ``x-aistats-json``) is
validated against the media type's schema. Used by the tests and by the conformance
suite as its oracle; no web framework needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from mockserver.contract.index import ContractIndex
from mockserver.contract.loader import resolve_ref
from mockserver.validation.schemas import X_JSON, SchemaCompiler

_HOST = "http://aistats-mock.invalid"
SSE = "text/event-stream"


@dataclass
class Exchange:
    """One request and its answer, as seen on the wire."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    content: bytes
    query: dict[str, Any] | None = None
    request_headers: dict[str, str] | None = None
    request_body: bytes = b""
    request_content_type: str = "application/json"

    @property
    def content_type(self) -> str:
        value = {k.lower(): v for k, v in self.headers.items()}.get("content-type", "")
        return value.split(";")[0].strip().lower()


def parse_sse(content: bytes) -> list[dict[str, str]]:
    """Events of a stream as an SSE client sees them: ``{event, data[, id]}``."""
    events = []
    for block in content.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        event: dict[str, Any] = {}
        data_lines = []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            elif name in ("event", "id"):
                event[name] = value
        if data_lines:
            events.append(
                {
                    "event": event.get("event", "message"),
                    "data": "\n".join(data_lines),
                    **({"id": event["id"]} if "id" in event else {}),
                }
            )
    return events


class ResponseChecker:
    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.index = ContractIndex(spec)
        self.compiler = SchemaCompiler(spec)
        located = {**spec, "servers": [{"url": _HOST + self.index.base_path}]}
        self._openapi = OpenAPI.from_dict(located, config=Config(spec_validator_cls=None))

    def problems(self, exchange: Exchange) -> list[str]:
        """Every way ``exchange`` breaks the contract (empty when it conforms)."""
        matched = self.index.match(exchange.method, exchange.path)
        if matched is None:
            return [f"{exchange.method} {exchange.path} is not an operation of the contract"]
        operation = matched[0]
        documented = operation.response(exchange.status)
        if documented is None:
            return [f"status {exchange.status} is not documented for {operation.operation_id}"]
        if not documented.media_types:
            return [] if not exchange.content else [f"status {exchange.status} documents no body"]
        media = documented.media_types.get(exchange.content_type)
        if media is None:
            return [
                f"content type {exchange.content_type!r} is not documented for "
                f"{operation.operation_id} {exchange.status} ({sorted(documented.media_types)})"
            ]
        if exchange.content_type == SSE:
            return self._stream_problems(media.schema, exchange.content)
        return self._openapi_problems(exchange)

    def _openapi_problems(self, exchange: Exchange) -> list[str]:
        request = MockRequest(
            _HOST,
            exchange.method,
            self.index.base_path + exchange.path,
            args=exchange.query or {},
            headers=exchange.request_headers or {},
            data=exchange.request_body,
            content_type=exchange.request_content_type,
        )
        response = MockResponse(
            exchange.content, status_code=exchange.status, headers=exchange.headers, content_type=exchange.content_type
        )
        try:
            self._openapi.validate_response(request, response)
        except Exception as exc:  # openapi-core raises a family of errors; report them all the same
            return [_describe(exc)]
        return []

    def _stream_problems(self, schema: dict[str, Any] | None, content: bytes) -> list[str]:
        try:
            events = parse_sse(content)
        except UnicodeDecodeError as exc:
            return [f"event stream is not UTF-8: {exc}"]
        if not events:
            return ["event stream holds no events"]
        problems = []
        for number, event in enumerate(events):
            problems += [f"event {number} ({event['event']}): {p}" for p in self.event_problems(schema, event)]
        return problems

    def event_problems(self, schema: dict[str, Any] | None, event: dict[str, str]) -> list[str]:
        """Problems of one parsed SSE event against the stream's per-event schema."""
        if schema is None:
            return []
        errors = [d.render() for d in self.compiler.errors(schema, event)]
        if errors:
            return errors
        data_schema = self._data_schema(schema, event)
        if data_schema is None:
            return []
        try:
            payload = json.loads(event["data"])
        except json.JSONDecodeError as exc:
            return [f"data is not JSON: {exc}"]
        return [d.render() for d in self.compiler.errors(data_schema, payload)]

    def _data_schema(self, schema: dict[str, Any], event: dict[str, str]) -> dict[str, Any] | None:
        """The ``x-aistats-json`` schema of the branch of ``schema`` that ``event`` matches."""
        schema = resolve_ref(self.spec, schema)
        for key in ("oneOf", "anyOf"):
            for branch in schema.get(key, []):
                branch = resolve_ref(self.spec, branch)
                if self.compiler.is_valid(branch, event) and (found := self._data_schema(branch, event)):
                    return found
        data = resolve_ref(self.spec, schema.get("properties", {}).get("data", {}))
        return data.get(X_JSON)


def _describe(exc: Exception) -> str:
    causes = [str(exc)]
    for attr in ("schema_errors", "errors"):
        for inner in getattr(exc, attr, None) or []:
            causes.append(str(getattr(inner, "message", inner))[:300])
    cause = exc.__cause__
    while cause is not None and len(causes) < 6:
        causes.append(str(cause)[:300])
        for inner in getattr(cause, "schema_errors", None) or []:
            causes.append(str(getattr(inner, "message", inner))[:300])
        cause = cause.__cause__
    return "; ".join(dict.fromkeys(causes))
