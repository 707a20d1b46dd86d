"""A read-only snapshot of the stored state for the admin API (``GET /__mock/state``).

What the dashboard (``/__mock/ui``) shows beside the journal: every team's wallet, the
most recent async jobs (each as a poll would see it now; nothing is saved) and the most
recent generation records with their cost, which the journal's entries name by
``generation_id``. Reading never changes a wallet, a job or a record.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.state.store import Store

#: The fields of a generation record the snapshot carries (the whole record is on /generation).
GENERATION_FIELDS = ("request_id", "team_id", "endpoint", "model_id", "provider", "status_code", "success")


def overview(store: Store, limit: int) -> dict[str, Any]:
    """Wallets (all of them, up to ``limit``), the newest ``limit`` jobs and generations."""
    now_ms = store.now_ms()
    return {
        "initial_nanos": store.ledger.initial_nanos,
        "wallets": [_wallet(row) for row in store.db.query(_WALLETS, (limit,))],
        "jobs": [_job(store, row, now_ms) for row in store.db.query(_JOBS, (limit,))],
        "generations": [_generation(row) for row in store.db.query(_GENERATIONS, (limit,))],
    }


_WALLETS = (
    "SELECT w.team_id, w.balance_nanos, "
    "(SELECT COALESCE(SUM(amount_nanos), 0) FROM ledger WHERE ledger.team_id = w.team_id) AS spent_nanos "
    "FROM wallets AS w ORDER BY w.team_id LIMIT ?"
)
_JOBS = "SELECT * FROM jobs ORDER BY created_ms DESC, id LIMIT ?"
_GENERATIONS = "SELECT created_ms, cost_nanos, record FROM generations ORDER BY seq DESC LIMIT ?"


def _wallet(row: Any) -> dict[str, Any]:
    balance = int(row["balance_nanos"])
    return {
        "team_id": row["team_id"],
        "balance_nanos": balance,
        "balance_usd": balance / NANOS_PER_USD,
        "spent_nanos": int(row["spent_nanos"]),
    }


def _job(store: Store, row: Any, now_ms: int) -> dict[str, Any]:
    job = dict(row)
    current = store.jobs.as_polled(job, now_ms)
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


def _generation(row: Any) -> dict[str, Any]:
    record = json.loads(row["record"])
    picked = {name: record.get(name) for name in GENERATION_FIELDS}
    return {**picked, "created_ms": row["created_ms"], "cost_nanos": int(row["cost_nanos"])}
