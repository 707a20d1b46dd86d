"""What every state store shares, whatever holds its data (SQLite, Redis): the clock, how long
a job runs and how often it fails, the bounds, and pruning every :data:`PRUNE_EVERY` writes."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from mockserver.settings import Bounds

PRUNE_EVERY = 64


class StoreBasics:
    def __init__(self, clock: Callable[[], float], job_seconds: float, job_failure_rate: float, bounds: Bounds | None):
        #: Unix seconds; tests replace it with a fake clock and never sleep.
        self.clock = clock
        self.job_seconds = job_seconds
        self.job_failure_rate = job_failure_rate
        self.bounds = bounds or Bounds()
        self._writes = itertools.count(1)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def wrote(self) -> None:
        """Count a write; prune every ``PRUNE_EVERY`` of them."""
        if next(self._writes) % PRUNE_EVERY == 0:
            self.prune()

    def prune(self) -> None:
        raise NotImplementedError
