"""A request as a cassette keeps it and matches it: no credentials, no volatile ids, stable.

:func:`normalize_request` gives ``{method, path, query, body}`` where

- credentials are gone: values of secret names (:mod:`mockserver.scenarios.redaction`: the
  ``api_key`` query parameter, a body's ``password`` ...), every gateway key
  (``aistats_v1_sk_...``) and every secret the caller passes (the client's bearer token, the
  upstream key) wherever they appear, as ``[redacted]``; no header is kept at all;
- ids an earlier answer handed out (``tool_call_id``, ``call_id``, ``tool_use_id``, ``id``
  of an echoed item, ``previous_response_id`` ...) become ``<id-1>``, ``<id-2>`` ... in order
  of first appearance, so the same id stays the same placeholder and a re-run whose answers
  carried other ids still matches;
- a JSON body is parsed (key order no longer matters), a form body is read like a query, a
  multipart body is kept as the SHA-256 of its bytes with the random boundary blanked, any
  other body as its SHA-256.

:func:`request_key` hashes that (canonical JSON, sorted keys) into the match key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

from mockserver.scenarios.redaction import REDACTED, is_secret_name

#: JSON keys whose values are ids handed out by an earlier answer.
VOLATILE_ID_KEYS = frozenset(
    {"id", "tool_call_id", "call_id", "tool_use_id", "previous_response_id", "item_id", "response_id"}
)
#: A gateway key anywhere in a text (``aistats_v1_sk_<kid>_<secret>``, older ``aistats_v1_k_``).
GATEWAY_KEY = re.compile(r"aistats_v1_[a-z]{1,3}_[A-Za-z0-9._\-]+")
#: Secrets shorter than this are not searched for in texts (they would match ordinary words).
MIN_SECRET_LENGTH = 8


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every gateway key and every one of ``secrets`` replaced by ``[redacted]``."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, REDACTED)
    if "aistats_v1_" in text:
        text = GATEWAY_KEY.sub(REDACTED, text)
    return text


def normalize_request(
    method: str, path: str, query: Mapping[str, list[str]], content_type: str, raw_body: bytes, secrets: Iterable[str]
) -> dict[str, Any]:
    """The normalized request (see the module's docstring)."""
    secrets = tuple(secrets)
    return {
        "method": method.upper(),
        "path": scrub(path, secrets),
        "query": normalize_query(query, secrets),
        "body": normalize_body(content_type, raw_body, secrets),
    }


def normalize_query(query: Mapping[str, list[str]], secrets: Iterable[str] = ()) -> dict[str, list[str]]:
    secrets = tuple(secrets)
    out: dict[str, list[str]] = {}
    for name in sorted(query):
        values = query[name]
        out[name] = [REDACTED] * len(values) if is_secret_name(name) else [scrub(str(v), secrets) for v in values]
    return out


def normalize_body(content_type: str, raw: bytes, secrets: Iterable[str] = ()) -> Any:
    """A body as matched: parsed JSON, a form's fields, or a digest (``{"sha256": ...}``)."""
    if not raw:
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return normalize_query(parse_qs(raw.decode("latin-1"), keep_blank_values=True), secrets)
    if kind == "multipart/form-data":
        boundary = _boundary(content_type)
        blanked = raw.replace(boundary.encode("latin-1"), b"BOUNDARY") if boundary else raw
        return {"multipart_sha256": hashlib.sha256(blanked).hexdigest()}
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return {"sha256": hashlib.sha256(raw).hexdigest()}
    return normalize_value(value, secrets)


def normalize_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A JSON value with secrets redacted, volatile ids numbered (keys visited in sorted order) and object
    keys sorted (a new value)."""
    ids: dict[str, str] = {}
    secrets = tuple(secrets)

    def walk(node: Any, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: _secret_or(k, node[k], walk) for k in sorted(node)}
        if isinstance(node, list):
            return [walk(item, None) for item in node]
        if isinstance(node, str):
            if key in VOLATILE_ID_KEYS and node:
                return ids.setdefault(node, f"<id-{len(ids) + 1}>")
            return scrub(node, secrets)
        return node

    return walk(value, None)


def _secret_or(key: str, value: Any, walk: Any) -> Any:
    if is_secret_name(key) and not isinstance(value, dict | list):
        return REDACTED
    return walk(value, key)


def _boundary(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary":
            return value.strip('"') or None
    return None


def canonical(value: Any) -> str:
    """Stable JSON text of ``value`` (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_key(normalized: Mapping[str, Any]) -> str:
    """The match key of a normalized request: 16 hex digits of its SHA-256."""
    return hashlib.sha256(canonical(dict(normalized)).encode("utf-8")).hexdigest()[:16]


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    """The path of the first place two normalized requests differ (``body.messages[0].content``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}.{key}" if where else str(key)
            found = first_difference(a[key], b[key], f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{where}[{index}]")
            if found:
                return found
        return f"{where} (length {len(a)} vs {len(b)})" if len(a) != len(b) else None
    return None if a == b else (where or "(request)")
