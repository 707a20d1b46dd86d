"""OAuth clients registered through ``/oauth-clients``: rows, secrets and changes.

A client secret is returned once, by :meth:`OAuthClientStore.create` or
:meth:`OAuthClientStore.regenerate_secret`; only a hash of it is kept. Every lookup is
scoped to the caller's team, so another team's client is simply not found. Deleting a
client removes its row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from mockserver.state.db import Database

#: The fields a client may set on create and change on update (everything else is the store's).
EDITABLE = (
    "name",
    "description",
    "redirect_uris",
    "homepage_url",
    "logo_url",
    "privacy_policy_url",
    "terms_of_service_url",
)
SECRET_BYTES = 32
_PEPPER = b"aistats-mock-oauth"


def secret_hash(secret: str) -> str:
    return hmac.new(_PEPPER, secret.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _column(name: str, value: Any) -> Any:
    return json.dumps(value, separators=(",", ":")) if name == "redirect_uris" else value


def _client(row: Any) -> dict[str, Any]:
    client = dict(row)
    client["redirect_uris"] = json.loads(client["redirect_uris"])
    return client


class OAuthClientStore:
    def __init__(self, db: Database):
        self.db = db

    def create(
        self, team_id: str, fields: dict[str, Any], now_ms: int, *, created_by: str | None = None
    ) -> tuple[dict[str, Any], str]:
        """A new active client and its plaintext secret (the only time it is known)."""
        secret = new_secret()
        client_id = str(uuid.uuid4())
        values = {name: _column(name, fields.get(name)) for name in EDITABLE}
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO oauth_clients (client_id, team_id, status, created_by, secret_hash, created_ms, "
                f"updated_ms, {', '.join(EDITABLE)}) VALUES (?, ?, ?, ?, ?, ?, ?, "
                f"{', '.join('?' for _ in EDITABLE)})",
                (client_id, team_id, "active", created_by, secret_hash(secret), now_ms, now_ms, *values.values()),
            )
            row = conn.execute("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)).fetchone()
        return _client(row), secret

    def get(self, team_id: str, client_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM oauth_clients WHERE client_id = ? AND team_id = ?", (client_id, team_id))
        return _client(row) if row else None

    def page(self, team_id: str, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many clients the team has, and the newest ``limit`` of them."""
        row = self.db.one("SELECT COUNT(*) AS n FROM oauth_clients WHERE team_id = ?", (team_id,))
        assert row is not None  # an aggregate query always yields one row
        total = row["n"]
        rows = self.db.query(
            "SELECT * FROM oauth_clients WHERE team_id = ? ORDER BY created_ms DESC, rowid DESC LIMIT ?",
            (team_id, limit),
        )
        return total, [_client(row) for row in rows]

    def update(self, team_id: str, client_id: str, changes: dict[str, Any], now_ms: int) -> dict[str, Any] | None:
        """Apply ``changes`` (editable fields only); the client as it now stands, or None."""
        sets = [(name, _column(name, value)) for name, value in changes.items() if name in EDITABLE]
        with self.db.write() as conn:
            found = conn.execute(
                "SELECT 1 FROM oauth_clients WHERE client_id = ? AND team_id = ?", (client_id, team_id)
            ).fetchone()
            if not found:
                return None
            if sets:
                assignments = ", ".join(f"{name} = ?" for name, _ in sets)
                conn.execute(
                    f"UPDATE oauth_clients SET {assignments}, updated_ms = ? WHERE client_id = ?",
                    (*(value for _, value in sets), now_ms, client_id),
                )
            row = conn.execute("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)).fetchone()
        return _client(row)

    def regenerate_secret(self, team_id: str, client_id: str, now_ms: int) -> str | None:
        """A new plaintext secret (the old one stops matching), or None when there is no such client."""
        secret = new_secret()
        with self.db.write() as conn:
            changed = conn.execute(
                "UPDATE oauth_clients SET secret_hash = ?, updated_ms = ? WHERE client_id = ? AND team_id = ?",
                (secret_hash(secret), now_ms, client_id, team_id),
            ).rowcount
        return secret if changed else None

    def delete(self, team_id: str, client_id: str) -> bool:
        with self.db.write() as conn:
            removed = conn.execute(
                "DELETE FROM oauth_clients WHERE client_id = ? AND team_id = ?", (client_id, team_id)
            ).rowcount
        return bool(removed)

    def secret_matches(self, client_id: str, secret: str) -> bool:
        """Whether ``secret`` is the client's current secret (what a token endpoint would check)."""
        row = self.db.one("SELECT secret_hash FROM oauth_clients WHERE client_id = ?", (client_id,))
        return row is not None and hmac.compare_digest(row["secret_hash"], secret_hash(secret))
