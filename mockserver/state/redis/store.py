"""The state on Redis (``--state redis://HOST:PORT/DB``): several ``aistats-mock serve`` processes,
on one machine or many, share keys, wallets and ledger, jobs, generation records and OAuth
clients, and act as one gateway.

Bounds map to Redis: generation records and jobs carry an expiry of their TTL (so an
abandoned namespace empties itself), and every ``PRUNE_EVERY`` writes the sorted sets that
index them are cut by age on the store's clock and capped at the row limits, as the SQLite
store does. :meth:`RedisStore.reset` deletes every key of the store under the mock's prefix, and
only those (not the ``<prefix>shared:`` keys of the journal, rules and media a fleet shares).
"""

from __future__ import annotations

from collections.abc import Callable

import redis

from mockserver.auth import DEFAULT_TEAM
from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.settings import StateSettings
from mockserver.state.common import StoreBasics
from mockserver.state.interface import Bounds
from mockserver.state.redis import scripts
from mockserver.state.redis.base import SHARED, Namespace
from mockserver.state.redis.connection import ServerClock, connect, glob_escaped
from mockserver.state.redis.jobs import RedisJobStore
from mockserver.state.redis.keys import RedisKeyStore
from mockserver.state.redis.ledger import RedisLedger
from mockserver.state.redis.oauth import RedisOAuthClientStore

#: Keys deleted per round trip by a reset.
RESET_BATCH = 1000


class RedisStore(StoreBasics):
    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        *,
        credits_usd: float = StateSettings.credits_usd,
        job_seconds: float = StateSettings.job_seconds,
        job_failure_rate: float = 0.0,
        bounds: Bounds | None = None,
        clock: Callable[[], float] | None = None,
    ):
        super().__init__(clock or ServerClock(client), job_seconds, job_failure_rate, bounds)
        self.space = Namespace(client, prefix)
        record_ttl_ms = int(self.bounds.generation_ttl_seconds * 1000)
        self.ledger = RedisLedger(self.space, int(round(credits_usd * NANOS_PER_USD)), record_ttl_ms)
        self.keys = RedisKeyStore(self.space)
        self.jobs = RedisJobStore(self.space, self.ledger, int(self.bounds.job_ttl_seconds * 1000))
        self.oauth = RedisOAuthClientStore(self.space)
        self._prune_records = self.space.script(scripts.PRUNE_RECORDS)
        self._prune_jobs = self.space.script(scripts.PRUNE_JOBS)
        self._forget_teams = self.space.script(scripts.FORGET_TEAMS)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        credits_usd: float = StateSettings.credits_usd,
        job_seconds: float = StateSettings.job_seconds,
        job_failure_rate: float = 0.0,
        bounds: Bounds | None = None,
    ) -> RedisStore:
        """The store at ``url``; :class:`~mockserver.state.interface.StateUnavailable` when it
        is not a Redis URL or no Redis answers there."""
        client, prefix = connect(url)
        return cls(
            client,
            prefix,
            credits_usd=credits_usd,
            job_seconds=job_seconds,
            job_failure_rate=job_failure_rate,
            bounds=bounds,
        )

    def prune(self) -> None:
        now = self.now_ms()
        generations_gone = now - int(self.bounds.generation_ttl_seconds * 1000)
        self._prune_jobs(now - int(self.bounds.job_ttl_seconds * 1000), self.bounds.max_jobs)
        self._prune_records(generations_gone, self.bounds.max_generations)
        self.keys.prune(generations_gone, self.bounds.max_generations)
        self._forget_teams(self.bounds.max_teams, DEFAULT_TEAM)

    def reset(self) -> None:
        """Forget every key, wallet, ledger entry, job, generation and OAuth client of this mock
        (every Redis key under its prefix; nothing else in the database)."""
        client = self.space.client
        batch: list[str] = []
        shared = self.space.key(SHARED, "")
        for key in client.scan_iter(match=glob_escaped(self.space.prefix) + "*", count=RESET_BATCH):
            if key.startswith(shared):
                continue  # the fleet's journal, rules, counters and media: each says what a reset forgets
            batch.append(key)
            if len(batch) >= RESET_BATCH:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)

    def close(self) -> None:
        self.space.client.close()
