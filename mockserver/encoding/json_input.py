"""JSON request bodies read as ``json.loads`` reads them, within the mock's input limits.

Two limits protect the server (each a 400 naming where the body broke it, never a 500):

- nesting: no body may nest arrays and objects more than :data:`MAX_JSON_DEPTH` deep
  (the validator, jsonschema-rs, gives up at 256 levels; the token estimator recurses);
- integers: no integer literal may have more than :data:`MAX_INT_DIGITS` digits
  (Python's own limit on converting digit strings to ``int``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson

MAX_JSON_DEPTH = 128
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


class JsonLimitError(ValueError):
    """A well-formed JSON body beyond one of the limits; ``path`` is where (keys and indexes)."""

    def __init__(self, message: str, path: list[str | int]):
        super().__init__(message)
        self.path = path


def parse_json_body(raw: bytes) -> Any:
    """``raw`` read as ``json.loads`` reads it (NaN, integers beyond 64 bits, lone surrogates).

    orjson parses a 7 KB chat body about three times faster; what it refuses, and bodies
    with a run of 19+ digits (orjson would read a big integer as a float), go through json.
    Raises ``json.JSONDecodeError`` / ``UnicodeDecodeError`` for malformed bodies and
    :class:`JsonLimitError` for bodies nested too deep or with too long an integer.
    """
    value = _loads(raw)
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
        path = too_deep_at(value, MAX_JSON_DEPTH)
        if path is not None:
            raise JsonLimitError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep", path)
    return value


def _loads(raw: bytes) -> Any:
    if _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    text = raw.decode("utf-8")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonLimitError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep", []) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # Python's limit on integer digits
        path = _huge_integer_path(text)
        if path is None:
            raise
        raise JsonLimitError(f"integer literal longer than {MAX_INT_DIGITS} digits", path) from exc


def too_deep_at(value: Any, limit: int) -> list[str | int] | None:
    """The path to the first array or object nested deeper than ``limit``, or None."""
    if not isinstance(value, dict | list):
        return None
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limit:
            return list(path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, (*path, key)))
    return None


class _HugeInteger(str):
    pass


def _huge_integer_path(text: str) -> list[str | int] | None:
    """Where the first over-long integer literal of ``text`` is (parsed again, leniently)."""

    def keep_huge(digits: str) -> Any:
        return _HugeInteger(digits) if len(digits.lstrip("-")) > MAX_INT_DIGITS else int(digits)

    try:
        value = json.loads(text, parse_int=keep_huge)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _HugeInteger):
            return list(path)
        if isinstance(node, dict | list):
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((child, (*path, key)) for key, child in items)
    return None


#: Every digit as ``0``, anything else as a space: a 19-digit run is then a plain substring
#: (~10 µs for 7 KB, where the regex ``\d{19}`` took ~150 µs).
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19
