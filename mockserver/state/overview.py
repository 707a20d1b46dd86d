"""A read-only snapshot of the stored state for the admin API (``GET /__mock/state``).

What the dashboard (``/__mock/ui``) shows beside the journal: every team's wallet, the
most recent async jobs (each as a poll would see it now; nothing is saved) and the most
recent generation records with their cost, which the journal's entries name by
``generation_id``. Reading never changes a wallet, a job or a record. It goes through the
state interface only (``ledger.wallets``, ``ledger.latest``, ``jobs.latest``), so it reads
the same from the SQLite and the Redis store.
"""

from __future__ import annotations

from typing import Any

from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.state.interface import Row, StateStore
from mockserver.state.jobs import advanced

#: The fields of a generation record the snapshot carries (the whole record is on /generation).
GENERATION_FIELDS = ("request_id", "team_id", "endpoint", "model_id", "provider", "status_code", "success")


def overview(store: StateStore, limit: int) -> dict[str, Any]:
    """Wallets (all of them, up to ``limit``), the newest ``limit`` jobs and generations."""
    now_ms = store.now_ms()
    return {
        "initial_nanos": store.ledger.initial_nanos,
        "wallets": [_wallet(row) for row in store.ledger.wallets(limit)],
        "jobs": [_job(row, now_ms) for row in store.jobs.latest(limit)],
        "generations": [_generation(row) for row in store.ledger.latest(limit)],
    }


def _wallet(row: Row) -> dict[str, Any]:
    balance = int(row["balance_nanos"])
    return {
        "team_id": row["team_id"],
        "balance_nanos": balance,
        "balance_usd": balance / NANOS_PER_USD,
        "spent_nanos": int(row["spent_nanos"]),
    }


def _job(job: Row, now_ms: int) -> dict[str, Any]:
    current = advanced(job, now_ms)
    return {
        "id": job["id"],
        "kind": job["kind"],
        "team_id": job["team_id"],
        "model": job["model"],
        "provider": job["provider"],
        "status": current.status,
        "progress": current.progress,
        "created_ms": job["created_ms"],
        "charged_nanos": job["charged_nanos"],
    }


def _generation(row: Row) -> dict[str, Any]:
    record = row["record"]
    picked = {name: record.get(name) for name in GENERATION_FIELDS}
    return {**picked, "created_ms": int(row["created_ms"]), "cost_nanos": int(row["cost_nanos"])}
