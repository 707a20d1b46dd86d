"""Media answers through the whole server (both frameworks): decodable bytes at the
asked size and length, consistent JSON, and every answer valid against the contract."""

from __future__ import annotations

import base64
import io
import math
import re
import struct
import wave
import zlib

import av
import pytest
from PIL import Image

from tests.support import AUTH

SPEECH = "Please leave the parcel at the front door if nobody answers the bell."


def call(client, checker, path: str, **kwargs):
    return checker.check(client.post("/v1" + path, headers={**AUTH, **kwargs.pop("headers", {})}, **kwargs))


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the inflated image data of a PNG (chunks and CRCs checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, size = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        (checksum,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert checksum == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height = size
    return width, height, zlib.decompress(idat)


@pytest.mark.parametrize("fmt", ["mp3", "wav", "flac", "opus", "aac"])
def test_speech_decodes_in_every_format(client, checker, fmt):
    response = call(
        client,
        checker,
        "/audio/speech",
        json={"model": "openai/gpt-4o-mini-tts", "input": SPEECH, "response_format": fmt},
    )
    assert response.headers["content-type"].startswith({"mp3": "audio/mpeg"}.get(fmt, f"audio/{fmt}"))
    with av.open(io.BytesIO(response.content)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        seconds = samples / stream.rate
    assert math.isclose(seconds, len(SPEECH.split()) * 0.4, abs_tol=0.15)


def test_speech_pcm_is_raw_24k_and_speed_shortens_it(client, checker):
    body = {"model": "openai/tts-1", "input": SPEECH, "response_format": "pcm"}
    normal = call(client, checker, "/audio/speech", json=body).content
    fast = call(client, checker, "/audio/speech", json={**body, "speed": 2.0}).content
    assert len(normal) == 2 * 24000 * round(len(SPEECH.split()) * 0.4, 3)
    assert math.isclose(len(fast) / len(normal), 0.5, rel_tol=0.01)
    assert any(normal[i] for i in range(0, 4000))  # a signal, not silence


def test_speech_wav_header_and_voices(client, checker):
    wav_bytes = call(
        client, checker, "/audio/speech", json={"model": "openai/tts-1", "input": "Hi there", "response_format": "wav"}
    ).content
    with wave.open(io.BytesIO(wav_bytes)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 24000)
        assert audio.getnframes() == round(2 * 0.4 * 24000)
    body = {"model": "openai/tts-1", "input": "Hi there", "response_format": "pcm"}
    unknown = call(client, checker, "/audio/speech", json={**body, "voice": "bob"})
    assert unknown.status_code == 200  # schema-valid: accepted, spoken in the default voice
    assert unknown.content == call(client, checker, "/audio/speech", json={**body, "voice": "alloy"}).content


def _speech_wav(client, checker, text: str) -> bytes:
    return call(
        client, checker, "/audio/speech", json={"model": "openai/tts-1", "input": text, "response_format": "wav"}
    ).content


def test_transcripts_are_well_formed_and_follow_the_audio(client, checker):
    audio = _speech_wav(client, checker, " ".join([SPEECH] * 3))
    seconds = len(SPEECH.split()) * 3 * 0.4
    files = {"file": ("speech.wav", audio, "audio/wav")}
    form = {"model": "openai/whisper-1"}

    def transcribe(fmt: str, **extra):
        return call(
            client, checker, "/audio/transcriptions", files=files, data={**form, "response_format": fmt, **extra}
        )

    verbose = transcribe("verbose_json", **{"timestamp_granularities[]": "word"}).json()
    assert verbose["duration"] == pytest.approx(seconds, abs=0.01)
    segments = verbose["segments"]
    assert segments[0]["start"] == 0 and segments[-1]["end"] == pytest.approx(seconds, abs=0.01)
    assert all(a["end"] <= b["start"] + 1e-9 for a, b in zip(segments, segments[1:], strict=False))
    assert " ".join(s["text"].strip() for s in segments) == verbose["text"]
    assert len(verbose["words"]) == round(seconds * 150 / 60)

    srt = transcribe("srt").text
    blocks = srt.strip().split("\n\n")
    assert len(blocks) == len(segments)
    for number, block in enumerate(blocks, start=1):
        index, timing, text = block.split("\n")
        assert index == str(number) and text == segments[number - 1]["text"].strip()
        assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", timing)

    vtt = transcribe("vtt").text
    assert vtt.startswith("WEBVTT\n\n")
    cues = re.findall(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$", vtt, re.M)
    assert len(cues) == len(segments)
    last = cues[-1]
    assert int(last[5]) * 60 + int(last[6]) + int(last[7]) / 1000 == pytest.approx(seconds, abs=0.01)

    text = transcribe("text")
    assert text.headers["content-type"].startswith("text/plain") and text.text.strip() == verbose["text"]


def test_transcription_of_unknown_bytes_and_urlencoded_form(client, checker):
    noise = bytes(range(256)) * 125  # 32 000 bytes of no known container: ~2 s at 128 kbit/s
    answer = call(
        client,
        checker,
        "/audio/translations",
        files={"file": ("blob.bin", noise)},
        data={"model": "openai/whisper-1", "response_format": "verbose_json"},
    ).json()
    assert answer["object"] == "translation" and answer["duration"] == pytest.approx(2.0)
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    # A url-encoded form cannot carry the file: refused before any provider is involved.
    plain = call(client, checker, "/audio/transcriptions", data={"model": "openai/whisper-1", "file": "abc"})
    assert plain.status_code == 415 and plain.json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("size", "fmt"), [("256x256", "png"), ("1536x1024", "png"), ("512x512", "jpeg"), ("256x256", "webp")]
)
def test_generated_images_decode_at_the_asked_size(client, checker, size, fmt):
    body = {"model": "openai/gpt-image-1", "prompt": "a quiet harbour", "size": size, "output_format": fmt}
    answer = call(client, checker, "/images/generations", json=body).json()
    data = base64.b64decode(answer["data"][0]["b64_json"])
    width, height = (int(x) for x in size.split("x"))
    if fmt == "png":
        got_w, got_h, pixels = png_pixels(data)
        assert (got_w, got_h) == (width, height)
        assert len(pixels) == height * (1 + 3 * width)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt.upper() and image.size == (width, height)


def test_transparent_background_has_an_alpha_channel(client, checker):
    body = {"model": "openai/gpt-image-1", "prompt": "a logo", "size": "256x256", "background": "transparent"}
    data = base64.b64decode(call(client, checker, "/images/generations", json=body).json()["data"][0]["b64_json"])
    width, height, pixels = png_pixels(data)
    assert data[25] == 6 and len(pixels) == height * (1 + 4 * width)  # colour type RGBA
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "RGBA" and set(image.getchannel("A").tobytes()) == {0, 255}


def test_image_edit_json_and_url_download(client, checker):
    source = base64.b64encode(b"not really an image").decode()
    answer = call(
        client,
        checker,
        "/images/edits",
        json={
            "model": "openai/gpt-image-1",
            "image": [source],
            "prompt": "make it blue",
            "response_format": "url",
            "n": 2,
        },
    ).json()
    assert len(answer["data"]) == 2
    assert answer["usage"]["input_tokens_details"]["input_images"] > 0
    for item in answer["data"]:
        fetched = client.get(item["url"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
        assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"
        assert png_pixels(fetched.content)[:2] == (1024, 1024)
    assert client.get("/__mock/media/unknown.png").status_code == 404


def test_embeddings_encodings_and_batches(client, checker):
    body = {"model": "openai/text-embedding-3-large", "inputs": ["alpha beta", "gamma"], "dimensions": 64}
    floats = call(client, checker, "/embeddings", json=body).json()
    packed = call(client, checker, "/embeddings", json={**body, "encoding_format": "base64"}).json()
    for as_float, as_b64 in zip(floats["data"], packed["data"], strict=True):
        decoded = struct.unpack("<64f", base64.b64decode(as_b64["embedding"]))
        assert list(decoded) == as_float["embedding"]
        assert math.isclose(math.fsum(x * x for x in decoded), 1.0, rel_tol=1e-6)
    assert floats["usage"]["pricing_breakdown"]["lines"][0]["dimension"] == "embedding_tokens"
    other_seed = call(client, checker, "/embeddings", json=body, headers={"X-Mock-Seed": "99"}).json()
    assert other_seed["data"] == floats["data"]
    too_big = call(client, checker, "/embeddings", json={**body, "dimensions": 5000})
    assert too_big.status_code == 400


def test_moderation_results_are_consistent(client, checker):
    parts = [
        {"type": "text", "text": "Go kill yourself you idiot"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
    ]
    body = {"model": "openai/omni-moderation-latest", "input": parts, "meta": True}
    answer = call(client, checker, "/moderations", json=body).json()
    (result,) = answer["results"]
    assert answer["object"] == "list" and "meta" in answer
    assert result["flagged"] == any(result["categories"].values())
    for name, flagged in result["categories"].items():
        assert flagged == (result["category_scores"][name] >= 0.5)
    assert "image" in result["category_applied_input_types"]["violence"]
    assert "image" not in result["category_applied_input_types"]["hate"]


def test_ocr_pages_join_to_the_text(client, checker):
    answer = call(
        client, checker, "/ocr", json={"model": "mistral/mistral-ocr-2505", "image": "https://example.com/scan.pdf"}
    ).json()
    assert len(answer["pages"]) >= 2
    assert answer["text"] == "\n".join(page["text"] for page in answer["pages"])
    for page in answer["pages"]:
        assert page["text"] == "\n".join(block["text"] for block in page["blocks"])
        tops = [block["bbox"]["y"] for block in page["blocks"]]
        assert tops == sorted(tops)
    (line,) = answer["usage"]["pricing_breakdown"]["lines"]
    assert (line["dimension"], line["quantity"]) == ("pages", len(answer["pages"]))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/embeddings", {"model": "openai/gpt-5", "input": "x"}),
        ("/moderations", {"model": "no-such/model", "input": "x"}),
        ("/images/generations", {"model": "openai/text-embedding-3-small", "prompt": "x"}),
        ("/images/edits", {"model": "openai/dall-e-3", "prompt": "x", "image": "aGk="}),
        ("/audio/speech", {"model": "openai/whisper-1", "input": "x"}),
        ("/ocr", {"model": "openai/gpt-image-1", "image": "aGk="}),
    ],
)
def test_unsuitable_models_are_refused(client, checker, path, body):
    refused = call(client, checker, path, json=body)
    assert refused.status_code == 400
    assert refused.json()["error"] == "unsupported_model_or_endpoint"
