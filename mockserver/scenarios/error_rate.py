"""A seeded fault rate: a share of eligible requests fail with a retryable scenario.

The k-th eligible request (one to which at least one of the drawn scenarios applies)
fails when ``derive_seed(seed, "error-rate", k)`` falls under the rate, so the same
seed and the same sequence of requests fail at the same places on every run, whatever
the machine or the timing. ``reset()`` (the admin reset) starts the sequence again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mockserver.ids import derive_seed
from mockserver.state.counters import Counters, MemoryCounters

#: Retryable failures a resilient client must ride out.
DEFAULT_SCENARIOS = ("upstream_error", "upstream_rate_limited", "all_providers_failed")
_SCALE = 2**64
#: The counter of eligible requests (beside the rules' counters, whose names hold a ``:``).
COUNTER = "error-rate"


class ErrorRate:
    def __init__(
        self, rate: float, seed: int, scenarios: Sequence[str] = DEFAULT_SCENARIOS, *, counters: Counters | None = None
    ):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"error rate must lie between 0 and 1, not {rate}")
        if rate > 0 and not scenarios:
            raise ValueError("an error rate needs at least one scenario to draw from")
        self.rate = rate
        self.seed = seed
        self.scenarios = tuple(scenarios)
        #: The count of eligible requests, under :data:`COUNTER` (shared by every worker
        #: when the assembly passes shared counters).
        self.counters: Counters = counters or MemoryCounters()

    def draw(self, usable: Callable[[str], bool]) -> str | None:
        """The scenario this request fails with, or None; counts only eligible requests."""
        if self.rate <= 0:
            return None
        candidates = [name for name in self.scenarios if usable(name)]
        if not candidates:
            return None
        call = self.counters.bump([COUNTER])[0]
        if derive_seed(self.seed, "error-rate", call) / _SCALE >= self.rate:
            return None
        return candidates[derive_seed(self.seed, "error-pick", call) % len(candidates)]

    def reset(self) -> None:
        self.counters.reset(COUNTER)
