"""Stored video and music jobs: created once, observed on every poll, charged once.

Each poll runs in one write transaction: the job's state is recomputed from its plan
and the clock (:mod:`mockserver.engines.jobs.lifecycle`), merged with what was stored so it
never regresses, saved, and, the first time it is seen completed, charged; the charge
is added to the generation record of the request that created the job (its
``params["request_id"]``), so ``/generations`` and ``/activity`` show it.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.engines.jobs.lifecycle import COMPLETED, JobPlan, JobState, advance, state_at
from mockserver.state.db import Database
from mockserver.state.interface import Pricer
from mockserver.state.ledger import Ledger

#: SQLite integers are signed 64-bit; request seeds are unsigned 64-bit.
INT63 = (1 << 63) - 1


def advanced(job: dict[str, Any], now_ms: int) -> JobState:
    """The job's state as of ``now_ms``: computed from its plan, never behind what was stored."""
    plan = JobPlan(job["created_ms"] / 1000, job["run_ms"] / 1000, job["outcome"])
    finished = None if job["finished_ms"] is None else job["finished_ms"] / 1000
    stored = JobState(job["status"], job["progress"], finished)
    return advance(stored, state_at(plan, now_ms / 1000))


def initial_state(created_ms: int, run_ms: int, outcome: str) -> JobState:
    """A new job's state at its creation."""
    return state_at(JobPlan(created_ms / 1000, run_ms / 1000, outcome), created_ms / 1000)


def _decoded(row) -> dict[str, Any]:
    job = dict(row)
    job["params"] = json.loads(job["params"])
    return job


class JobStore:
    def __init__(self, db: Database, ledger: Ledger):
        self.db = db
        self.ledger = ledger

    def create(
        self,
        *,
        job_id: str,
        kind: str,
        team_id: str,
        model: str,
        provider: str,
        created_ms: int,
        run_ms: int,
        outcome: str,
        seed: int,
        params: dict[str, Any],
    ) -> dict[str, Any]:
        state = initial_state(created_ms, run_ms, outcome)
        finished = None if state.finished_at is None else int(state.finished_at * 1000)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO jobs (id, kind, team_id, model, provider, created_ms, run_ms, outcome, seed, "
                "params, status, progress, finished_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    kind,
                    team_id,
                    model,
                    provider,
                    created_ms,
                    run_ms,
                    outcome,
                    seed & INT63,
                    json.dumps(params, separators=(",", ":")),
                    state.status,
                    state.progress,
                    finished,
                ),
            )
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _decoded(row)

    def mark_charged(self, job_id: str, nanos: int) -> None:
        """Record that the job was paid for elsewhere (synchronous jobs are charged at creation)."""
        with self.db.write() as conn:
            conn.execute("UPDATE jobs SET charged_nanos = ? WHERE id = ?", (nanos, job_id))

    def exists(self, job_id: str) -> bool:
        return self.db.one("SELECT 1 FROM jobs WHERE id = ?", (job_id,)) is not None

    def observe(self, team_id: str, job_id: str, kind: str, now_ms: int, pricer: Pricer) -> dict[str, Any] | None:
        """The job as of ``now_ms`` (state saved, charge applied once), or None if not the team's."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT * FROM jobs WHERE id = ? AND team_id = ? AND kind = ?", (job_id, team_id, kind)
            ).fetchone()
            if row is None:
                return None
            job = _decoded(row)
            current = self._advanced(job, now_ms)
            finished = None if current.finished_at is None else int(current.finished_at * 1000)
            if (current.status, current.progress, finished) != (
                job["status"],
                job["progress"],
                job["finished_ms"],
            ):
                conn.execute(
                    "UPDATE jobs SET status = ?, progress = ?, finished_ms = ? WHERE id = ?",
                    (current.status, current.progress, finished, job_id),
                )
                job.update(status=current.status, progress=current.progress, finished_ms=finished)
            if job["status"] == COMPLETED and job["charged_nanos"] is None:
                pricing = pricer(job)
                cost = int(pricing["total_nanos"])
                self.ledger.charge(conn, team_id, cost, job_id, now_ms)
                # The creating request's generation record shows what the job cost.
                self.ledger.add_cost(conn, team_id, job["params"].get("request_id"), pricing)
                conn.execute("UPDATE jobs SET charged_nanos = ? WHERE id = ?", (cost, job_id))
                job["charged_nanos"] = cost
        return job

    @staticmethod
    def _advanced(job: dict[str, Any], now_ms: int) -> JobState:
        return advanced(job, now_ms)

    def delete(self, team_id: str, job_id: str, kind: str) -> bool:
        with self.db.write() as conn:
            cursor = conn.execute("DELETE FROM jobs WHERE id = ? AND team_id = ? AND kind = ?", (job_id, team_id, kind))
        return cursor.rowcount > 0

    def counts(self, now_ms: int) -> dict[tuple[str, str], int]:
        """(kind, status) → jobs stored, each as a poll at ``now_ms`` would see it (nothing saved)."""
        rows = self.db.query(
            "SELECT kind, created_ms, run_ms, outcome, status, progress, finished_ms, COUNT(*) AS n FROM jobs "
            "GROUP BY kind, created_ms, run_ms, outcome, status, progress, finished_ms"
        )
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (row["kind"], self._advanced(dict(row), now_ms).status)
            counts[key] = counts.get(key, 0) + row["n"]
        return counts

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _decoded(row) if row else None

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` jobs as stored (by creation time, then id)."""
        return [
            _decoded(row) for row in self.db.query("SELECT * FROM jobs ORDER BY created_ms DESC, id LIMIT ?", (limit,))
        ]

    def prune(self, conn, older_than_ms: int, keep_rows: int) -> None:
        conn.execute("DELETE FROM jobs WHERE created_ms < ?", (older_than_ms,))
        conn.execute(
            "DELETE FROM jobs WHERE rowid IN (SELECT rowid FROM jobs ORDER BY created_ms DESC LIMIT -1 OFFSET ?)",
            (keep_rows,),
        )
