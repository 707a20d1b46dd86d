"""Transcripts of audio: text, timed segments and words, and their text renderings.

Speech runs at about 150 words a minute, so the number of words follows the duration
of the audio; the words themselves come from a seeded Faker (plausible English).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockserver.engines.media.signal import WORDS_PER_MINUTE

if TYPE_CHECKING:
    from faker import Faker

LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "ja": "japanese",
    "zh": "chinese",
    "pl": "polish",
}


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass
class Transcript:
    text: str
    duration: float
    language: str
    segments: list[Segment]

    def words(self) -> list[tuple[str, float, float]]:
        return [word for segment in self.segments for word in segment.words]


def transcribe(seconds: float, rng: random.Random, faker: Faker, language: str = "english") -> Transcript:
    """A transcript of ``seconds`` of speech: sentences become segments spread over the audio."""
    seconds = max(seconds, 0.1)
    wanted = max(1, round(seconds * WORDS_PER_MINUTE / 60))
    sentences: list[list[str]] = []
    remaining = wanted
    while remaining > 0:
        size = min(remaining, rng.randint(4, 14))
        words = faker.sentence(nb_words=size, variable_nb_words=False).rstrip(".").split()[:size]
        words[-1] += rng.choice(".....?!")
        sentences.append(words)
        remaining -= len(words)
    per_word = seconds / sum(len(words) for words in sentences)
    segments, clock = [], 0.0
    for index, words in enumerate(sentences):
        timed = []
        for word in words:
            start = clock
            clock += per_word
            timed.append((word.strip(".,?!;:"), round(start, 2), round(min(clock, seconds), 2)))
        segments.append(Segment(index, timed[0][1], timed[-1][2], " ".join(words), timed))
    segments[-1].end = round(seconds, 2)
    text = " ".join(segment.text for segment in segments)
    return Transcript(text=text, duration=round(seconds, 2), language=language, segments=segments)


def verbose_segments(transcript: Transcript, rng: random.Random, temperature: float) -> list[dict]:
    out = []
    for segment in transcript.segments:
        out.append(
            {
                "id": segment.id,
                "seek": int(segment.start * 100),
                "start": segment.start,
                "end": segment.end,
                "text": " " + segment.text,
                "tokens": [50364 + rng.randrange(1, 12000) for _ in segment.words] + [13],
                "temperature": temperature,
                "avg_logprob": round(-rng.uniform(0.05, 0.6), 4),
                "compression_ratio": round(rng.uniform(0.8, 1.6), 4),
                "no_speech_prob": round(rng.uniform(0.0, 0.05), 4),
            }
        )
    return out


def verbose_words(transcript: Transcript) -> list[dict]:
    return [{"word": word, "start": start, "end": end} for word, start, end in transcript.words()]


def to_srt(transcript: Transcript) -> str:
    blocks = [
        f"{n}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text}\n"
        for n, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    blocks = [f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text}\n" for s in transcript.segments]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def language_name(code: str | None) -> str:
    if not code:
        return "english"
    return LANGUAGES.get(code.lower().split("-")[0], code.lower())
