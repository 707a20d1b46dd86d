"""What the run has learnt about the resources it touched: jobs and management keys.

The stateful gateway checks compare each new answer with this history (a job's status
must never go back; a deleted job or key must stay gone; a disabled key must stop
working). Thread-safe: Schemathesis workers share one tracker per run.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

JOB_STATUS_RANK = {
    "queued": 0,
    "pending": 0,
    "in_progress": 1,
    "processing": 1,
    "running": 1,
    "completed": 2,
    "succeeded": 2,
    "failed": 2,
    "cancelled": 2,
    "canceled": 2,
    "expired": 2,
}
TERMINAL_JOB_STATUSES = {"completed", "succeeded", "failed", "cancelled", "canceled", "expired"}


@dataclass
class JobRecord:
    status: str | None = None
    progress: float | None = None
    deleted: bool = False


@dataclass
class KeyRecord:
    token: str | None = None
    status: str = "active"
    deleted: bool = False
    #: Changes (PATCH, DELETE) sent and not yet answered, and when the last one was answered:
    #: a request sent before then may rightly have seen the key as it was (workers run concurrently).
    changes_in_flight: int = 0
    changed_at: float = 0.0


class Tracker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[str, JobRecord] = {}
        self.keys: dict[str, KeyRecord] = {}
        self._tokens: dict[str, str] = {}
        self._sent_at: dict[int, float] = {}

    # ---- jobs -------------------------------------------------------------------------
    def observe_job(self, job_id: str, status: str | None, progress: float | None) -> list[str]:
        """Record a polled status; return how it regresses from what was seen before."""
        with self._lock:
            record = self.jobs.setdefault(job_id, JobRecord())
            problems = _regressions(record, status, progress)
            if status is not None and (record.status is None or _rank(status) >= _rank(record.status)):
                record.status = status
            if progress is not None and (record.progress is None or progress >= record.progress):
                record.progress = progress
            return problems

    def job(self, job_id: str) -> JobRecord | None:
        with self._lock:
            return self.jobs.get(job_id)

    def mark_job_deleted(self, job_id: str) -> None:
        with self._lock:
            self.jobs.setdefault(job_id, JobRecord()).deleted = True

    # ---- keys -------------------------------------------------------------------------
    def key_created(self, key_id: str, token: str | None, status: str = "active") -> None:
        with self._lock:
            self.keys[key_id] = KeyRecord(token=token, status=status or "active")
            if token:
                self._tokens[token] = key_id

    def key_changed(self, key_id: str, status: str) -> None:
        with self._lock:
            if key_id in self.keys:
                self.keys[key_id].status = status

    def key_deleted(self, key_id: str) -> None:
        with self._lock:
            self.keys.setdefault(key_id, KeyRecord()).deleted = True

    def change_sent(self, key_id: str) -> None:
        with self._lock:
            if key_id in self.keys:
                self.keys[key_id].changes_in_flight += 1

    def change_answered(self, key_id: str) -> None:
        with self._lock:
            record = self.keys.get(key_id)
            if record is not None:
                record.changes_in_flight = max(0, record.changes_in_flight - 1)
                record.changed_at = time.monotonic()

    def request_sent(self, case_key: int) -> None:
        with self._lock:
            self._sent_at[case_key] = time.monotonic()

    def settled(self, key_id: str, case_key: int) -> bool:
        """Whether a request (by ``id(case)``) can only have seen the key as the tracker knows it:
        no change to it was in flight, and the request left after the last change was answered.
        Requests the hooks did not time (scripted workflows, sequential) count as settled."""
        with self._lock:
            sent = self._sent_at.get(case_key, float("inf"))
            record = self.keys.get(key_id)
            return record is None or (record.changes_in_flight == 0 and sent >= record.changed_at)

    def forget_request(self, case_key: int) -> None:
        with self._lock:
            self._sent_at.pop(case_key, None)

    def key(self, key_id: str) -> KeyRecord | None:
        with self._lock:
            return self.keys.get(key_id)

    def key_by_token(self, token: str) -> tuple[str, KeyRecord] | None:
        with self._lock:
            key_id = self._tokens.get(token)
            return (key_id, self.keys[key_id]) if key_id else None


def _rank(status: str) -> int:
    return JOB_STATUS_RANK.get(status, 1)


def _regressions(record: JobRecord, status: str | None, progress: float | None) -> list[str]:
    problems = []
    if status is not None and record.status is not None:
        if _rank(status) < _rank(record.status):
            problems.append(f"status went back from {record.status!r} to {status!r}")
        elif record.status in TERMINAL_JOB_STATUSES and status != record.status:
            problems.append(f"terminal status {record.status!r} changed to {status!r}")
    if progress is not None and record.progress is not None and progress < record.progress:
        problems.append(f"progress went back from {record.progress} to {progress}")
    return problems
