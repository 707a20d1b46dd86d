"""A speech-like signal for a text: one short voiced burst per word, pauses at punctuation.

The pitch of each burst follows the word, so different texts sound different while the
same text always gives the same samples. Bursts are cached per (rate, pitch, length), so
building minutes of audio is a matter of joining bytes.
"""

from __future__ import annotations

import math
import re
import struct
from array import array
from functools import lru_cache

from mockserver.ids import derive_seed

#: The rate at which speech is spoken: about 150 words a minute at speed 1.
WORDS_PER_MINUTE = 150
SECONDS_PER_WORD = 60 / WORDS_PER_MINUTE
#: Share of a word's slot that is voiced; the rest is the gap before the next word.
VOICED_SHARE = 0.75
#: Speech longer than this is cut (the longest allowed input, 4096 characters, reads in
#: about five minutes at speed 1); it bounds the size of an answer at any speed.
MAX_SECONDS = 300.0
_PITCHES_HZ = (110.0, 123.5, 138.6, 146.8, 164.8, 185.0, 207.7, 220.0)
_AMPLITUDE = 9000
_WORD = re.compile(r"[^\s]+")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def speech_seconds(text: str, speed: float = 1.0) -> float:
    """Spoken length of ``text``: ~150 words a minute, scaled by ``speed`` (0.25-4)."""
    words = max(1, len(words_of(text)))
    return min(MAX_SECONDS, round(words * SECONDS_PER_WORD / max(speed, 0.05), 3))


def speech_pcm(text: str, rate: int, speed: float = 1.0, voice: str = "") -> bytes:
    """Signed 16-bit little-endian mono samples at ``rate`` for ``text`` (``voice`` shifts the pitches)."""
    slot = max(1, round(rate * SECONDS_PER_WORD / max(speed, 0.05)))
    voiced = max(1, round(slot * VOICED_SHARE))
    gap = _silence(slot - voiced)
    shift = derive_seed("voice", voice.lower()) % len(_PITCHES_HZ) if voice else 0
    parts = []
    for word in (words_of(text) or [text or "."])[: max(1, int(MAX_SECONDS * rate) // slot)]:
        pitch = (derive_seed("pitch", word.lower().strip(".,;:!?\"'")) + shift) % len(_PITCHES_HZ)
        parts.append(_burst(rate, pitch, voiced))
        parts.append(gap)
    return b"".join(parts)


def tone_pcm(seconds: float, rate: int, pitch_index: int = 0) -> bytes:
    """A plain voiced tone (for music-like or test audio)."""
    return _burst(rate, pitch_index % len(_PITCHES_HZ), max(1, round(seconds * rate)))


@lru_cache(maxsize=16)
def _silence(samples: int) -> bytes:
    return bytes(2 * samples)


@lru_cache(maxsize=128)
def _burst(rate: int, pitch_index: int, samples: int) -> bytes:
    """A vowel-like tone: a fundamental plus two harmonics under a raised-cosine envelope."""
    base = _PITCHES_HZ[pitch_index]
    fade = max(1, min(samples // 4, rate // 50))
    step = 2 * math.pi / rate
    out = array("h")
    for n in range(samples):
        phase = step * n * base
        value = math.sin(phase) + 0.5 * math.sin(2 * phase) + 0.25 * math.sin(3 * phase)
        edge = min(n, samples - 1 - n)
        gain = 0.5 - 0.5 * math.cos(math.pi * edge / fade) if edge < fade else 1.0
        out.append(int(_AMPLITUDE * gain * value / 1.75))
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        out.byteswap()
    return out.tobytes()
