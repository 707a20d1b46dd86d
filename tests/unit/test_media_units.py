"""The pure media modules: vectors, moderation scores, audio codecs and probes,
transcripts and the bounded media store."""

from __future__ import annotations

import io
import math
import random

import av
import pytest
from faker import Faker

from mockserver.engines.media import codecs, moderation, probe, signal, transcript, vectors
from mockserver.state.media import MediaStore


def test_vectors_depend_on_the_text_only():
    first = vectors.embed("the cat sat on the mat", 512, "m")
    assert first == vectors.embed("the cat sat on the mat", 512, "m")
    assert math.isclose(math.fsum(x * x for x in first), 1.0, rel_tol=1e-12)
    near = vectors.embed("the cat sat on a mat", 512, "m")
    far = vectors.embed("interest rates rose in March", 512, "m")
    assert vectors.cosine(first, near) > 0.5 > vectors.cosine(first, far)
    assert vectors.embed("same words", 64, "m") != vectors.embed("words same!", 64, "m")
    short = vectors.shorten(first, 32)
    assert len(short) == 32 and math.isclose(math.fsum(x * x for x in short), 1.0, rel_tol=1e-12)


def test_moderation_is_deterministic_and_thresholded():
    once = moderation.verdict(["I will murder you"], [])
    assert once == moderation.verdict(["I will murder you"], [])
    assert once["flagged"] and once["categories"]["violence"]
    calm = moderation.verdict(["Tea with friends"], [])
    assert not calm["flagged"] and max(calm["category_scores"].values()) < moderation.FLAG_THRESHOLD
    assert moderation.split_input(["a", "b"]) == [(["a"], []), (["b"], [])]


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "opus", "aac"])
def test_codecs_decode_and_probe_agree(fmt):
    pcm = signal.speech_pcm("one two three four five six seven", codecs.SAMPLE_RATE)
    data = codecs.encode(pcm, codecs.SAMPLE_RATE, fmt)
    with av.open(io.BytesIO(data)) as container:
        frames = list(container.decode(audio=0))
        seconds = sum(frame.samples for frame in frames) / frames[0].sample_rate
    measured, how = probe.audio_seconds(data)
    assert how != "size"
    assert math.isclose(seconds, 2.8, abs_tol=0.1) and math.isclose(measured, 2.8, abs_tol=0.1)
    if fmt in ("wav", "flac"):  # lossless: the samples come back exactly
        decoded = b"".join(bytes(frame.planes[0])[: frame.samples * 2] for frame in frames)
        assert decoded == pcm


def test_speech_length_follows_words_and_speed_and_is_bounded():
    assert signal.speech_seconds("a b c d e") == 2.0
    assert signal.speech_seconds("a b c d e", speed=2) == 1.0
    long_text = "word " * 4000
    assert len(signal.speech_pcm(long_text, 8000, 0.25)) <= 2 * 8000 * signal.MAX_SECONDS
    voices = {signal.speech_pcm("hello", 8000, voice=v) for v in ("alloy", "ash", "coral", "echo", "nova")}
    assert len(voices) > 1


def test_transcript_timing_and_formats():
    spoken = transcript.transcribe(3725.5, random.Random(1), Faker())
    assert spoken.segments[-1].end == 3725.5
    assert len(spoken.words()) == round(3725.5 * 150 / 60)
    srt = transcript.to_srt(spoken)
    assert "01:02:05,500" in srt.strip().split("\n\n")[-1]
    assert transcript.to_vtt(spoken).startswith("WEBVTT\n\n00:00:00.000 --> ")
    assert transcript.language_name("de-DE") == "german"


def test_store_is_bounded_by_count_and_bytes():
    store = MediaStore(max_items=3, max_bytes=100)
    for index in range(5):
        store.put(f"f{index}", b"x" * 10, "image/png")
    assert len(store) == 3 and store.get("f0") is None and store.get("f4") is not None
    store.get("f2")
    store.put("big", b"y" * 85, "image/png")
    assert store.size_bytes <= 100 and store.get("f2") is not None and store.get("f3") is None
    store.put("huge", b"z" * 101, "image/png")
    assert store.get("huge") is None
