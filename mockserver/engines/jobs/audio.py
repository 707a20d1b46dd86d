"""Real audio for finished music jobs: a short mono WAV melody, deterministic per seed.

WAV (16-bit PCM) is what the mock serves whatever format was asked for: every player and
the standard library's ``wave`` module decode it. Tracks are capped at ``MAX_SECONDS`` so
that serving one stays cheap; the track's reported duration is the real one.
"""

from __future__ import annotations

import math
import random
import struct
from functools import lru_cache

from mockserver.engines.media.codecs import to_wav

SAMPLE_RATE = 8000
MAX_SECONDS = 20
DEFAULT_SECONDS = 12
_SCALE = (261.63, 293.66, 329.63, 392.00, 440.00, 523.25)  # C major pentatonic, plus C5
_NOTE_SECONDS = 0.25


def track_seconds(requested: int | float | None) -> float:
    """Length of the served track for a requested duration."""
    if not requested or requested <= 0:
        return float(DEFAULT_SECONDS)
    return float(min(MAX_SECONDS, max(1, int(requested))))


@lru_cache(maxsize=16)
def build_wav(seconds: float = DEFAULT_SECONDS, seed: int = 0) -> bytes:
    """A melody of quarter-second notes with a soft attack and release."""
    rng = random.Random(seed)
    frames = int(seconds * SAMPLE_RATE)
    per_note = int(_NOTE_SECONDS * SAMPLE_RATE)
    pcm = bytearray()
    for start in range(0, frames, per_note):
        freq = rng.choice(_SCALE)
        count = min(per_note, frames - start)
        for i in range(count):
            envelope = min(1.0, i / 200, (count - i) / 200)
            value = int(9000 * envelope * math.sin(2 * math.pi * freq * i / SAMPLE_RATE))
            pcm += struct.pack("<h", value)
    return to_wav(bytes(pcm), SAMPLE_RATE)
