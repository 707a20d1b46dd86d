"""What the video and music job generators share: the store, the caller's team, pacing."""

from __future__ import annotations

from typing import Any

from mockserver.errors import GatewayFailure
from mockserver.state import DEFAULT_TEAM
from mockserver.state.interface import StateStore

#: Request header forcing a job's outcome: ``completed`` or ``failed`` (the ``job_failed`` scenario).
OUTCOME_HEADER = "x-mock-job-outcome"


def job_store(ctx) -> StateStore:
    if ctx.state is None:
        raise GatewayFailure(500, "gateway_error", "gateway_context_failed")
    return ctx.state


def job_team(ctx) -> str:
    return getattr(ctx.request.key, "team_id", None) or DEFAULT_TEAM


def run_ms(store) -> int:
    return max(0, int(store.job_seconds * 1000))


def creation_meta(ctx) -> dict[str, Any]:
    """Timing of the create call itself (the job's render time is not part of it)."""
    millis = ctx.fork("job-meta").randint(180, 900)
    return {"throughput_tps": None, "generation_ms": millis, "latency_ms": millis}


def observe_job(ctx, kind: str, pricing) -> dict[str, Any]:
    """The caller's ``kind`` job named by the path, as of now (charged once on completion by
    ``pricing(row)["total_nanos"]``), or the gateway's 404 ``<kind>_not_found_or_not_owned``."""
    store, job_id = job_store(ctx), ctx.request.path_params.get(f"{kind}_id", "")
    job = store.jobs.observe(job_team(ctx), job_id, kind, store.now_ms(), pricing)
    if job is None:
        raise GatewayFailure(
            404,
            "not_found",
            reason=f"{kind}_not_found_or_not_owned",
            extra={"request_id": True, "team_id": job_team(ctx), f"{kind}_id": job_id},
        )
    return job
