"""Run-time guards of the live profile: the spend cap and the clean-up registry.

Both watch every answer (Schemathesis ``after_call`` hook and the scripted workflows).
The spend guard sums the ``pricing`` the gateway reports and, where the key can read its
wallet (``GET /credits``, conformance/wallet.py), rests on what the wallet lost instead
when that is more: job charges land later, and a gateway may charge what it never reports.
It asks the run to stop as soon as one more call as expensive as the dearest one so far
could pass the cap, and when the gateway answers 402 with the wallet below its minimum
(the key ran out of credit), which is a condition of the run, not a breach.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import schemathesis

from conformance.checks.usage import bodies, pricings
from mockserver.enrichment.pricing import NANOS_PER_USD

JOB_CREATE_SUFFIXES = ("/videos", "/video/generations", "/music/generate", "/music/generations")


class SpendCapReached(Exception):
    """Raised before a billed call that could pass the cap: the call is never sent."""


#: A call is refused when the spend plus this many times the dearest call so far reaches the cap.
SAFETY_FACTOR = 2


class SpendGuard:
    def __init__(self, cap_usd: float | None, on_exhausted: Callable[[], None] | None = None):
        self.cap_nanos = None if cap_usd is None else int(round(cap_usd * NANOS_PER_USD))
        #: The sum of the charges the answers reported.
        self.reported_nanos = 0
        self.dearest_nanos = 0
        self.exhausted = self.cap_nanos is not None and self.cap_nanos <= 0
        self._charged_jobs: set[str] = set()
        self._lock = threading.Lock()
        self._on_exhausted = on_exhausted
        self._meter: Any = None
        self._wallet_start: int | None = None
        self.wallet_nanos = 0
        #: Set when the gateway refused a call for want of credit (402, wallet below its minimum).
        self.out_of_credit = False

    def attach_wallet(self, meter: Any, start_nanos: int | None) -> None:
        """Rest the cap on the wallet ``meter`` reads, from ``start_nanos`` (None = unreadable)."""
        self._meter, self._wallet_start = meter, start_nanos

    @property
    def spent_nanos(self) -> int:
        """The spend so far: what the wallet lost, or the reported charges where they are more."""
        return max(self.reported_nanos, self.wallet_nanos)

    @property
    def spent_usd(self) -> float:
        return self.spent_nanos / NANOS_PER_USD

    def observe(self, case: Any, response: Any) -> None:
        if response.status_code == 402:
            self._refused_for_credit()
            return
        if not 200 <= response.status_code < 300:
            return
        reported = [pricing.get("total_nanos") for body in bodies(response) for pricing in pricings(body)]
        totals = [t for t in reported if isinstance(t, int) and t >= 0]
        if self.cap_nanos is not None and self._wallet_start is not None and (totals or _billed(case)):
            self._read_wallet()
        if not totals:
            return
        # A stream repeats usage in later frames; a job reports its charge on every poll.
        charge = max(totals)
        job = (case.path_parameters or {}).get("video_id") or (case.path_parameters or {}).get("music_id")
        with self._lock:
            if job is not None:
                if job in self._charged_jobs:
                    return
                self._charged_jobs.add(job)
            self.reported_nanos += charge
            self.dearest_nanos = max(self.dearest_nanos, charge)
            self._update()

    def _read_wallet(self) -> None:
        remaining = self._meter.read() if self._meter is not None else None
        if remaining is None or self._wallet_start is None:
            return
        with self._lock:
            lost = max(0, self._wallet_start - remaining)
            # The wallet's loss since the last reading is at least one call's charge.
            self.dearest_nanos = max(self.dearest_nanos, lost - self.wallet_nanos)
            self.wallet_nanos = max(self.wallet_nanos, lost)
            self._update()

    def _refused_for_credit(self) -> None:
        from conformance.wallet import MINIMUM_BALANCE_NANOS

        remaining = self._meter.read() if self._meter is not None else None
        if remaining is not None and remaining >= MINIMUM_BALANCE_NANOS:
            return  # a 402 for another reason: the checks judge it
        with self._lock:
            if self.out_of_credit:
                return
            self.out_of_credit = self.exhausted = True
        if self._on_exhausted is not None:
            self._on_exhausted()

    def _update(self) -> None:
        if self.cap_nanos is None or self.exhausted:
            return
        if self.spent_nanos + SAFETY_FACTOR * self.dearest_nanos >= self.cap_nanos:
            self._exhaust()

    def _exhaust(self) -> None:
        self.exhausted = True
        if self._on_exhausted is not None:
            self._on_exhausted()

    def allows_more(self) -> bool:
        return not self.exhausted

    def before_billed_call(self) -> None:
        """Refuse a billed call once the cap is (about to be) reached."""
        with self._lock:
            if self.exhausted:
                raise SpendCapReached(f"spend cap reached after {self.spent_usd:.9f} USD; call not sent")


class CleanupRegistry:
    """Jobs and keys the run created and has not yet seen deleted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: (kind, create path, id) → True while alive
        self.alive: dict[tuple[str, str, str], bool] = {}

    def observe(self, case: Any, response: Any) -> None:
        method, path = case.method.upper(), case.operation.path
        status = response.status_code
        if method == "POST" and 200 <= status < 300:
            self._created(path, response)
        elif method == "DELETE" and (200 <= status < 300 or status == 404):
            identifier = next(iter((case.path_parameters or {}).values()), None)
            with self._lock:
                for key in [k for k in self.alive if k[2] == str(identifier)]:
                    del self.alive[key]

    def _created(self, path: str, response: Any) -> None:
        try:
            body = response.json()
        except Exception:
            return
        if not isinstance(body, dict):
            return
        if path.endswith(JOB_CREATE_SUFFIXES) and isinstance(body.get("id"), str):
            with self._lock:
                self.alive[("job", path, body["id"])] = True
        elif path.endswith("/keys") and isinstance(body.get("key"), dict) and isinstance(body["key"].get("id"), str):
            with self._lock:
                self.alive[("key", path, body["key"]["id"])] = True

    def remaining(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self.alive)


def _billed(case: Any) -> bool:
    from conformance.context import registered

    run = registered(case.operation.schema)
    op_id = (case.operation.definition.raw or {}).get("operationId")
    return run is not None and (op_id in run.priced or bool(case.path_parameters))


def _spend_gate(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Global ``before_call`` hook: inert except for billed calls of a suite run with a guard."""
    from conformance.context import registered

    run = registered(case.operation.schema)
    if run is None or run.guard is None:
        return
    if (case.operation.definition.raw or {}).get("operationId") in run.priced:
        run.guard.before_billed_call()


schemathesis.hook("before_call")(_spend_gate)
