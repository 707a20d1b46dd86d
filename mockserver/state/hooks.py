"""The state's part in the request flow (listed by :mod:`mockserver.pipeline.assembly`).

- :func:`make_authenticator`: any well-formed key is accepted, unless the store minted it and it
  is disabled or revoked, or it was deleted (401 ``key_not_found_or_revoked``), or its
  secret is wrong (401 ``invalid_secret``). Minted keys carry the team that minted them;
  other keys the team their kid names (:func:`mockserver.auth.team_of_kid`).
- :func:`before_auth`: checks the gateway makes before authenticating (offset cap of
  ``/gateway/models``, missing ``id`` on ``/generations``); run by the server.
- gates :class:`KeyLimitCheck` (a soft-blocked minted key gets 429 ``key_limit_soft_blocked``
  on inference routes) and :class:`CreditCheck` (priced operations need a wallet of at
  least $1.00: 402, §3).
- recorder :class:`LedgerRecorder`: every inference request is recorded, and its pricing
  total debited, in one transaction.
"""

from __future__ import annotations

from typing import Any

from mockserver.auth import DEFAULT_TEAM, parse_key, read_bearer
from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.errors import GatewayFailure, unauthorised
from mockserver.state.audit import failure_record, success_record
from mockserver.state.interface import StateStore, TeamKey

MAX_MODELS_OFFSET = 5000
_REFUSED = ("disabled", "revoked", "deleted")


def make_authenticator(store: StateStore, key_kind: str):
    def authenticate(authorization: str | None) -> TeamKey:
        key = parse_key(read_bearer(authorization), key_kind)
        check = store.keys.check(key.kid, key.secret)
        if check.verdict == "unknown":
            return TeamKey(key.kid, key.secret, key.token, key.team_id)
        if check.verdict in _REFUSED:
            raise unauthorised("key_not_found_or_revoked")
        if check.verdict == "invalid_secret":
            raise unauthorised("invalid_secret")
        assert check.key_id is not None  # the store names the key of every live verdict
        store.keys.touch(check.key_id, store.now_ms())
        team = check.team_id or DEFAULT_TEAM
        return TeamKey(key.kid, key.secret, key.token, team, check.key_id, check.soft_blocked)

    return authenticate


def before_auth(operation_id: str, query: dict[str, list[str]]) -> None:
    """Refusals the gateway gives even to anonymous callers."""
    if operation_id == "listModels":
        offset = (query.get("offset") or [""])[0].strip()
        if offset.isdigit() and (len(offset) > 9 or int(offset) > MAX_MODELS_OFFSET):
            raise GatewayFailure(
                400,
                "invalid_request",
                f"offset must be <= {MAX_MODELS_OFFSET}",
                extra={"max_offset": MAX_MODELS_OFFSET},
            )
    if operation_id == "getGeneration" and not (query.get("id") or [""])[0].strip():
        raise GatewayFailure(400, "missing_id")


def key_limit_check(ctx) -> None:
    """A soft-blocked key is refused by the gateway's context checks (after auth, before
    the credit check): 429 ``key_limit_exceeded``, reason ``key_limit_soft_blocked``."""
    if ctx.operation.family == "inference" and getattr(ctx.request.key, "soft_blocked", False):
        raise GatewayFailure(429, "key_limit_exceeded", "key_limit_soft_blocked")


def credit_check(ctx) -> None:
    if not ctx.operation.priced or ctx.state is None:
        return
    team = getattr(ctx.request.key, "team_id", None) or DEFAULT_TEAM
    if ctx.state.ledger.balance(team) < NANOS_PER_USD:
        raise GatewayFailure(402, "insufficient_funds", "insufficient_funds")


def record_success(ctx, reply) -> None:
    if ctx.operation.family != "inference" or ctx.state is None:
        return
    ctx.state.ledger.settle(success_record(ctx, reply, ctx.state.now_ms()), ctx.state.now_ms())
    ctx.state.wrote()


def record_failure(ctx, failure: GatewayFailure, reply) -> None:
    if ctx.operation.family != "inference" or ctx.state is None or ctx.request.key is None:
        return
    ctx.state.ledger.settle(failure_record(ctx, failure, ctx.state.now_ms()), ctx.state.now_ms())
    ctx.state.wrote()


class KeyLimitCheck:
    """Gate: soft-blocked keys (429)."""

    def check(self, ctx: Any) -> None:
        key_limit_check(ctx)


class CreditCheck:
    """Gate: the caller's team wallet must hold $1.00 for a priced operation (402)."""

    def check(self, ctx: Any) -> None:
        credit_check(ctx)


class LedgerRecorder:
    """Recorder: generation records and wallet debits of inference requests."""

    def succeeded(self, ctx: Any, reply: Any) -> None:
        record_success(ctx, reply)

    def failed(self, ctx: Any, failure: GatewayFailure, reply: Any) -> None:
        record_failure(ctx, failure, reply)
