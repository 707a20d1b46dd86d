"""Speech synthesis, transcription and translation (GATEWAY-BEHAVIOUR §6).

Speech answers with real audio bytes whose length follows the text; transcripts are
derived from the uploaded file (its measured duration, and its bytes for the words).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import Any

from mockserver import ids
from mockserver.engines.media import codecs, probe, signal, transcript
from mockserver.engines.media.accounting import (
    base_seed,
    content_faker,
    estimate_tokens,
    meta,
    require_model,
    summarise,
    usage,
)
from mockserver.errors import ValidationDetail, validation_failure
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

#: Audio tokens per second of speech (input to transcription, output of speech models).
AUDIO_TOKENS_PER_SECOND = 10
_TEXT_FORMATS = {"text", "srt", "vtt"}


@generator("createSpeech", heavy=True)
def speech(ctx: SynthesisContext) -> MockReply:
    model, provider = require_model(ctx, "audio.speech")
    body = ctx.request.body
    voice = _voice(body, model.extra.get("voices"))
    fmt = body.get("response_format") or "mp3"
    speed = float(body.get("speed") or 1.0)
    text = body["input"]
    pcm = signal.speech_pcm(text, codecs.SAMPLE_RATE, speed, voice)
    seconds = round(len(pcm) / 2 / codecs.SAMPLE_RATE, 3)
    audio_tokens = math.ceil(seconds * AUDIO_TOKENS_PER_SECOND)
    text_tokens = estimate_tokens(text)
    billed = usage(
        ctx,
        model,
        text_tokens,
        audio_tokens,
        {
            "input_text_tokens": text_tokens,
            "output_audio_tokens": audio_tokens,
            "output_audio_seconds": seconds,
            "requests": 1,
        },
        output_tokens_details={"output_audio": audio_tokens},
    )
    audio = codecs.encode(pcm, codecs.SAMPLE_RATE, fmt)
    reply = MockReply(content=audio, media_type=codecs.CONTENT_TYPES[fmt])
    return summarise(reply, model, provider, billed, meta(ctx, model, audio_tokens))


def _voice(body: dict[str, Any], voices: list[str] | None) -> str:
    """The voice to speak in: the asked one when the model knows it, else the model's first.

    The schema cannot list each provider's voices, so unknown names are accepted (a
    schema-valid request gets a 2xx) and spoken in the default voice.
    """
    voice = str(body.get("voice") or "")
    known = {v.lower(): v for v in voices or []}
    if not known or voice.lower() in known:
        return voice
    return next(iter(known.values()))


@generator("createTranscription", heavy=True)
def transcription(ctx: SynthesisContext) -> MockReply:
    return _audio_to_text(ctx, "audio.transcribe", "transcription")


@generator("createTranslation", heavy=True)
def translation(ctx: SynthesisContext) -> MockReply:
    return _audio_to_text(ctx, "audio.translate", "translation")


def _audio_to_text(ctx: SynthesisContext, capability: str, kind: str) -> MockReply:
    model, provider = require_model(ctx, capability)
    body = ctx.request.body or {}
    audio = _uploaded_audio(ctx)
    seconds, _measured_by = probe.audio_seconds(audio)
    seed = ids.derive_seed(base_seed(ctx), kind, hashlib.sha256(audio).hexdigest())
    rng = random.Random(seed)
    language = transcript.language_name(body.get("language")) if kind == "transcription" else "english"
    spoken = transcript.transcribe(seconds, rng, content_faker(seed), language)
    fmt = body.get("response_format") or "json"
    billed, output_tokens = _transcription_usage(ctx, model, spoken, str(body.get("prompt") or ""))
    timing = meta(ctx, model, output_tokens)
    if fmt in _TEXT_FORMATS:
        text = {"text": spoken.text + "\n", "srt": transcript.to_srt(spoken), "vtt": transcript.to_vtt(spoken)}[fmt]
        reply = MockReply(content=text.encode("utf-8"), media_type="text/plain")
        return summarise(reply, model, provider, billed, timing)
    answer: dict[str, Any] = {
        "requestId": ctx.request.generation_id,
        "id": ctx.request.generation_id,
        "object": kind,
        "model": model.model_id,
        "provider": provider,
        "text": spoken.text,
    }
    if fmt == "verbose_json":
        temperature = float(body.get("temperature") or 0.0)
        answer.update(
            language=spoken.language,
            duration=spoken.duration,
            segments=transcript.verbose_segments(spoken, rng, temperature),
        )
        if "word" in _list_field(body, "timestamp_granularities"):
            answer["words"] = transcript.verbose_words(spoken)
    if "logprobs" in _list_field(body, "include"):
        answer["logprobs"] = [
            {"token": word, "logprob": round(-rng.uniform(0.0, 0.8), 4)} for word, _start, _end in spoken.words()
        ]
    answer.update(usage=billed, nativeResponseId=None, meta=timing)
    return summarise(MockReply(body=answer), model, provider, billed, timing)


def _uploaded_audio(ctx: SynthesisContext) -> bytes:
    files = ctx.request.files.get("file") or ctx.request.files.get("file[]")
    if files:
        return files[0].data
    value = ctx.request.field("file")
    if isinstance(value, str) and value:
        return value.encode("utf-8", "surrogateescape")
    raise validation_failure([ValidationDetail("file is required", ["file"], "required")])


def _list_field(body: dict[str, Any], name: str) -> list[str]:
    """A list-valued form field: repeated, ``name[]``, or a JSON array in one field."""
    value = body.get(name, body.get(name + "[]"))
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            value = [value]
    if value is None:
        return []
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _transcription_usage(ctx, model, spoken: transcript.Transcript, prompt: str) -> tuple[dict[str, Any], int]:
    audio_tokens = math.ceil(spoken.duration * AUDIO_TOKENS_PER_SECOND)
    prompt_tokens = estimate_tokens(prompt)
    output_tokens = estimate_tokens(spoken.text)
    quantities = {
        "input_audio_tokens": audio_tokens,
        "input_text_tokens": prompt_tokens,
        "output_text_tokens": output_tokens,
        "input_audio_seconds": spoken.duration,
    }
    billed = usage(
        ctx,
        model,
        audio_tokens + prompt_tokens,
        output_tokens,
        quantities,
        input_tokens_details={"input_audio": audio_tokens},
    )
    return billed, output_tokens
