"""The count cut of generation records and ledger rows, found from the oldest end (issue 14:
walking the newest rows read the whole table on a file database), deletes exactly the rows
beyond the newest ``max_generations``, whatever the gaps in ``seq``."""

from __future__ import annotations

import random

import pytest

from mockserver.state.store import Bounds, Store


def _store(cap: int) -> Store:
    bounds = Bounds(generation_ttl_seconds=10**6, max_generations=cap)
    return Store(None, credits_usd=1000.0, bounds=bounds, clock=lambda: 1_000.0)


def _ids(store: Store, table: str) -> list[int]:
    return [row["seq"] for row in store.db.query(f"SELECT seq FROM {table} ORDER BY seq")]  # noqa: S608


@pytest.mark.parametrize("seed", range(6))
def test_the_newest_rows_are_kept_exactly(seed):
    rng = random.Random(seed)
    cap, rows = rng.randint(3, 30), rng.randint(1, 90)
    store = _store(cap)
    for index in range(rows):
        store.ledger.settle({"request_id": f"G-{index}", "team_id": "t", "cost_nanos": 1}, store.now_ms())
    gaps = rng.sample(range(1, rows + 1), k=rng.randint(0, rows // 2))
    with store.db.write() as conn:
        for seq in gaps:
            conn.execute("DELETE FROM generations WHERE seq = ?", (seq,))
            conn.execute("DELETE FROM ledger WHERE seq = ?", (seq,))
    expected = {table: _ids(store, table)[-cap:] for table in ("generations", "ledger")}
    store.prune()
    for table, kept in expected.items():
        assert _ids(store, table) == kept
    store.close()
