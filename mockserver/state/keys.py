"""API keys minted through ``/management/keys``: rows, secrets and their status.

The plaintext key is returned once by :meth:`KeyStore.create`; only a hash of the
secret is kept. Deleting a key removes its row for good and remembers its kid, so that
the deleted key is refused from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from mockserver.ids import BASE62
from mockserver.state.db import Database
from mockserver.state.interface import KeyCheck

KID_LENGTH, SECRET_LENGTH, PREFIX_LENGTH = 12, 40, 6
STATUSES = ("active", "disabled", "revoked")
_PEPPER = b"aistats-mock"


def secret_hash(secret: str) -> str:
    return hmac.new(_PEPPER, secret.encode(), hashlib.sha256).hexdigest()


def random_text(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def scopes_text(scopes: Any) -> str:
    """Scopes as the gateway stores them: a string as given, a list as a JSON string."""
    if scopes is None:
        return "[]"
    if isinstance(scopes, list):
        return json.dumps(scopes, separators=(",", ":"))
    return str(scopes)


class KeyStore:
    def __init__(self, db: Database):
        self.db = db

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
        secret = random_text(SECRET_LENGTH)
        with self.db.write() as conn:
            while True:
                kid = random_text(KID_LENGTH)
                taken = conn.execute(
                    "SELECT 1 FROM api_keys WHERE kid = ? UNION SELECT 1 FROM deleted_kids WHERE kid = ?",
                    (kid, kid),
                ).fetchone()
                if not taken:
                    break
            key_id = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO api_keys (id, kid, team_id, name, status, scopes, soft_blocked, created_by, "
                "secret_hash, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key_id,
                    kid,
                    team_id,
                    name,
                    status,
                    scopes_text(scopes),
                    int(soft_blocked),
                    created_by,
                    secret_hash(secret),
                    now_ms,
                ),
            )
            row = conn.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        return dict(row), f"aistats_v1_sk_{kid}_{secret}"

    def get(self, team_id: str, key_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM api_keys WHERE id = ? AND team_id = ?", (key_id.lower(), team_id))
        return dict(row) if row else None

    def find(self, key_id: str) -> dict[str, Any] | None:
        """A key by id, whichever team holds it (operator routes check the team themselves)."""
        row = self.db.one("SELECT * FROM api_keys WHERE id = ?", (key_id.lower(),))
        return dict(row) if row else None

    def page(self, team_id: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        row = self.db.one("SELECT COUNT(*) AS n FROM api_keys WHERE team_id = ?", (team_id,))
        assert row is not None  # an aggregate query always yields one row
        total = row["n"]
        rows = self.db.query(
            "SELECT * FROM api_keys WHERE team_id = ? ORDER BY created_ms DESC, rowid DESC LIMIT ? OFFSET ?",
            (team_id, limit, offset),
        )
        return total, [dict(row) for row in rows]

    def update(self, team_id: str, key_id: str, changes: dict[str, Any]) -> bool:
        columns = {"name": "name", "status": "status", "soft_blocked": "soft_blocked"}
        sets = [
            (columns[name], int(value) if name == "soft_blocked" else value)
            for name, value in changes.items()
            if name in columns
        ]
        with self.db.write() as conn:
            if not conn.execute(
                "SELECT 1 FROM api_keys WHERE id = ? AND team_id = ?", (key_id.lower(), team_id)
            ).fetchone():
                return False
            for column, value in sets:
                conn.execute(f"UPDATE api_keys SET {column} = ? WHERE id = ?", (value, key_id.lower()))
        return True

    def delete(self, team_id: str, key_id: str, now_ms: int) -> str | None:
        """Remove the key; its name, or None when the team has no such key."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT kid, name FROM api_keys WHERE id = ? AND team_id = ?", (key_id.lower(), team_id)
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM api_keys WHERE id = ?", (key_id.lower(),))
            conn.execute("INSERT OR REPLACE INTO deleted_kids (kid, deleted_ms) VALUES (?, ?)", (row["kid"], now_ms))
        return row["name"]

    def check(self, kid: str, secret: str) -> KeyCheck:
        row = self.db.one("SELECT id, team_id, status, secret_hash, soft_blocked FROM api_keys WHERE kid = ?", (kid,))
        if row is None:
            gone = self.db.one("SELECT 1 FROM deleted_kids WHERE kid = ?", (kid,))
            return KeyCheck("deleted" if gone else "unknown")
        if not hmac.compare_digest(row["secret_hash"], secret_hash(secret)):
            return KeyCheck("invalid_secret", row["team_id"], row["id"])
        return KeyCheck(row["status"], row["team_id"], row["id"], bool(row["soft_blocked"]))

    def prune(self, conn, older_than_ms: int, keep_rows: int) -> None:
        """Forget deleted key ids older than ``older_than_ms``, and all but the newest ``keep_rows``."""
        conn.execute("DELETE FROM deleted_kids WHERE deleted_ms < ?", (older_than_ms,))
        conn.execute(
            "DELETE FROM deleted_kids WHERE kid IN "
            "(SELECT kid FROM deleted_kids ORDER BY deleted_ms DESC LIMIT -1 OFFSET ?)",
            (keep_rows,),
        )

    def touch(self, key_id: str, now_ms: int) -> None:
        with self.db.write() as conn:
            conn.execute("UPDATE api_keys SET last_used_ms = ? WHERE id = ?", (now_ms, key_id))
