"""Video jobs: ``POST /videos`` registers a job; polling, download and delete follow it.

The job moves on its own clock (``--job-seconds``); its outcome is drawn from the
request seed or forced with the ``X-Mock-Job-Outcome: completed|failed`` header. The
first call that sees it completed charges the team for ``output_video_seconds``
(GATEWAY-BEHAVIOUR §7). The legacy ``/video/generations`` routes share every handler.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from mockserver.engines.jobs.lifecycle import COMPLETED, FAILED, decide_outcome
from mockserver.engines.jobs.mp4 import build_mp4
from mockserver.engines.text.routing import resolve_model
from mockserver.enrichment.pricing import price_usage
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.jobs_common import (
    OUTCOME_HEADER,
    creation_meta,
    job_store,
    job_team,
    observe_job,
    run_ms,
)
from mockserver.synthesis.registry import generator

DEFAULT_SECONDS, DEFAULT_SIZE, DEFAULT_QUALITY = 4, "720x1280", "standard"
EXPIRES_AFTER_SECONDS = 3600
_FAILURES = (
    ("moderation_blocked", "The request was blocked by the provider's content policy."),
    ("generation_failed", "The provider could not render the video. Try again with a different prompt."),
    ("internal_error", "The provider hit an internal error while rendering."),
)
_RESOLUTIONS = {"480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}


def _seconds(body: dict[str, Any]) -> int:
    for name in ("seconds", "duration", "duration_seconds"):
        value = body.get(name)
        if value is not None and str(value).isdigit() and int(value) > 0:
            return int(value)
    return DEFAULT_SECONDS


def _size(body: dict[str, Any]) -> str:
    if body.get("size"):
        return body["size"]
    aspect, resolution = body.get("aspect_ratio"), str(body.get("resolution") or "").lower()
    if not aspect and not resolution:
        return DEFAULT_SIZE
    short = _RESOLUTIONS.get(resolution, 720)
    across, down = (int(part) for part in (aspect or "16:9").split(":"))
    if across >= down:
        return f"{round(short * across / down)}x{short}"
    return f"{short}x{round(short * down / across)}"


def _job_id(provider: str) -> str:
    token = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    if provider.startswith("google"):
        operation = f"models/veo/operations/{secrets.token_hex(12)}".encode()
        return "gaiop_" + base64.urlsafe_b64encode(operation).decode().rstrip("=")
    prefixes = {"alibaba": "dscope_", "xai": "xaivid_", "minimax": "mmxvid_"}
    return prefixes.get(provider, "video_") + token[:24]


def video_price(ctx, job: dict[str, Any]) -> dict[str, Any]:
    model = ctx.catalogue.get(job["model"])
    rules = model.pricing if model is not None else {}
    return price_usage({"output_video_seconds": job["params"]["seconds"]}, rules)


def video_object(ctx, job: dict[str, Any]) -> dict[str, Any]:
    """The job as the provider reports it (OpenAI's video object), with usage once completed."""
    params, status = job["params"], job["status"]
    finished = None if job["finished_ms"] is None else job["finished_ms"] // 1000
    body: dict[str, Any] = {
        "id": job["id"],
        "object": "video",
        "status": status,
        "progress": job["progress"],
        "created_at": job["created_ms"] // 1000,
        "completed_at": finished,
        "expires_at": finished + EXPIRES_AFTER_SECONDS if status == COMPLETED and finished is not None else None,
        "model": job["model"].split("/", 1)[-1],
        "seconds": str(params["seconds"]),
        "size": params["size"],
        "quality": params["quality"],
        "error": None,
    }
    if status == FAILED:
        code, message = _FAILURES[job["seed"] % len(_FAILURES)]
        body["error"] = {"code": code, "message": message}
    if status == COMPLETED:
        body["usage"] = {"output_video_seconds": params["seconds"], "pricing": video_price(ctx, job)}
    return body


@generator("createVideo", "createVideoAlias")
def create_video(ctx) -> MockReply:
    route = resolve_model(ctx, "video.generate")
    body, store = ctx.request.body, job_store(ctx)
    params = {
        "seconds": _seconds(body),
        "size": _size(body),
        "quality": body.get("quality") or DEFAULT_QUALITY,
        "request_id": ctx.request.generation_id,
    }
    outcome = decide_outcome(ctx.request.seed, ctx.request.header(OUTCOME_HEADER), store.job_failure_rate)
    job = store.jobs.create(
        job_id=_job_id(route.provider),
        kind="video",
        team_id=job_team(ctx),
        model=route.model_id,
        provider=route.provider,
        created_ms=store.now_ms(),
        run_ms=run_ms(store),
        outcome=outcome,
        seed=ctx.request.seed,
        params=params,
    )
    store.wrote()
    provider_job = video_object(ctx, job)
    provider_job.pop("usage", None)
    answer = {
        "requestId": ctx.request.generation_id,
        **provider_job,
        "model": route.model_id,
        "nativeResponseId": job["id"],
        "provider": route.provider,
        "output": [],
        "result": provider_job,
        "usage": {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
        "meta": creation_meta(ctx),
    }
    reply = MockReply(body=answer, headers={"Cache-Control": "no-store"})
    reply.summary.update(
        model=route.model_id,
        provider=route.provider,
        usage=answer["usage"],
        pricing=None,
        meta=answer["meta"],
        status=200,
        stream=False,
    )
    return reply


def _observed(ctx) -> dict[str, Any]:
    return observe_job(ctx, "video", lambda row: video_price(ctx, row))


@generator("getVideo", "getVideoAlias")
def get_video(ctx) -> MockReply:
    return MockReply(body=video_object(ctx, _observed(ctx)), headers={"Cache-Control": "no-store"})


@generator("getVideoContent", "getVideoContentAlias", heavy=True)
def get_video_content(ctx) -> MockReply:
    job = _observed(ctx)
    if job["status"] != COMPLETED:
        reason = "video_generation_failed" if job["status"] == FAILED else "video_not_ready"
        raise GatewayFailure(409, "not_ready", reason=reason, extra={"request_id": True, "team_id": job_team(ctx)})
    clip = build_mp4(job["params"]["seconds"], job["params"]["size"], job["seed"])
    return MockReply(content=clip, media_type="video/mp4", headers={"Cache-Control": "no-store"})


@generator("deleteVideo", "deleteVideoAlias")
def delete_video(ctx) -> MockReply:
    job = _observed(ctx)
    if job["provider"] != "openai":
        raise GatewayFailure(
            400,
            "not_supported",
            reason=f"{job['provider']}_video_delete_unsupported",
            extra={"request_id": True, "team_id": job_team(ctx), "video_id": job["id"]},
        )
    job_store(ctx).jobs.delete(job_team(ctx), job["id"], "video")
    return MockReply(body={"id": job["id"], "object": "video.deleted", "deleted": True})
