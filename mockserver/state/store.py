"""The embedded state store (the default): one SQLite database, the repositories over it, a clock and bounds.

The clock is a plain callable returning Unix seconds; tests replace ``store.clock`` with
a fake one and never sleep. Old jobs, generation records and deleted key ids are pruned
by age and by row count every ``PRUNE_EVERY`` writes (and on demand with :meth:`Store.prune`),
and teams beyond ``Bounds.max_teams`` are forgotten, least recently charged first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

from mockserver.auth import DEFAULT_TEAM
from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.settings import StateSettings
from mockserver.state.common import PRUNE_EVERY, StoreBasics
from mockserver.state.db import Database
from mockserver.state.interface import Bounds, TeamKey
from mockserver.state.jobs import JobStore
from mockserver.state.keys import KeyStore
from mockserver.state.ledger import Ledger
from mockserver.state.oauth import OAuthClientStore

__all__ = ["PRUNE_EVERY", "Bounds", "Store", "TeamKey"]


class Store(StoreBasics):
    def __init__(
        self,
        path: str | Path | None = None,
        *,
        credits_usd: float = StateSettings.credits_usd,
        job_seconds: float = StateSettings.job_seconds,
        job_failure_rate: float = 0.0,
        bounds: Bounds | None = None,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(clock, job_seconds, job_failure_rate, bounds)
        self.db = Database(path)
        self.ledger = Ledger(self.db, int(round(credits_usd * NANOS_PER_USD)))
        self.keys = KeyStore(self.db)
        self.jobs = JobStore(self.db, self.ledger)
        self.oauth = OAuthClientStore(self.db)

    @classmethod
    def from_settings(cls, settings: StateSettings) -> Store:
        return cls(settings.state_path, bounds=settings.bounds, **store_options(settings))

    def prune(self) -> None:
        now = self.now_ms()
        with self.db.write() as conn:
            self.jobs.prune(conn, now - int(self.bounds.job_ttl_seconds * 1000), self.bounds.max_jobs)
            generations_gone = now - int(self.bounds.generation_ttl_seconds * 1000)
            self.ledger.prune(conn, generations_gone, self.bounds.max_generations)
            # A deleted key's id is remembered (401, not accepted as an unminted key) as long
            # as the records of its use, within the same row cap.
            self.keys.prune(conn, generations_gone, self.bounds.max_generations)
            self.ledger.forget_idle_teams(conn, self.bounds.max_teams, DEFAULT_TEAM)

    def reset(self) -> None:
        """Forget every key, wallet, ledger entry, job, generation and OAuth client, of every team
        (each wallet starts again at the initial credits when next used)."""
        with self.db.write() as conn:
            for table in self.db.tables():
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 (names come from SCHEMA)

    def close(self) -> None:
        self.db.close()


class StoreOptions(TypedDict):
    credits_usd: float
    job_seconds: float
    job_failure_rate: float


def store_options(settings: StateSettings) -> StoreOptions:
    """The keyword options every store takes from the state's settings (besides its bounds)."""
    return {
        "credits_usd": settings.credits_usd,
        "job_seconds": settings.job_seconds,
        "job_failure_rate": settings.job_failure_rate,
    }
