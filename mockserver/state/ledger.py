"""Team wallets, the credit ledger and the record of every generation.

A charge is one transaction: the wallet row is debited in place
(``balance_nanos = balance_nanos - ?``), a ledger row is written and, for a request, its
generation record too, so concurrent charges from threads or processes never lose one.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from mockserver.state.db import Database

DAY_MS = 86_400_000


class Ledger:
    def __init__(self, db: Database, initial_nanos: int):
        self.db = db
        self.initial_nanos = initial_nanos
        #: Debits written by this process since it started, and their sum (``GET /__mock/metrics``;
        #: kept across admin resets, as Prometheus counters only go up). Counted under the
        #: database's lock, inside the debit's transaction.
        self.debits = 0
        self.debited_nanos = 0

    def _ensure_wallet(self, conn, team_id: str) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO wallets (team_id, balance_nanos) VALUES (?, ?)",
            (team_id, self.initial_nanos),
        )

    def balance(self, team_id: str) -> int:
        row = self.db.one("SELECT balance_nanos FROM wallets WHERE team_id = ?", (team_id,))
        return self.initial_nanos if row is None else row["balance_nanos"]

    def set_balance(self, team_id: str, nanos: int) -> None:
        with self.db.write() as conn:
            self._ensure_wallet(conn, team_id)
            conn.execute("UPDATE wallets SET balance_nanos = ? WHERE team_id = ?", (nanos, team_id))

    def charge(self, conn, team_id: str, amount_nanos: int, request_id: str | None, now_ms: int) -> None:
        """Debit inside an open transaction (used by job completion as well).

        A team's wallet row is written at its first non-zero charge (until then its balance is
        the initial one), so free or failed requests under ever new teams add no rows."""
        if amount_nanos:
            self._ensure_wallet(conn, team_id)
            conn.execute(
                "UPDATE wallets SET balance_nanos = balance_nanos - ? WHERE team_id = ?",
                (amount_nanos, team_id),
            )
            conn.execute(
                "INSERT INTO ledger (team_id, request_id, amount_nanos, created_ms) VALUES (?, ?, ?, ?)",
                (team_id, request_id, amount_nanos, now_ms),
            )
            if amount_nanos > 0:
                self.debits += 1
                self.debited_nanos += amount_nanos

    def debit(self, team_id: str, amount_nanos: int, request_id: str | None, now_ms: int) -> None:
        with self.db.write() as conn:
            self.charge(conn, team_id, amount_nanos, request_id, now_ms)

    def settle(self, record: dict[str, Any], now_ms: int) -> None:
        """Record one generation and debit its cost, atomically."""
        team_id, cost = record["team_id"], int(record.get("cost_nanos") or 0)
        with self.db.write() as conn:
            self.charge(conn, team_id, cost, record["request_id"], now_ms)
            conn.execute(
                "INSERT INTO generations (request_id, team_id, created_ms, cost_nanos, record) VALUES (?, ?, ?, ?, ?)",
                (record["request_id"], team_id, now_ms, cost, record_text(record)),
            )

    def add_cost(self, conn, team_id: str, request_id: str | None, pricing: dict[str, Any]) -> None:
        """Add a later charge (a job billed on completion) to the request's generation record."""
        if not request_id:
            return
        row = conn.execute(
            "SELECT seq, record FROM generations WHERE request_id = ? AND team_id = ? ORDER BY seq DESC LIMIT 1",
            (request_id, team_id),
        ).fetchone()
        if row is None:
            return
        record = with_added_cost(json.loads(row["record"]), pricing)
        conn.execute(
            "UPDATE generations SET cost_nanos = ?, record = ? WHERE seq = ?",
            (record["cost_nanos"], record_text(record), row["seq"]),
        )

    def generation(self, team_id: str, request_id: str) -> dict[str, Any] | None:
        row = self.db.one(
            "SELECT record FROM generations WHERE request_id = ? AND team_id = ? ORDER BY seq DESC LIMIT 1",
            (request_id, team_id),
        )
        return json.loads(row["record"]) if row else None

    def spend_since(self, team_id: str, since_ms: int) -> int:
        row = self.db.one(
            "SELECT COALESCE(SUM(amount_nanos), 0) AS n FROM ledger WHERE team_id = ? AND created_ms >= ?",
            (team_id, since_ms),
        )
        assert row is not None  # an aggregate query always yields one row
        return int(row["n"])

    def requests_since(self, team_id: str, since_ms: int) -> int:
        row = self.db.one(
            "SELECT COUNT(*) AS n FROM generations WHERE team_id = ? AND created_ms >= ?", (team_id, since_ms)
        )
        assert row is not None  # an aggregate query always yields one row
        return int(row["n"])

    def activity(self, team_id: str, since_ms: int, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        total = self.requests_since(team_id, since_ms)
        rows = self.db.query(
            "SELECT record FROM generations WHERE team_id = ? AND created_ms >= ? ORDER BY seq DESC LIMIT ? OFFSET ?",
            (team_id, since_ms, limit, offset),
        )
        return total, [json.loads(row["record"]) for row in rows]

    def recent(self, since_ms: int, limit: int = 2000, provider: str | None = None) -> list[dict[str, Any]]:
        """Generation records since ``since_ms``, newest first (only ``provider``'s when named)."""
        if provider is None:
            rows = self.db.query(
                "SELECT record FROM generations WHERE created_ms >= ? ORDER BY seq DESC LIMIT ?",
                (since_ms, limit),
            )
        else:
            rows = self.db.query(
                "SELECT record FROM generations WHERE created_ms >= ? AND json_extract(record, '$.provider') = ? "
                "ORDER BY seq DESC LIMIT ?",
                (since_ms, provider, limit),
            )
        return [json.loads(row["record"]) for row in rows]

    def wallets(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` wallets by team id, with what the team's ledger entries sum to."""
        rows = self.db.query(
            "SELECT w.team_id, w.balance_nanos, (SELECT COALESCE(SUM(amount_nanos), 0) FROM ledger "
            "WHERE ledger.team_id = w.team_id) AS spent_nanos FROM wallets AS w ORDER BY w.team_id LIMIT ?",
            (limit,),
        )
        return [dict(row) for row in rows]

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` generation records (``created_ms``, ``cost_nanos``, ``record``)."""
        rows = self.db.query(
            "SELECT created_ms, cost_nanos, record FROM generations ORDER BY seq DESC LIMIT ?", (limit,)
        )
        return [{**dict(row), "record": json.loads(row["record"])} for row in rows]

    def forget_idle_teams(self, conn, keep_teams: int, protected: str) -> None:
        """Beyond ``keep_teams`` wallets, forget the teams charged least recently (their wallet,
        ledger rows and generation records; ``protected`` never): the kid rule lets a client
        name any number of teams. Counts the wallets only while under the cap."""
        count = conn.execute("SELECT COUNT(*) FROM wallets").fetchone()[0]
        if count <= keep_teams:
            return
        idle = conn.execute(
            "SELECT team_id FROM wallets AS w WHERE team_id != ? ORDER BY "
            "(SELECT MAX(created_ms) FROM ledger WHERE ledger.team_id = w.team_id), rowid LIMIT ?",
            (protected, count - keep_teams),
        ).fetchall()
        for table in ("wallets", "ledger", "generations"):
            conn.executemany(f"DELETE FROM {table} WHERE team_id = ?", [(row[0],) for row in idle])

    def prune(self, conn, older_than_ms: int, keep_rows: int) -> None:
        """Drop rows older than ``older_than_ms``, then all but the newest ``keep_rows``.

        Runs every few dozen writes, so it must not walk the tables: the age cut reads the
        ``created_ms`` index, and the count cut is skipped when the span of ``seq`` values
        (an upper bound on the row count) shows there is nothing over the cap. Over it, the
        rows are counted (on the smallest index) and the cut found from the oldest end, which
        walks only the rows to delete: walking the newest ``keep_rows`` rows of the table read
        every page of it (~60 MB at 50,000 records), ~20 ms per prune on a file database.
        """
        for table in ("generations", "ledger"):
            conn.execute(f"DELETE FROM {table} WHERE created_ms < ?", (older_than_ms,))
            span = conn.execute(
                f"SELECT (SELECT MAX(seq) FROM {table}) - (SELECT MIN(seq) FROM {table}) + 1"
            ).fetchone()[0]
            if span is None or span <= keep_rows:
                continue
            over = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] - keep_rows
            if over > 0:
                conn.execute(
                    f"DELETE FROM {table} WHERE seq <= (SELECT seq FROM {table} ORDER BY seq LIMIT 1 OFFSET ?)",
                    (over - 1,),
                )


def record_text(record: dict[str, Any]) -> str:
    """A generation record as stored: compact JSON (orjson; json for what orjson refuses).

    Written on every priced request, read back with ``json.loads``/``json_extract``; orjson
    keeps non-ASCII text as UTF-8 where ``json.dumps`` escaped it, which reads back the same.
    """
    try:
        return orjson.dumps(record).decode()
    except TypeError:
        return json.dumps(record, separators=(",", ":"))


def with_added_cost(record: dict[str, Any], pricing: dict[str, Any]) -> dict[str, Any]:
    """``record`` with a later charge (``pricing``) added to its cost, lines and usage."""
    cost = int(record.get("cost_nanos") or 0) + int(pricing["total_nanos"])
    lines = list(pricing.get("lines", []))
    usage = dict(record.get("usage") or {})
    usage.update({line["dimension"]: line["quantity"] for line in lines if "dimension" in line})
    return {
        **record,
        "cost_nanos": cost,
        "currency": pricing.get("currency", "USD"),
        "pricing_lines": [*record.get("pricing_lines", []), *lines],
        "usage": usage,
    }
