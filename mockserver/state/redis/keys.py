"""API keys minted through ``/management/keys``, on Redis (rows as hashes, one script per change).

Authenticating a request is one round trip (:data:`.scripts.CHECK_KEY`); a kid is taken once,
by a live or a deleted key, checked and claimed in the same script.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from mockserver.state.interface import KeyCheck
from mockserver.state.keys import KID_LENGTH, SECRET_LENGTH, random_text, scopes_text, secret_hash
from mockserver.state.redis import scripts
from mockserver.state.redis.base import Namespace, member_id, texts

COLUMNS = (
    "id",
    "kid",
    "team_id",
    "name",
    "status",
    "scopes",
    "soft_blocked",
    "created_by",
    "secret_hash",
    "created_ms",
    "last_used_ms",
)
_INTEGERS = ("soft_blocked", "created_ms", "last_used_ms")


def _row(fields: Any) -> dict[str, Any] | None:
    """A stored hash as the SQLite store's row (absent columns are None)."""
    if not fields:
        return None
    row: dict[str, Any] = {name: fields.get(name) for name in COLUMNS}
    for name in _INTEGERS:
        if row[name] is not None:
            row[name] = int(row[name])
    return row


class RedisKeyStore:
    def __init__(self, space: Namespace):
        self.space = space
        self._create = space.script(scripts.CREATE_KEY)
        self._check = space.script(scripts.CHECK_KEY)
        self._update = space.script(scripts.UPDATE_KEY)
        self._touch = space.script(scripts.TOUCH_KEY)
        self._delete = space.script(scripts.DELETE_KEY)

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
    ) -> tuple[dict[str, Any], str]:
        """A new key row and its plaintext ``aistats_v1_sk_<kid>_<secret>``."""
        secret, key_id = random_text(SECRET_LENGTH), str(uuid.uuid4())
        fields = {
            "id": key_id,
            "team_id": team_id,
            "name": name,
            "status": status,
            "scopes": scopes_text(scopes),
            "soft_blocked": int(soft_blocked),
            "secret_hash": secret_hash(secret),
            "created_ms": now_ms,
        }
        if created_by is not None:
            fields["created_by"] = created_by
        while True:
            kid = random_text(KID_LENGTH)
            pairs = [item for pair in {**fields, "kid": kid}.items() for item in pair]
            if self._create(kid, key_id, team_id, now_ms, *pairs):
                break
        row = self.find(key_id)
        assert row is not None  # just written
        return row, f"aistats_v1_sk_{kid}_{secret}"

    def get(self, team_id: str, key_id: str) -> dict[str, Any] | None:
        row = self.find(key_id)
        return row if row is not None and row["team_id"] == team_id else None

    def find(self, key_id: str) -> dict[str, Any] | None:
        return _row(self.space.client.hgetall(self.space.key("key", key_id.lower())))

    def page(self, team_id: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """How many keys the team has, and one page of them, newest first."""
        index = self.space.key("keys:t", team_id)
        total = int(self.space.client.zcard(index))
        members = texts(self.space.client.zrevrange(index, offset, offset + limit - 1)) if limit > 0 else []
        with self.space.client.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.hgetall(self.space.key("key", member_id(member)))
            rows = [_row(fields) for fields in pipe.execute()]
        return total, [row for row in rows if row is not None]

    def update(self, team_id: str, key_id: str, changes: dict[str, Any]) -> bool:
        allowed = ("name", "status", "soft_blocked")
        pairs = [
            item
            for name, value in changes.items()
            if name in allowed
            for item in (name, int(value) if name == "soft_blocked" else value)
        ]
        return bool(self._update(key_id.lower(), team_id, *pairs))

    def delete(self, team_id: str, key_id: str, now_ms: int) -> str | None:
        """Remove the key; its name, or None when the team has no such key."""
        name = self._delete(key_id.lower(), team_id, now_ms)
        return None if name is None else str(name)

    def check(self, kid: str, secret: str) -> KeyCheck:
        found = self._check(kid)
        if len(found) == 1:
            return KeyCheck(found[0])
        key_id, team_id, status, stored_hash, soft_blocked = found
        if not hmac.compare_digest(stored_hash or "", secret_hash(secret)):
            return KeyCheck("invalid_secret", team_id, key_id)
        return KeyCheck(status, team_id, key_id, soft_blocked == "1")

    def touch(self, key_id: str, now_ms: int) -> None:
        self._touch(key_id, now_ms)

    def prune(self, older_than_ms: int, keep_rows: int) -> None:
        """Forget deleted key ids older than ``older_than_ms``, and all but the newest ``keep_rows``."""
        deleted = self.space.key("kids:deleted")
        with self.space.client.pipeline() as pipe:
            pipe.zremrangebyscore(deleted, "-inf", f"({older_than_ms}")
            pipe.zremrangebyrank(deleted, 0, -(keep_rows + 1))
            pipe.execute()
