"""How an async job moves: ``queued`` → ``in_progress`` (progress 0–100) → ``completed`` | ``failed``.

A job's state is a function of its plan (creation instant, run time, outcome) and the
current time, so no background worker is needed: every poll computes where the job is.
:func:`advance` merges that with the last state seen, so that status and progress never
move backwards and a terminal state, once reached and persisted, never changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockserver.ids import derive_seed

QUEUED, IN_PROGRESS, COMPLETED, FAILED = "queued", "in_progress", "completed", "failed"
TERMINAL = (COMPLETED, FAILED)
_RANK = {QUEUED: 0, IN_PROGRESS: 1, COMPLETED: 2, FAILED: 2}
#: Share of the run time a job waits in the queue, and the point at which a failing job fails.
QUEUED_SHARE = 0.15
FAIL_AT_SHARE = 0.6
#: Values of the ``X-Mock-Job-Outcome`` request header that force an outcome.
FORCEABLE = (COMPLETED, FAILED)


@dataclass(frozen=True)
class JobPlan:
    created_at: float
    run_seconds: float
    outcome: str = COMPLETED


@dataclass(frozen=True)
class JobState:
    status: str
    progress: int
    finished_at: float | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


def _progress(plan: JobPlan, elapsed: float) -> int:
    queued_for = plan.run_seconds * QUEUED_SHARE
    share = (elapsed - queued_for) / (plan.run_seconds - queued_for)
    return max(0, min(99, math.floor(share * 100)))


def state_at(plan: JobPlan, now: float) -> JobState:
    """Where the job stands at ``now`` (seconds, same clock as ``plan.created_at``)."""
    if plan.run_seconds <= 0:
        progress = 100 if plan.outcome == COMPLETED else 0
        return JobState(plan.outcome, progress, plan.created_at)
    elapsed = max(0.0, now - plan.created_at)
    ends_after = plan.run_seconds if plan.outcome == COMPLETED else plan.run_seconds * FAIL_AT_SHARE
    if elapsed >= ends_after:
        progress = 100 if plan.outcome == COMPLETED else _progress(plan, ends_after)
        return JobState(plan.outcome, progress, plan.created_at + ends_after)
    if elapsed < plan.run_seconds * QUEUED_SHARE:
        return JobState(QUEUED, 0)
    return JobState(IN_PROGRESS, _progress(plan, elapsed))


def advance(previous: JobState | None, current: JobState) -> JobState:
    """The later of two observations: terminal states stick, nothing moves backwards."""
    if previous is None:
        return current
    if previous.terminal:
        return previous
    status = current.status if _RANK[current.status] >= _RANK[previous.status] else previous.status
    return JobState(status, max(previous.progress, current.progress), current.finished_at)


def decide_outcome(seed: int, forced: str | None, failure_rate: float) -> str:
    """``forced`` when it names an outcome, else a draw that is fixed by the request seed."""
    if forced is not None and forced.strip().lower() in FORCEABLE:
        return forced.strip().lower()
    draw = derive_seed(seed, "job-outcome") % 10_000
    return FAILED if draw < failure_rate * 10_000 else COMPLETED
