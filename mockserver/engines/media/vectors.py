"""Embedding vectors that depend on the text alone.

A vector is the normalised sum of one pseudo-random direction per word (so texts that
share words point in similar directions) plus a direction for the whole text (so two
different texts never coincide). Directions come from SHAKE-256 of the word, so the
same text gives the same vector in every request, process and seed.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
#: Words beyond this many distinct ones do not change the vector (keeps big inputs fast).
MAX_WORDS = 64
_TEXT_WEIGHT = 0.35


def embed(text: str, dims: int, namespace: str = "") -> list[float]:
    """A unit-norm vector of ``dims`` numbers for ``text``."""
    total = [x * _TEXT_WEIGHT for x in _direction("text", namespace + "\x00" + text, dims)]
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:MAX_WORDS]
    for word in words:
        for i, x in enumerate(_direction("word", namespace + "\x00" + word, dims)):
            total[i] += x
    return normalise(total)


def shorten(vector: list[float], dims: int) -> list[float]:
    """The first ``dims`` components, renormalised (how shortened embeddings work)."""
    return normalise(vector[:dims]) if dims < len(vector) else vector


def normalise(vector: list[float]) -> list[float]:
    norm = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def as_float32_base64(vector: list[float]) -> str:
    """Packed little-endian float32, base64-encoded (OpenAI's ``encoding_format=base64``)."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def rounded(vector: list[float]) -> list[float]:
    """Float32 precision in JSON: what a float32 vector prints as."""
    return list(struct.unpack(f"<{len(vector)}f", struct.pack(f"<{len(vector)}f", *vector)))


def cosine(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


@lru_cache(maxsize=4096)
def _direction(kind: str, key: str, dims: int) -> tuple[float, ...]:
    """``dims`` values in [-1, 1) from SHAKE-256 of ``kind`` and ``key``."""
    raw = hashlib.shake_256(f"{kind}\x00{key}".encode()).digest(2 * dims)
    return tuple(v / 32768.0 for v in struct.unpack(f"<{dims}h", raw))
