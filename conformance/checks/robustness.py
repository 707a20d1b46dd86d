"""Input a gateway meets from broken or hostile clients, each judged by a named check.

- ``unknown_key_refused``: a bearer token that is no key of the gateway gets 401 (a mock
  that only checks that an ``Authorization`` header is present serves it).
- ``malformed_json_refused_quickly``: a truncated JSON body gets a 400 within seconds, not
  a hang until the client gives up.
- ``multipart_part_without_type_handled``: a multipart part without its own
  ``Content-Type`` (curl and many clients send file parts so) is answered, never with a 5xx.
"""

from __future__ import annotations

from typing import Any

from conformance.checks._support import register
from conformance.probes import Probe, excerpt

register("unknown_key_refused", "a bearer token that is no key of the gateway is refused with 401")
register("malformed_json_refused_quickly", "a truncated JSON body gets a 400 within seconds, not a hang")
register(
    "multipart_part_without_type_handled",
    "a multipart part without its own Content-Type is answered, never with silence or an undocumented 5xx",
)

NOT_A_KEY = "aistats-conformance-not-a-key"
#: How long a refusal of malformed JSON may take.
QUICK_S = 5.0
BOUNDARY = "aistatsconformanceboundary"


def run_robustness(probe: Probe, context: Any) -> None:
    operations = list(context.index.operations.values())
    if probe.wants("unknown_key_refused"):
        _unknown_key(probe, operations)
    if probe.wants("malformed_json_refused_quickly"):
        _malformed_json(probe, operations)


def run_multipart(probe: Probe, context: Any) -> None:
    """Last of the workflows: a gateway this breaks may stop answering altogether."""
    if probe.wants("multipart_part_without_type_handled"):
        _multipart(probe, context.spec, list(context.index.operations.values()))


def _plain_gets(operations: list[Any]) -> list[Any]:
    """Authenticated GETs without path or required parameters."""
    return [
        op
        for op in operations
        if op.method == "GET"
        and op.requires_auth
        and "{" not in op.path
        and not any(p.get("required") for p in op.parameters if p.get("in") != "header")
    ]


def _unknown_key(probe: Probe, operations: list[Any]) -> None:
    for operation in _plain_gets(operations)[:3]:
        answer = probe.send("GET", operation.path, auth=NOT_A_KEY)
        problem = None
        if answer.status != 401:
            problem = ("A token that is no gateway key is accepted", "401", excerpt(answer))
        probe.judge("unknown_key_refused", answer, problem)


def _json_posts(operations: list[Any]) -> list[Any]:
    return [op for op in operations if op.method == "POST" and "application/json" in op.request_media_types]


def _malformed_json(probe: Probe, operations: list[Any]) -> None:
    chosen = [op for op in _json_posts(operations) if op.operation_id == "createChatCompletion"]
    for operation in chosen or _json_posts(operations)[:1]:
        raw = b'{"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi"'
        limit = min(QUICK_S, probe.options.request_timeout)
        answer = probe.send(
            "POST", operation.path, raw=raw, headers={"Content-Type": "application/json"}, timeout=limit
        )
        problem = None
        if answer.status is None:
            problem = ("Malformed JSON hangs the gateway", f"400 within {limit:.0f} s", excerpt(answer))
        elif answer.status != 400:
            problem = ("Malformed JSON is not refused with 400", "400", excerpt(answer))
        probe.judge("malformed_json_refused_quickly", answer, problem)


def _multipart(probe: Probe, spec: dict[str, Any], operations: list[Any]) -> None:
    for operation in [
        op for op in operations if op.method == "POST" and "multipart/form-data" in op.request_media_types
    ][:2]:
        schema = operation.request_media_types["multipart/form-data"].schema or {}
        body = multipart_without_types(_fields(component(spec, schema)))
        answer = probe.send(
            "POST",
            operation.path,
            raw=body,
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=min(QUICK_S * 2, probe.options.request_timeout),
        )
        problem = None
        designed = answer.status is not None and answer.status in (501, 503) and operation.documents(answer.status)
        if answer.status is None or (answer.status >= 500 and not designed):
            problem = (
                "A multipart part without Content-Type breaks the gateway",
                "an answer below 500 (2xx, or a 4xx naming the field)",
                excerpt(answer),
            )
        probe.judge("multipart_part_without_type_handled", answer, problem)
        if answer.status is None and not probe.alive():
            probe.result.notes.append(f"the target stopped answering after {answer.label} with an untyped part")
            return


def component(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return schema


def _fields(schema: dict[str, Any]) -> dict[str, bytes]:
    """A value for each required field: a few bytes for binary ones, the first enum value or a word."""
    properties = schema.get("properties") or {}
    fields: dict[str, bytes] = {}
    for name in schema.get("required") or list(properties)[:2]:
        prop = properties.get(name) or {}
        if prop.get("format") == "binary":
            fields[name] = b"RIFF\x24\x00\x00\x00WAVEfmt "
        elif prop.get("enum"):
            fields[name] = str(prop["enum"][0]).encode()
        elif name == "model":
            fields[name] = b"openai/whisper-1"
        else:
            fields[name] = b"conformance"
    return fields


def multipart_without_types(fields: dict[str, bytes]) -> bytes:
    """A multipart body whose parts carry only a Content-Disposition (file parts with a filename)."""
    parts = []
    for name, value in fields.items():
        filename = f'; filename="{name}.bin"' if value.startswith(b"RIFF") else ""
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{filename}\r\n\r\n'.encode()
        parts.append(head + value + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
