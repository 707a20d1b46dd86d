"""Identifiers and seeds: gateway-format ids derived deterministically from a seed."""

from __future__ import annotations

import hashlib
import random
import string
import threading
from collections import OrderedDict

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
#: Bodies of stateless answers are stamped relative to this instant (2026-03-02T00:00:00Z)
#: so that the same seed and request give the same bytes on every run.
DEFAULT_EPOCH = 1772409600


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from any sequence of values (stable across processes and runs)."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return int.from_bytes(digest.digest(), "little")


def ulid(rng: random.Random, millis: int) -> str:
    """A 26-character Crockford ULID: 48 bits of time, 80 bits from ``rng``."""
    value = (millis & (2**48 - 1)) << 80 | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def generation_id(rng: random.Random, millis: int) -> str:
    return "G-" + ulid(rng, millis)


def token(rng: random.Random, length: int, alphabet: str = BASE62) -> str:
    """``length`` characters drawn as ``rng.choice(alphabet)`` draws them (the same characters).

    ``Random.choice`` is ``seq[self._randbelow(len(seq))]``; calling ``_randbelow`` directly
    skips a Python frame per character (ids are drawn on every answer).
    """
    # ``_randbelow`` is CPython's private helper behind ``choice``; typeshed does not declare it.
    below, size = rng._randbelow, len(alphabet)  # type: ignore[attr-defined]
    return "".join([alphabet[below(size)] for _ in range(length)])


def prefixed(rng: random.Random, prefix: str, length: int = 24) -> str:
    return prefix + token(rng, length, string.ascii_lowercase + string.digits)


def uuid4(rng: random.Random) -> str:
    value = rng.getrandbits(128)
    value = (value & ~(0xF << 76)) | (4 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class Occurrences:
    """How many times each key (a request's seed) has been seen, for the last ``limit``
    distinct keys (thread-safe): the 2nd identical request gets occurrence 2, and so on."""

    def __init__(self, limit: int = 50_000):
        self.limit = max(1, limit)
        self._counts: OrderedDict[int, int] = OrderedDict()
        self._lock = threading.Lock()

    def next(self, key: int) -> int:
        with self._lock:
            count = self._counts.pop(key, 0) + 1
            self._counts[key] = count
            if len(self._counts) > self.limit:
                self._counts.popitem(last=False)
        return count

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
