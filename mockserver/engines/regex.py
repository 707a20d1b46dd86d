"""Generate a string matching a regular expression (the subset used in specs)."""

from __future__ import annotations

import functools
import random
import re
import string

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_NOT_WORD: "-.",
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
}
_PRINTABLE = string.ascii_letters + string.digits
_MAX_REPEAT = 8


def from_regex(pattern: str, rng: random.Random) -> str:
    """A string that ``re.search(pattern, result)`` accepts (anchors are honoured)."""
    return "".join(_emit(_parsed(pattern), rng))


@functools.lru_cache(maxsize=512)
def _parsed(pattern: str):
    """The parse tree of ``pattern`` (read only), kept: the same patterns come back on every request."""
    return sre_parse.parse(pattern)


def _emit(parsed, rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, value in parsed:
        out.extend(_emit_one(op, value, rng))
    return out


def _emit_one(op, value, rng):
    if op is sre_constants.LITERAL:
        return [chr(value)]
    if op is sre_constants.NOT_LITERAL:
        return [rng.choice([c for c in _PRINTABLE if ord(c) != value])]
    if op is sre_constants.ANY:
        return [rng.choice(_PRINTABLE)]
    if op is sre_constants.IN:
        return [_choose_in(value, rng)]
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
        low, high, sub = value
        high = min(high, low + _MAX_REPEAT) if high != sre_constants.MAXREPEAT else low + _MAX_REPEAT
        return [piece for _ in range(rng.randint(low, high)) for piece in _emit(sub, rng)]
    if op is sre_constants.SUBPATTERN:
        return _emit(value[-1], rng)
    if op is sre_constants.BRANCH:
        return _emit(rng.choice(value[1]), rng)
    if op is sre_constants.CATEGORY:
        return [rng.choice(_CATEGORIES.get(value, _PRINTABLE))]
    return []  # AT (anchors), lookarounds, groupref: emit nothing


def _choose_in(items, rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is sre_constants.NEGATE
    allowed: list[str] = []
    for op, value in items:
        if op is sre_constants.LITERAL:
            allowed.append(chr(value))
        elif op is sre_constants.RANGE:
            allowed.extend(chr(c) for c in range(value[0], min(value[1], value[0] + 200) + 1))
        elif op is sre_constants.CATEGORY:
            allowed.extend(_CATEGORIES.get(value, _PRINTABLE))
    if negate:
        allowed = [c for c in _PRINTABLE if c not in allowed]
    return rng.choice(allowed or _PRINTABLE)


def matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None
