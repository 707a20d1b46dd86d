"""What the journal never keeps: credentials, by one list of names.

A name (header, query parameter, or JSON/form body key at any depth) is secret when,
lower-cased with ``-`` read as ``_``, it is one of :data:`SECRET_NAMES` or ends with one
of :data:`SECRET_SUFFIXES`. So ``Authorization``, ``Proxy-Authorization``,
``X-Control-Secret``, ``X-Auth-Token``, ``?api_key=``, ``access_token``, ``password``
and ``client_secret`` are all redacted, while ``max_tokens`` is not. Header values keep
their scheme (``Bearer [redacted]``); every other value becomes ``[redacted]``.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import unquote_plus

import orjson

REDACTED = "[redacted]"
SECRET_NAMES = frozenset(
    {
        "authorization",
        "proxy_authorization",
        "cookie",
        "set_cookie",
        "key",
        "api_key",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "credential",
        "credentials",
        "private_key",
    }
)
SECRET_SUFFIXES = ("_token", "_secret", "_password", "_api_key", "_apikey", "_private_key", "_credentials")

#: A cheap test on raw bytes: could this body hold a secret key? (Any key ending with one
#: of the words; :func:`is_secret_name` then decides exactly.) Plain substring tests on the
#: lower-cased bytes: ~10 µs for a 7 KB chat body, where one case-insensitive regex took 350.
_SECRET_KEY_ENDINGS = tuple(
    word.encode() + b'"'
    for word in ("key", "token", "secret", "password", "passwd", "passphrase", "authorization", "cookie", "credential")
) + (b'credentials"',)
#: The endings grouped by a part they share (one scan for ``pass`` instead of three): the
#: full endings are looked for only where their shared part occurs (~30% fewer scans).
_ENDINGS_BY_PART = tuple(
    (common, tuple(ending for ending in _SECRET_KEY_ENDINGS if common in ending))
    for common in (b'key"', b'token"', b'secret"', b"pass", b'authorization"', b'cookie"', b"credential")
)


def _maybe_secret_key(raw: bytes) -> bool:
    if len(raw) >= _REMEMBERED_FROM_BYTES:
        return _remembered_maybe_secret_key(bytes(raw))
    return _scanned_maybe_secret_key(raw)


def _scanned_maybe_secret_key(raw: bytes) -> bool:
    lowered = raw.lower()
    return any(
        common in lowered and any(ending in lowered for ending in endings) for common, endings in _ENDINGS_BY_PART
    )


#: Large bodies are looked up by content before they are scanned: the ten substring scans
#: take ~190 µs for the 41 KB catalogue answer (a third of a ``GET /gateway/models``), hashing
#: and comparing it ~10 µs, and such answers repeat (catalogue polls); a body seen for the
#: first time costs one hash more. Kept: up to 32 bodies (each at most the journal's body
#: bound, 64 KB by default).
_REMEMBERED_FROM_BYTES = 16 * 1024


@functools.lru_cache(maxsize=32)
def _remembered_maybe_secret_key(raw: bytes) -> bool:
    return _scanned_maybe_secret_key(raw)


#: ``"name": value`` with a string or scalar value, for bodies that are not whole JSON.
_JSON_PAIR = re.compile(rb'"([A-Za-z0-9_\-]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,\]}"]+)')


def is_secret_name(name: str) -> bool:
    normal = name.strip().lower().replace("-", "_")
    return normal in SECRET_NAMES or normal.endswith(SECRET_SUFFIXES)


def redact_header(name: str, value: str) -> str:
    """``Bearer abc`` becomes ``Bearer [redacted]``; other secret values ``[redacted]``."""
    if not is_secret_name(name):
        return value
    scheme, _, token = value.partition(" ")
    return f"{scheme} {REDACTED}" if token and scheme.isalpha() else REDACTED


def redact_headers(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_header(name, value)) for name, value in pairs]


def redact_query(query: str) -> str:
    """``a=1&api_key=s`` → ``a=1&api_key=[redacted]``; the rest is kept as sent."""
    if not query:
        return query
    parts = query.split("&")
    changed = False
    for index, part in enumerate(parts):
        name, sep, _value = part.partition("=")
        if sep and is_secret_name(unquote_plus(name)):
            parts[index], changed = f"{name}={REDACTED}", True
    return "&".join(parts) if changed else query


def redact_body(raw: bytes, content_type: str) -> tuple[bytes, bool]:
    """The body with secret values replaced, and whether anything was.

    JSON bodies that hold a secret key are parsed and written back compactly with the
    values replaced (at any depth); bodies that are not whole JSON (a kept prefix) have
    string and scalar values replaced in place; form bodies are read like a query.
    """
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        text = raw.decode("latin-1")
        redacted = redact_query(text)
        return (redacted.encode("latin-1"), True) if redacted != text else (raw, False)
    if not _maybe_secret_key(raw):
        return raw, False
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _redact_pairs(raw)
    if not _redact_value(value):
        return raw, False
    return orjson.dumps(value), True


def redact_prefix(raw: bytes) -> bytes:
    """A kept prefix of a body: secret ``"name": value`` pairs replaced in place."""
    if not _maybe_secret_key(raw):
        return raw
    return _redact_pairs(raw)[0]


def _redact_pairs(raw: bytes) -> tuple[bytes, bool]:
    changed = False

    def replace(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        if not is_secret_name(match.group(1).decode("ascii")):
            return match.group(0)
        changed = True
        return b'"' + match.group(1) + b'"' + match.group(2) + b'"' + REDACTED.encode() + b'"'

    redacted = _JSON_PAIR.sub(replace, raw)
    return redacted, changed


def _redact_value(root: Any) -> bool:
    """Replace, in place and at any depth, the values of secret keys; True if any was."""
    changed = False
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if is_secret_name(key):
                    node[key], changed = REDACTED, True
                elif isinstance(child, dict | list):
                    stack.append(child)
        elif isinstance(node, list):
            stack.extend(child for child in node if isinstance(child, dict | list))
    return changed
