"""Team wallets, the credit ledger and generation records on Redis.

A debit is one Lua script (:mod:`.scripts`): the wallet is created at the initial balance if
new and decremented in place (``HINCRBY``), and the ledger entry and, for a request, its
generation record are written in the same step, so concurrent charges from any number of
processes are neither lost nor doubled. As with SQLite, a debit may take the balance below
zero; the $1.00 credit gate refuses the next request (``state/hooks.py``).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from mockserver.state.ledger import record_text
from mockserver.state.redis import scripts
from mockserver.state.redis.base import Namespace, scored, texts


def token() -> str:
    """A debit's unique token (a retried script applies once)."""
    return uuid.uuid4().hex


#: Generation records read per round trip when scanning by time.
BATCH = 500


class RedisLedger:
    def __init__(self, space: Namespace, initial_nanos: int, record_ttl_ms: int):
        self.space = space
        self.initial_nanos = initial_nanos
        self.record_ttl_ms = max(1, record_ttl_ms)
        self.debits = 0
        self.debited_nanos = 0
        self._counting = threading.Lock()
        self._debit = space.script(scripts.DEBIT)
        self._settle = space.script(scripts.SETTLE)
        self._spend_since = space.script(scripts.SPEND_SINCE)
        self._wallets = space.script(scripts.WALLETS)

    def count_debit(self, amount_nanos: int) -> None:
        """Count a debit this process wrote (``GET /__mock/metrics``), under a lock: requests run
        in several threads."""
        if amount_nanos > 0:
            with self._counting:
                self.debits += 1
                self.debited_nanos += amount_nanos

    def balance(self, team_id: str) -> int:
        value = self.space.client.hget(self.space.key("wallets"), team_id)
        return self.initial_nanos if value is None else int(value)

    def set_balance(self, team_id: str, nanos: int) -> None:
        with self.space.client.pipeline() as pipe:
            pipe.hset(self.space.key("wallets"), team_id, nanos)
            pipe.zadd(self.space.key("teams"), {team_id: 0}, nx=True)
            pipe.zadd(self.space.key("teams:names"), {team_id: 0})
            pipe.execute()

    def charge_args(self, team_id: str, amount_nanos: int, now_ms: int) -> list[Any]:
        """The arguments of the debit script after the prefix (a job's charge runs it too)."""
        return [team_id, amount_nanos, -amount_nanos, self.initial_nanos, now_ms]

    def debit(self, team_id: str, amount_nanos: int, request_id: str | None, now_ms: int) -> None:
        if amount_nanos:
            self._debit(*self.charge_args(team_id, amount_nanos, now_ms), token())
            self.count_debit(amount_nanos)

    def settle(self, record: dict[str, Any], now_ms: int) -> None:
        """Record one generation and debit its cost, atomically (once, even when redis-py retries
        the script after a lost reply: the call's token is remembered)."""
        team_id, cost = record["team_id"], int(record.get("cost_nanos") or 0)
        args = self.charge_args(team_id, cost, now_ms)
        self._settle(*args, record["request_id"], record_text(record), self.record_ttl_ms, token())
        self.count_debit(cost)

    def generation_key(self, team_id: str, request_id: str) -> str | None:
        """The key of the newest generation record of ``request_id`` in the team, if any."""
        seq = self.space.client.hget(self.space.key("gen:by_request"), f"{request_id}\0{team_id}")
        return None if seq is None else self.space.key("gen", str(seq))

    def generation(self, team_id: str, request_id: str) -> dict[str, Any] | None:
        key = self.generation_key(team_id, request_id)
        return None if key is None else self.space.load(key)

    def spend_since(self, team_id: str, since_ms: int) -> int:
        billions, rest = self._spend_since(team_id, since_ms)
        return int(billions) * 1_000_000_000 + int(rest)

    def requests_since(self, team_id: str, since_ms: int) -> int:
        return int(self.space.client.zcount(self.space.key("gen:t", team_id), since_ms, "+inf"))

    def activity(self, team_id: str, since_ms: int, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """The team's records since ``since_ms``, newest first, one page of them."""
        index = self.space.key("gen:t", team_id)
        total = self.requests_since(team_id, since_ms)
        members = texts(self.space.client.zrevrangebyscore(index, "+inf", since_ms, start=offset, num=limit))
        return total, self._records(members)

    def _records(self, members: list[str]) -> list[dict[str, Any]]:
        """The records of ``seq|...`` members, in order (any pruned meanwhile left out)."""
        if not members:
            return []
        keys = [self.space.key("gen", member.split("|", 1)[0]) for member in members]
        return [json.loads(text) for text in self.space.client.mget(keys) if text is not None]

    def recent(self, since_ms: int, limit: int = 2000, provider: str | None = None) -> list[dict[str, Any]]:
        """Generation records since ``since_ms``, newest first (only ``provider``'s when named)."""
        found: list[dict[str, Any]] = []
        offset = 0
        while len(found) < limit:
            members = texts(
                self.space.client.zrevrangebyscore(
                    self.space.key("gen:index"), "+inf", since_ms, start=offset, num=BATCH
                )
            )
            records = self._records(members)
            found += [record for record in records if provider is None or record.get("provider") == provider]
            if len(members) < BATCH:
                break
            offset += BATCH
        return found[:limit]

    def wallets(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` wallets by team id (the ``teams:names`` index), with what the team's
        ledger entries sum to (the ``spent`` hash, kept by the same scripts as the entries)."""
        flat = texts(self._wallets(limit)) if limit > 0 else []
        return [
            {"team_id": flat[at], "balance_nanos": int(flat[at + 1]), "spent_nanos": int(flat[at + 2])}
            for at in range(0, len(flat), 3)
        ]

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` generation records (``created_ms``, ``cost_nanos``, ``record``)."""
        if limit < 1:  # ZRANGE 0 -1 would be everything
            return []
        newest = scored(self.space.client.zrevrange(self.space.key("gen:index"), 0, limit - 1, withscores=True))
        if not newest:
            return []
        keys = [self.space.key("gen", member.split("|", 1)[0]) for member, _ in newest]
        rows = []
        for (_, created_ms), text in zip(newest, self.space.client.mget(keys), strict=True):
            if text is not None:  # expired since it was indexed
                record = json.loads(text)
                rows.append(
                    {"created_ms": int(created_ms), "cost_nanos": int(record.get("cost_nanos") or 0), "record": record}
                )
        return rows
