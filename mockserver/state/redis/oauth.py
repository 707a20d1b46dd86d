"""OAuth clients of ``/oauth-clients`` on Redis: JSON rows changed under ``WATCH``, a sorted
set per team for listing them newest first. Lookups are scoped to the caller's team."""

from __future__ import annotations

import hmac
import json
import uuid
from typing import Any

import redis

from mockserver.state.oauth import EDITABLE, new_secret, secret_hash
from mockserver.state.redis.base import DELETE, KEEP, SET, Edit, Namespace, member_id, seq_member, texts

_HIDDEN = ("seq",)


def _shown(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {name: value for name, value in row.items() if name not in _HIDDEN}


class RedisOAuthClientStore:
    def __init__(self, space: Namespace):
        self.space = space

    def _key(self, client_id: str) -> str:
        return self.space.key("oauth", client_id)

    def create(
        self, team_id: str, fields: dict[str, Any], now_ms: int, *, created_by: str | None = None
    ) -> tuple[dict[str, Any], str]:
        """A new active client and its plaintext secret (the only time it is known)."""
        secret, client_id = new_secret(), str(uuid.uuid4())
        seq = f"{self.space.client.incr(self.space.key('oauth:seq')):020d}"
        row = {
            "client_id": client_id,
            "team_id": team_id,
            **{name: fields.get(name) for name in EDITABLE},
            "status": "active",
            "created_by": created_by,
            "secret_hash": secret_hash(secret),
            "created_ms": now_ms,
            "updated_ms": now_ms,
            "seq": seq,
        }
        with self.space.client.pipeline() as pipe:
            pipe.set(self._key(client_id), json.dumps(row, separators=(",", ":")))
            pipe.zadd(self.space.key("oauth:t", team_id), {seq_member(seq, client_id): now_ms})
            pipe.execute()
        shown = _shown(json.loads(json.dumps(row)))
        assert shown is not None
        return shown, secret

    def _owned(self, team_id: str, client_id: str) -> dict[str, Any] | None:
        row = self.space.load(self._key(client_id))
        return row if row is not None and row["team_id"] == team_id else None

    def get(self, team_id: str, client_id: str) -> dict[str, Any] | None:
        return _shown(self._owned(team_id, client_id))

    def page(self, team_id: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many clients the team has, and the newest ``limit`` of them."""
        index = self.space.key("oauth:t", team_id)
        total = int(self.space.client.zcard(index))
        members = texts(self.space.client.zrevrange(index, 0, limit - 1)) if limit > 0 else []
        found = self.space.client.mget([self._key(member_id(m)) for m in members]) if members else []
        rows = [_shown(json.loads(text)) for text in found if text is not None]
        return total, [row for row in rows if row is not None]

    def update(self, team_id: str, client_id: str, changes: dict[str, Any], now_ms: int) -> dict[str, Any] | None:
        """Apply ``changes`` (editable fields only); the client as it now stands, or None."""
        sets = {name: value for name, value in changes.items() if name in EDITABLE}

        def decide(row: dict[str, Any] | None) -> Edit:
            if row is None or row["team_id"] != team_id:
                return Edit(KEEP)
            return Edit(SET, {**row, **sets, "updated_ms": now_ms} if sets else row)

        edit = self.space.transact(self._key(client_id), decide)
        return _shown(edit.value)

    def regenerate_secret(self, team_id: str, client_id: str, now_ms: int) -> str | None:
        """A new plaintext secret (the old one stops matching), or None when there is no such client."""
        secret = new_secret()

        def decide(row: dict[str, Any] | None) -> Edit:
            if row is None or row["team_id"] != team_id:
                return Edit(KEEP)
            return Edit(SET, {**row, "secret_hash": secret_hash(secret), "updated_ms": now_ms})

        return secret if self.space.transact(self._key(client_id), decide).action == SET else None

    def delete(self, team_id: str, client_id: str) -> bool:
        found: dict[str, Any] = {}

        def decide(row: dict[str, Any] | None) -> Edit:
            if row is None or row["team_id"] != team_id:
                return Edit(KEEP)
            found.update(row)
            return Edit(DELETE)

        def unindex(pipe: redis.client.Pipeline, edit: Edit) -> None:
            pipe.zrem(self.space.key("oauth:t", team_id), seq_member(found["seq"], client_id))

        return self.space.transact(self._key(client_id), decide, unindex).action == DELETE

    def secret_matches(self, client_id: str, secret: str) -> bool:
        """Whether ``secret`` is the client's current secret (what a token endpoint would check)."""
        row = self.space.load(self._key(client_id))
        return row is not None and hmac.compare_digest(row["secret_hash"], secret_hash(secret))
