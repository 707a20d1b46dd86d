"""Music jobs: ``POST /music/generate`` and polling ``GET /music/generate/{id}``.

Suno jobs are queued and polled (``queued`` → ``in_progress`` → ``completed`` |
``failed``, no progress field, usage only once completed, charged then); the other
providers answer synchronously, ``completed`` with the audio, charged at creation.
Finished tracks are real WAV files served from the mock's media route.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from mockserver import ids
from mockserver.engines.jobs.audio import build_wav, track_seconds
from mockserver.engines.jobs.lifecycle import COMPLETED, FAILED, IN_PROGRESS, QUEUED, decide_outcome
from mockserver.engines.text.routing import resolve_model
from mockserver.enrichment.pricing import price_usage
from mockserver.enrichment.usage import generic_usage
from mockserver.model import MockReply
from mockserver.operations.jobs_common import (
    OUTCOME_HEADER,
    creation_meta,
    job_store,
    job_team,
    observe_job,
    run_ms,
)
from mockserver.state.media import public_url
from mockserver.synthesis.registry import generator

QUEUED_PROVIDERS = ("suno",)
TRACKS = 2
_SUNO_STATUS = {
    QUEUED: "PENDING",
    IN_PROGRESS: "FIRST_SUCCESS",
    COMPLETED: "SUCCESS",
    FAILED: "GENERATE_AUDIO_FAILED",
}
_TAGS = (
    "lo-fi, warm, mellow",
    "synthwave, driving, retro",
    "acoustic, folk, gentle",
    "jazz, brushed drums, trio",
)


def _title(prompt: str | None) -> str:
    words = [word.strip(".,;:!?") for word in (prompt or "").split()[:3]]
    return " ".join(word.capitalize() for word in words if word) or "Untitled"


def _tracks(ctx, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's tracks; locations appear as the job advances (audio only when completed)."""
    if job["status"] in (QUEUED, FAILED):
        return []
    rng = random.Random(ids.derive_seed(job["seed"], "music-tracks"))
    seconds = track_seconds(job["params"].get("duration"))
    tracks = []
    for index in range(TRACKS):
        name = f"music-{job['id']}-{index}.wav"
        url = public_url(ctx.request, name)
        if job["status"] == COMPLETED:
            _publish(ctx, name, seconds, ids.derive_seed(job["seed"], index))
        tracks.append(
            {
                "index": index,
                "id": ids.uuid4(rng),
                "audio_url": url if job["status"] == COMPLETED else None,
                "stream_audio_url": url,
                "image_url": None,
                "title": _title(job["params"].get("prompt")),
                "tags": _TAGS[rng.randrange(len(_TAGS))],
                "duration": seconds if job["status"] == COMPLETED else None,
            }
        )
    return tracks


def _publish(ctx, name: str, seconds: float, seed: int) -> None:
    store = ctx.media
    if store.get(name) is None:
        store.put(name, build_wav(seconds, seed), "audio/wav")


def music_price(ctx, job: dict[str, Any]) -> dict[str, Any]:
    model = ctx.catalogue.get(job["model"])
    seconds = track_seconds(job["params"].get("duration"))
    quantities = {"output_audio_count": TRACKS, "output_audio_seconds": TRACKS * seconds, "requests": 1}
    return price_usage(quantities, model.pricing if model is not None else {})


def music_object(ctx, job: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"taskId": job["id"], "status": _SUNO_STATUS[job["status"]]}
    if job["status"] == FAILED:
        result["errorMessage"] = "Audio generation failed at the provider."
    body = {
        "id": job["id"],
        "object": "music",
        "status": job["status"],
        "provider": job["provider"],
        "model": job["model"],
        "nativeResponseId": job["id"],
        "result": result,
        "output": _tracks(ctx, job),
    }
    if job["status"] == COMPLETED:
        seconds = track_seconds(job["params"].get("duration"))
        body["usage"] = {"output_audio_count": TRACKS, "output_audio_seconds": TRACKS * seconds}
    return body


@generator("generateMusic", "generateMusicAlias")
def generate_music(ctx) -> MockReply:
    route = resolve_model(ctx, "music.generate")
    body, store = ctx.request.body, job_store(ctx)
    queued = route.provider in QUEUED_PROVIDERS
    prompt = (
        body.get("prompt") or (body.get("suno") or {}).get("prompt") or (body.get("elevenlabs") or {}).get("prompt")
    )
    params = {
        "prompt": prompt,
        "duration": body.get("duration"),
        "format": body.get("format") or "mp3",
        "request_id": ctx.request.generation_id,
    }
    outcome = decide_outcome(ctx.request.seed, ctx.request.header(OUTCOME_HEADER), store.job_failure_rate)
    job = store.jobs.create(
        job_id=secrets.token_hex(16),
        kind="music",
        team_id=job_team(ctx),
        model=route.model_id,
        provider=route.provider,
        created_ms=store.now_ms(),
        run_ms=run_ms(store) if queued else 0,
        outcome=outcome if queued else COMPLETED,
        seed=ctx.request.seed,
        params=params,
    )
    store.wrote()
    answer: dict[str, Any] = {
        "requestId": ctx.request.generation_id,
        "id": job["id"],
        "object": "music",
        "status": job["status"],
        "model": route.model_id,
        "provider": route.provider,
        "nativeResponseId": job["id"] if queued else None,
    }
    usage: dict[str, Any] = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    if queued:
        answer["result"] = {"code": 200, "msg": "success", "data": {"taskId": job["id"]}}
    else:
        answer["audio_url"] = music_object(ctx, job)["output"][0]["audio_url"]
        pricing = music_price(ctx, job)
        store.jobs.mark_charged(job["id"], pricing["total_nanos"])
        usage = generic_usage(0, 0, {}, quantities={})
        usage["pricing_breakdown"] = pricing
    answer.update(usage=usage, meta=creation_meta(ctx))
    reply = MockReply(body=answer, headers={"Cache-Control": "no-store"})
    reply.summary.update(
        model=route.model_id,
        provider=route.provider,
        usage=usage,
        pricing=usage.get("pricing_breakdown"),
        meta=answer["meta"],
        status=200,
        stream=False,
    )
    return reply


@generator("getMusicGeneration", "getMusicGenerationAlias", heavy=True)
def get_music(ctx) -> MockReply:
    job = observe_job(ctx, "music", lambda row: music_price(ctx, row))
    return MockReply(body=music_object(ctx, job), headers={"Cache-Control": "no-store"})
