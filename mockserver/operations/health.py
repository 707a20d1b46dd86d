"""Per-provider routing health computed from the generations the mock really served.

Over the last ``WINDOW_MS``: success rate, latency percentiles, and a breaker that opens
when most recent requests failed. A provider without traffic is ``up`` with a closed
breaker and no figures.
"""

from __future__ import annotations

from typing import Any

WINDOW_MS = 5 * 60 * 1000
MIN_SAMPLES = 5


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def success_rate(records: list[dict[str, Any]]) -> float:
    return sum(1 for record in records if record["success"]) / len(records)


def breaker_state(success_rate: float, samples: int) -> tuple[str, str]:
    """Routing status and breaker of a window: open below 50 % success, half open below 90 %."""
    if samples >= MIN_SAMPLES and success_rate < 0.5:
        return "down", "open"
    if samples >= MIN_SAMPLES and success_rate < 0.9:
        return "degraded", "half_open"
    return "up", "closed"


def _snapshot(provider: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    if not records:
        return {
            "provider": provider,
            "status": "up",
            "breaker": "closed",
            "routing_score": 1.0,
            "p50_ms": None,
            "p95_ms": None,
            "success_rate": None,
            "load": 0,
            "last_updated": None,
        }
    rate = success_rate(records)
    latencies = [record["latency_ms"] for record in records if record.get("latency_ms") is not None]
    status, breaker = breaker_state(rate, len(records))
    p95 = _percentile(latencies, 0.95) if latencies else None
    speed = 1.0 if p95 is None else min(1.0, 2000.0 / max(p95, 1.0))
    return {
        "provider": provider,
        "status": status,
        "breaker": breaker,
        "routing_score": 0.0 if breaker == "open" else round(rate * (0.5 + 0.5 * speed), 4),
        "p50_ms": _percentile(latencies, 0.5) if latencies else None,
        "p95_ms": p95,
        "success_rate": round(rate, 4),
        "load": 0,
        "last_updated": records[0]["created_at"],
    }


def provider_health(catalogue: Any, ledger: Any, now_ms: int) -> list[dict[str, Any]]:
    recent = ledger.recent(now_ms - WINDOW_MS)
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for record in recent:
        if record.get("provider"):
            by_provider.setdefault(record["provider"], []).append(record)
    return [_snapshot(provider, by_provider.get(provider, [])) for provider in sorted(catalogue.providers)]
