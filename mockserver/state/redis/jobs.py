"""Stored video and music jobs on Redis: created once, observed on every poll, charged once.

A poll reads the job under ``WATCH``, recomputes its state from its plan and the store's clock
(:mod:`mockserver.engines.jobs.lifecycle`), never behind what was stored, and writes it back in one
transaction, with the debit and the creating request's generation record the first time it
is seen completed; if another process wrote the job meanwhile, the poll starts again, so a
status never regresses and a job is never charged twice.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from mockserver.engines.jobs.lifecycle import COMPLETED
from mockserver.state.interface import Pricer
from mockserver.state.jobs import INT63, advanced, initial_state
from mockserver.state.ledger import record_text, with_added_cost
from mockserver.state.redis import scripts
from mockserver.state.redis.base import DELETE, KEEP, SET, Edit, Namespace, scored, texts, watch
from mockserver.state.redis.ledger import RedisLedger, token


class RedisJobStore:
    def __init__(self, space: Namespace, ledger: RedisLedger, ttl_ms: int):
        self.space = space
        self.ledger = ledger
        self.ttl_ms = max(1, ttl_ms)

    def _key(self, job_id: str) -> str:
        return self.space.key("job", job_id)

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
        job = {
            "id": job_id,
            "kind": kind,
            "team_id": team_id,
            "model": model,
            "provider": provider,
            "created_ms": created_ms,
            "run_ms": run_ms,
            "outcome": outcome,
            "seed": seed & INT63,
            "params": params,
            "status": state.status,
            "progress": state.progress,
            "finished_ms": None if state.finished_at is None else int(state.finished_at * 1000),
            "charged_nanos": None,
        }
        with self.space.client.pipeline() as pipe:
            pipe.set(self._key(job_id), json.dumps(job, separators=(",", ":")), px=self.ttl_ms)
            pipe.zadd(self.space.key("jobs:index"), {job_id: created_ms})
            pipe.execute()
        stored: dict[str, Any] = json.loads(json.dumps(job))  # as a poll reads it back
        return stored

    def mark_charged(self, job_id: str, nanos: int) -> None:
        """Record that the job was paid for elsewhere (synchronous jobs are charged at creation)."""
        self.space.transact(
            self._key(job_id), lambda job: Edit(SET, {**job, "charged_nanos": nanos}) if job else Edit()
        )

    def exists(self, job_id: str) -> bool:
        return bool(self.space.client.exists(self._key(job_id)))

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self.space.load(self._key(job_id))

    def observe(self, team_id: str, job_id: str, kind: str, now_ms: int, pricer: Pricer) -> dict[str, Any] | None:
        """The job as of ``now_ms`` (state saved, charge applied once), or None if not the team's."""
        key = self._key(job_id)
        with self.space.client.pipeline() as pipe:
            while True:
                try:
                    return self._observe_once(pipe, key, team_id, kind, now_ms, pricer)
                except redis.WatchError:
                    continue

    def _observe_once(
        self, pipe: redis.client.Pipeline, key: str, team_id: str, kind: str, now_ms: int, pricer: Pricer
    ) -> dict[str, Any] | None:
        watch(pipe, key)
        text = pipe.get(key)
        job: dict[str, Any] | None = None if text is None else json.loads(text)
        if job is None or job["team_id"] != team_id or job["kind"] != kind:
            pipe.unwatch()
            return None
        current = advanced(job, now_ms)
        finished = None if current.finished_at is None else int(current.finished_at * 1000)
        changed = (current.status, current.progress, finished) != (job["status"], job["progress"], job["finished_ms"])
        job.update(status=current.status, progress=current.progress, finished_ms=finished)
        charge = job["status"] == COMPLETED and job["charged_nanos"] is None
        if not changed and not charge:
            pipe.unwatch()
            return job
        record_key, record, pricing = None, None, None
        if charge:
            pricing = pricer(job)
            job["charged_nanos"] = int(pricing["total_nanos"])
            record_key = self.ledger.generation_key(team_id, job["params"].get("request_id") or "")
            if record_key is not None:
                watch(pipe, record_key)
                record = self.space.load(record_key)
        pipe.multi()
        pipe.set(key, json.dumps(job, separators=(",", ":")), keepttl=True)
        if pricing is not None and job["charged_nanos"]:
            charge_args = self.ledger.charge_args(team_id, job["charged_nanos"], now_ms)
            pipe.eval(scripts.DEBIT, 0, self.space.prefix, *charge_args, token())
        if pricing is not None and record_key is not None and record is not None:
            pipe.set(record_key, record_text(with_added_cost(record, pricing)), keepttl=True)
        pipe.execute()
        if pricing is not None:
            self.ledger.count_debit(job["charged_nanos"])
        return job

    def delete(self, team_id: str, job_id: str, kind: str) -> bool:
        def decide(job: dict[str, Any] | None) -> Edit:
            owned = job is not None and job["team_id"] == team_id and job["kind"] == kind
            return Edit(DELETE) if owned else Edit(KEEP)

        def unindex(pipe: redis.client.Pipeline, edit: Edit) -> None:
            pipe.zrem(self.space.key("jobs:index"), job_id)

        return self.space.transact(self._key(job_id), decide, unindex).action == DELETE

    def counts(self, now_ms: int) -> dict[tuple[str, str], int]:
        """(kind, status) → jobs stored, each as a poll at ``now_ms`` would see it (nothing saved)."""
        ids = texts(self.space.client.zrange(self.space.key("jobs:index"), 0, -1))
        counts: dict[tuple[str, str], int] = {}
        for start in range(0, len(ids), 500):
            found = self.space.client.mget([self._key(job_id) for job_id in ids[start : start + 500]])
            for job in (json.loads(text) for text in found if text is not None):
                key = (job["kind"], advanced(job, now_ms).status)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` jobs as stored, by creation time then id, as the SQLite store orders
        them (every job created in the millisecond of the last one listed is considered)."""
        if limit < 1:  # ZRANGE 0 -1 would be everything
            return []
        index = self.space.key("jobs:index")
        newest = scored(self.space.client.zrevrange(index, 0, limit - 1, withscores=True))
        if len(newest) == limit:
            last = newest[-1][1]
            tied = texts(self.space.client.zrangebyscore(index, last, last))
            newest = [(job_id, score) for job_id, score in newest if score != last] + [
                (job_id, last) for job_id in tied
            ]
        ids = [job_id for job_id, _ in sorted(newest, key=lambda pair: (-pair[1], pair[0]))[:limit]]
        found = self.space.client.mget([self._key(job_id) for job_id in ids]) if ids else []
        return [json.loads(text) for text in found if text is not None]  # None: expired since indexed
