"""The official ``openai`` SDK against a live mock: embeddings, moderations, images,
speech, transcription and translation succeed, parse, and validate against the spec."""

from __future__ import annotations

import base64
import io
import math
import wave

import av
import httpx
import openai
import pytest

from tests.support import KEY


@pytest.fixture(scope="module")
def sdk(live_origin):
    with openai.OpenAI(api_key=KEY, base_url=live_origin + "/v1", max_retries=0, timeout=30) as client:
        yield client


def test_embeddings_float_and_base64(sdk, checker):
    raw = sdk.embeddings.with_raw_response.create(
        model="openai/text-embedding-3-small", input=["a red fox", "a blue whale"]
    )
    checker.check(raw.http_response)
    parsed = raw.parse()  # the SDK asks for base64 by default and decodes float32 itself
    assert [item.index for item in parsed.data] == [0, 1]
    assert all(len(item.embedding) == 1536 for item in parsed.data)
    for item in parsed.data:
        assert math.isclose(math.fsum(x * x for x in item.embedding), 1.0, rel_tol=1e-5)
    usage = raw.http_response.json()["usage"]
    assert usage["output_tokens"] == 0
    assert usage["total_tokens"] == usage["input_tokens"] == usage["embedding_tokens"] > 0
    floats = sdk.embeddings.create(
        model="openai/text-embedding-3-small", input="a red fox", encoding_format="float", dimensions=256
    )
    short = floats.data[0].embedding
    assert len(short) == 256
    assert math.isclose(math.fsum(x * x for x in short), 1.0, rel_tol=1e-5)


def test_moderations(sdk, checker):
    raw = sdk.moderations.with_raw_response.create(
        model="openai/omni-moderation-latest", input=["I will kill them all", "What a lovely morning"]
    )
    checker.check(raw.http_response)
    parsed = raw.parse()
    first, second = parsed.results
    assert first.flagged and first.categories.violence
    assert not second.flagged
    assert first.category_scores.violence >= 0.5 > second.category_scores.violence


def test_images_b64_json(sdk, checker):
    raw = sdk.images.with_raw_response.generate(
        model="openai/gpt-image-1", prompt="A lighthouse at dawn", size="1024x1536", response_format="b64_json", n=2
    )
    checker.check(raw.http_response)
    parsed = raw.parse()
    assert len(parsed.data) == 2
    for item in parsed.data:
        png = base64.b64decode(item.b64_json)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == 1024 and int.from_bytes(png[20:24], "big") == 1536


def test_images_url_is_served(sdk, checker):
    raw = sdk.images.with_raw_response.generate(
        model="openai/dall-e-3", prompt="A watercolour fox", size="512x512", response_format="url"
    )
    checker.check(raw.http_response)
    url = raw.parse().data[0].url
    fetched = httpx.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(fetched.content[16:20], "big") == 512


def test_image_edit_multipart(sdk, checker):
    source = sdk.images.generate(model="openai/gpt-image-1", prompt="a room", size="256x256").data[0].b64_json
    raw = sdk.images.with_raw_response.edit(
        model="openai/gpt-image-1", prompt="add a green sofa", image=("room.png", base64.b64decode(source), "image/png")
    )
    checker.check(raw.http_response)
    edited = base64.b64decode(raw.parse().data[0].b64_json)
    assert edited[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(edited[16:20], "big") == 256  # size auto follows the source image


def test_speech_wav_and_mp3_then_transcribe(sdk, checker):
    text = "The quick brown fox jumps over the lazy dog and keeps on running far away."
    wav_bytes = sdk.audio.speech.create(
        model="openai/gpt-4o-mini-tts", voice="coral", input=text, response_format="wav"
    ).read()
    with wave.open(io.BytesIO(wav_bytes)) as audio:
        seconds = audio.getnframes() / audio.getframerate()
    assert math.isclose(seconds, len(text.split()) * 0.4, rel_tol=0.05)

    raw_mp3 = sdk.audio.speech.with_raw_response.create(model="openai/tts-1", voice="alloy", input=text)
    checker.check(raw_mp3.http_response)
    assert raw_mp3.http_response.headers["content-type"] == "audio/mpeg"
    with av.open(io.BytesIO(raw_mp3.http_response.content)) as container:
        decoded = sum(frame.samples for frame in container.decode(audio=0))
        assert container.streams.audio[0].codec_context.name.startswith("mp3")
    assert math.isclose(decoded / 24000, seconds, abs_tol=0.2)

    raw_text = sdk.audio.transcriptions.with_raw_response.create(
        model="openai/whisper-1",
        file=("speech.wav", wav_bytes, "audio/wav"),
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
    )
    checker.check(raw_text.http_response)
    verbose = raw_text.parse()
    assert math.isclose(verbose.duration, seconds, abs_tol=0.01)
    assert verbose.segments[-1].end == pytest.approx(seconds, abs=0.01)
    assert verbose.words and verbose.text

    again = sdk.audio.transcriptions.create(model="openai/whisper-1", file=("x.wav", wav_bytes, "audio/wav"))
    assert again.text == verbose.text  # same audio, same seed: same words


def test_translation_and_text_formats(sdk):
    wav_bytes = sdk.audio.speech.create(
        model="openai/tts-1", voice="nova", input="Guten Morgen zusammen", response_format="wav"
    ).read()
    with pytest.deprecated_call():  # this SDK release marks translations deprecated; the call still works
        translated = sdk.audio.translations.create(model="openai/whisper-1", file=("de.wav", wav_bytes, "audio/wav"))
    assert translated.text
    srt = sdk.audio.transcriptions.create(
        model="openai/whisper-1", file=("de.wav", wav_bytes, "audio/wav"), response_format="srt"
    )
    assert srt.startswith("1\n00:00:00,000 --> ")
