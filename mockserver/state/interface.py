"""The state interface: what the rest of the mock calls on its store, with no SQL in sight.

Two implementations satisfy it: the embedded SQLite store (:mod:`mockserver.state.store`,
the default, in memory or a file) and the Redis store (:mod:`mockserver.state.redis`,
``--state redis://...``), and the same tests run against both
(``tests/server/test_state_backends.py``). :func:`mockserver.state.factory.open_store`
picks one from ``--state``.

Rows are plain dicts with the columns of :data:`mockserver.state.db.SCHEMA` (the Redis
store returns the same names and types), so callers never know which store they talk to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.auth import DEFAULT_TEAM
from mockserver.settings import Bounds

__all__ = ["Bounds", "KeyCheck", "Pricer", "Row", "StateUnavailable", "TeamKey"]

Row = dict[str, Any]
#: Pricing of a completed job (``total_nanos``, ``lines``...), from its row (called once per job).
Pricer = Callable[[Row], dict[str, Any]]


@dataclass(frozen=True)
class KeyCheck:
    """What the store knows about a kid: ``unknown``, ``deleted``, ``invalid_secret`` or a status."""

    verdict: str
    team_id: str | None = None
    key_id: str | None = None
    soft_blocked: bool = False


@dataclass(frozen=True)
class TeamKey:
    """An authenticated caller: the key's parts plus the team and (for minted keys) key id."""

    kid: str
    secret: str
    token: str
    team_id: str = DEFAULT_TEAM
    key_id: str | None = None
    #: A minted key patched to ``soft_blocked: true``: inference answers 429 (§2).
    soft_blocked: bool = False


class KeyRepository(Protocol):
    """Keys minted through ``/management/keys`` (newest first), and the ids of deleted ones."""

    def create(
        self,
        team_id: str,
        name: str,
        now_ms: int,
        *,
        status: str = "active",
        scopes: Any = None,
        soft_blocked: bool = False,
        created_by: str | None = None,
    ) -> tuple[Row, str]: ...
    def get(self, team_id: str, key_id: str) -> Row | None: ...
    def find(self, key_id: str) -> Row | None: ...
    def page(self, team_id: str, limit: int, offset: int) -> tuple[int, list[Row]]: ...
    def update(self, team_id: str, key_id: str, changes: dict[str, Any]) -> bool: ...
    def delete(self, team_id: str, key_id: str, now_ms: int) -> str | None: ...
    def check(self, kid: str, secret: str) -> KeyCheck: ...
    def touch(self, key_id: str, now_ms: int) -> None: ...


class LedgerRepository(Protocol):
    """Team wallets (debits may go below zero; the $1.00 credit gate refuses before), the
    ledger, and the record of every generation (newest first)."""

    @property
    def initial_nanos(self) -> int: ...
    @property
    def debits(self) -> int:
        """Debits this process wrote since it started (``GET /__mock/metrics``)."""

    @property
    def debited_nanos(self) -> int:
        """Their sum in nanodollars."""

    def balance(self, team_id: str) -> int: ...
    def set_balance(self, team_id: str, nanos: int) -> None: ...
    def debit(self, team_id: str, amount_nanos: int, request_id: str | None, now_ms: int) -> None: ...
    def settle(self, record: Row, now_ms: int) -> None: ...
    def generation(self, team_id: str, request_id: str) -> Row | None: ...
    def spend_since(self, team_id: str, since_ms: int) -> int: ...
    def requests_since(self, team_id: str, since_ms: int) -> int: ...
    def activity(self, team_id: str, since_ms: int, limit: int, offset: int) -> tuple[int, list[Row]]: ...
    def recent(self, since_ms: int, limit: int = 2000, provider: str | None = None) -> list[Row]: ...
    def wallets(self, limit: int) -> list[Row]:
        """The first ``limit`` wallets by team id: ``team_id``, ``balance_nanos`` and ``spent_nanos``
        (the sum of the team's ledger entries still kept)."""

    def latest(self, limit: int) -> list[Row]:
        """The newest ``limit`` generation records as ``created_ms``, ``cost_nanos`` and ``record``."""


class JobRepository(Protocol):
    """Video and music jobs: created once, observed on every poll (never regressing), charged once."""

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
    ) -> Row: ...
    def mark_charged(self, job_id: str, nanos: int) -> None: ...
    def exists(self, job_id: str) -> bool: ...
    def observe(self, team_id: str, job_id: str, kind: str, now_ms: int, pricer: Pricer) -> Row | None: ...
    def delete(self, team_id: str, job_id: str, kind: str) -> bool: ...
    def counts(self, now_ms: int) -> dict[tuple[str, str], int]: ...
    def get(self, job_id: str) -> Row | None: ...
    def latest(self, limit: int) -> list[Row]:
        """The newest ``limit`` jobs as stored (by creation time, then id), nothing advanced or saved."""


class OAuthClientRepository(Protocol):
    """OAuth clients of ``/oauth-clients``, scoped to the caller's team (newest first)."""

    def create(
        self, team_id: str, fields: dict[str, Any], now_ms: int, *, created_by: str | None = None
    ) -> tuple[Row, str]: ...
    def get(self, team_id: str, client_id: str) -> Row | None: ...
    def page(self, team_id: str, limit: int) -> tuple[int, list[Row]]: ...
    def update(self, team_id: str, client_id: str, changes: dict[str, Any], now_ms: int) -> Row | None: ...
    def regenerate_secret(self, team_id: str, client_id: str, now_ms: int) -> str | None: ...
    def delete(self, team_id: str, client_id: str) -> bool: ...
    def secret_matches(self, client_id: str, secret: str) -> bool: ...


class StateStore(Protocol):
    """The whole state: its repositories, its clock and bounds, and the admin's prune and reset."""

    @property
    def keys(self) -> KeyRepository: ...
    @property
    def ledger(self) -> LedgerRepository: ...
    @property
    def jobs(self) -> JobRepository: ...
    @property
    def oauth(self) -> OAuthClientRepository: ...
    @property
    def clock(self) -> Callable[[], float]:
        """Unix seconds; tests replace it with a fake clock."""

    @property
    def job_seconds(self) -> float: ...
    @property
    def job_failure_rate(self) -> float: ...
    @property
    def bounds(self) -> Bounds: ...

    def now_ms(self) -> int: ...
    def wrote(self) -> None: ...
    def prune(self) -> None: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


class StateUnavailable(ValueError):
    """``--state`` names a store that cannot be opened (a bad URL, an unreachable server)."""
