"""``GET /health/providers/{provider_id}/derank``: the breakers of a provider's recent
model/endpoint pairs, from the generations the mock really recorded for it.

The newest ``fetch_limit`` records of the provider within ``window_hours`` name the pairs
(newest first, at most ``max_pairs``). Each pair's breaker is the one ``/health`` would
give its records of the last five minutes (:mod:`.health`); an open breaker stays open
until enough of those records age out of the window, which gives ``breaker_until_ms``.
The ``*_ewma_60s`` figures weight each record by ``exp(-age / 60 s)``, age counted from
the pair's newest record. The control secret is checked before (:mod:`mockserver.control_secret`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from mockserver.model import MockReply
from mockserver.operations.health import WINDOW_MS, breaker_state, success_rate
from mockserver.operations.jobs_common import job_store
from mockserver.synthesis.registry import generator

DERANK_CACHING = "private, max-age=15, stale-while-revalidate=15"
EWMA_MS = 60_000
HOUR_MS = 3_600_000
DEFAULTS = {"window_hours": 24, "max_pairs": 24, "fetch_limit": 500}
#: Audit endpoint names (``chat.completions`` ...) → the breaker's names, where they differ.
_BREAKER_ENDPOINT = {
    "audio.transcriptions": "audio.transcription",
    "videos": "video.generation",
    "video.generations": "video.generation",
    "music.generations": "music.generate",
}
_BREAKER_ENDPOINTS = frozenset(
    {
        "chat.completions",
        "responses",
        "messages",
        "images.generations",
        "images.edits",
        "audio.speech",
        "audio.transcription",
        "audio.translations",
        "moderations",
        "video.generation",
        "embeddings",
        "batch",
        "ocr",
        "music.generate",
        "files.upload",
        "files.list",
        "files.retrieve",
    }
)


def _int_query(ctx, name: str) -> int:
    text = ctx.request.query_value(name)
    return int(text) if text and text.lstrip("-").isdigit() else DEFAULTS[name]


def _stamp_ms(record: dict[str, Any]) -> int | None:
    try:
        return int(dt.datetime.fromisoformat(str(record.get("created_at"))).timestamp() * 1000)
    except ValueError:
        return None


def _pair_key(record: dict[str, Any]) -> tuple[str, str] | None:
    endpoint = record.get("endpoint")
    endpoint = _BREAKER_ENDPOINT.get(endpoint, endpoint) if isinstance(endpoint, str) else ""
    if not record.get("model_id") or endpoint not in _BREAKER_ENDPOINTS:
        return None
    return record["model_id"], endpoint


def _breaker(records: list[dict[str, Any]]) -> str:
    return breaker_state(success_rate(records), len(records))[1] if records else "closed"


def _open_until(timed: list[tuple[int, dict[str, Any]]]) -> int:
    """When an open window closes if no traffic comes: the first millisecond at which a
    record has left the window (``/health`` keeps it for ``WINDOW_MS`` inclusive) and the
    records left no longer open the breaker (``timed`` oldest first)."""
    for index, (stamp, _) in enumerate(timed):
        if _breaker([record for _, record in timed[index + 1 :]]) != "open":
            return stamp + WINDOW_MS + 1
    return 0


def _weighted(timed: list[tuple[int, dict[str, Any]]], value) -> float:
    newest = timed[-1][0]
    samples = [(math.exp(-(newest - stamp) / EWMA_MS), value(record)) for stamp, record in timed]
    samples = [(weight, sample) for weight, sample in samples if sample is not None]
    total = sum(weight for weight, _ in samples)
    return sum(weight * sample for weight, sample in samples) / total if total else 0.0


def _pair(model: str, endpoint: str, timed: list[tuple[int, dict[str, Any]]], now_ms: int) -> dict[str, Any]:
    recent = [(stamp, record) for stamp, record in timed if stamp >= now_ms - WINDOW_MS]
    breaker = _breaker([record for _, record in recent])
    until = _open_until(recent) if breaker == "open" else 0
    return {
        "model": model,
        "endpoint": endpoint,
        "last_seen_at": timed[-1][1].get("created_at"),
        "breaker": breaker,
        "breaker_until_ms": until,
        "seconds_until_reopen": max(0, math.ceil((until - now_ms) / 1000)) if until else 0,
        "err_ewma_60s": round(_weighted(timed, lambda r: 0.0 if r.get("success") else 1.0), 4),
        "lat_ewma_60s": round(_weighted(timed, lambda r: r.get("latency_ms")), 1),
        "tp_ewma_60s": round(_weighted(timed, lambda r: r.get("throughput")), 1),
        "current_load": 0,
    }


def provider_pairs(
    ledger: Any, provider: str, now_ms: int, window_hours: int, max_pairs: int, fetch_limit: int
) -> list[dict[str, Any]]:
    """The breaker state of the provider's recent pairs, most recently seen first."""
    by_pair: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for record in ledger.recent(now_ms - window_hours * HOUR_MS, fetch_limit, provider=provider):
        key, stamp = _pair_key(record), _stamp_ms(record)
        if key is not None and stamp is not None:
            by_pair.setdefault(key, []).append((stamp, record))
    for timed in by_pair.values():
        timed.sort(key=lambda item: item[0])
    newest_first = sorted(by_pair.items(), key=lambda item: (-item[1][-1][0], item[0]))
    return [_pair(model, endpoint, timed, now_ms) for (model, endpoint), timed in newest_first[:max_pairs]]


@generator("getProviderDerankStatus")
def derank_status(ctx) -> MockReply:
    store = job_store(ctx)
    now_ms = store.now_ms()
    window_hours = _int_query(ctx, "window_hours")
    pairs = provider_pairs(
        store.ledger,
        ctx.request.path_params.get("provider_id", ""),
        now_ms,
        window_hours,
        _int_query(ctx, "max_pairs"),
        _int_query(ctx, "fetch_limit"),
    )
    open_count = sum(1 for pair in pairs if pair["breaker"] == "open")
    half_open_count = sum(1 for pair in pairs if pair["breaker"] == "half_open")
    body = {
        "ok": True,
        "provider": ctx.request.path_params.get("provider_id", ""),
        "now_ms": now_ms,
        "window_hours": window_hours,
        "deranked": open_count > 0,
        "recovering": open_count == 0 and half_open_count > 0,
        "open_count": open_count,
        "half_open_count": half_open_count,
        "checked_pairs": len(pairs),
        "pairs": pairs,
    }
    return MockReply(body=body, headers={"Cache-Control": DERANK_CACHING})
