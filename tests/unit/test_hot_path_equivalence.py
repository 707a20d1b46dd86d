"""The hot-path shortcuts of the chat route give exactly what the plain code gave.

Each shortcut (ids drawn without ``Random.choice``, generation records written with
orjson, pruning that skips the count cut when nothing is over the cap) is checked against
the straightforward version it replaced.
"""

from __future__ import annotations

import json
import random
import string

import pytest

from mockserver import ids
from mockserver.state.ledger import record_text
from mockserver.state.store import Bounds, Store


@pytest.mark.parametrize("alphabet", [ids.BASE62, "0123456789abcdef", ids.CROCKFORD, string.ascii_letters + "-_", "a"])
def test_token_draws_what_choice_draws_and_leaves_the_same_state(alphabet):
    for seed in range(40):
        fast, plain = random.Random(seed), random.Random(seed)
        length = seed % 53
        assert ids.token(fast, length, alphabet) == "".join(plain.choice(alphabet) for _ in range(length))
        assert fast.getrandbits(64) == plain.getrandbits(64)


def test_record_text_reads_back_as_the_json_dumps_text():
    record = {
        "request_id": "G-1",
        "team_id": "t",
        "cost_nanos": 12,
        "model": "openai/gpt-5-nano",
        "note": "naïve café — ✓",
        "nested": {"a": [1, 2.5, None, True]},
        "big": 2**70,
    }
    assert json.loads(record_text(record)) == json.loads(json.dumps(record, separators=(",", ":")))
    small = {k: v for k, v in record.items() if k != "big"}
    assert json.loads(record_text(small)) == small


def _store(now: list[float], max_generations: int) -> Store:
    bounds = Bounds(generation_ttl_seconds=1.0, max_generations=max_generations)
    return Store(None, credits_usd=1000.0, bounds=bounds, clock=lambda: now[0])


def _settle(store: Store, index: int) -> None:
    store.ledger.settle({"request_id": f"G-{index}", "team_id": "t", "cost_nanos": 1}, store.now_ms())


def _request_ids(store: Store) -> list[str]:
    return [row["request_id"] for row in store.db.query("SELECT request_id FROM generations ORDER BY seq")]


def test_prune_keeps_exactly_the_newest_rows_even_with_gaps_in_seq():
    now = [1_000.0]
    store = _store(now, max_generations=5)
    for index in range(8):
        _settle(store, index)
    with store.db.write() as conn:  # a gap in seq: the span (8) overstates the count (6)
        conn.execute("DELETE FROM generations WHERE request_id IN ('G-3', 'G-4')")
    store.prune()
    assert _request_ids(store) == ["G-1", "G-2", "G-5", "G-6", "G-7"]
    assert store.db.one("SELECT COUNT(*) AS n FROM ledger")["n"] == 5


def test_prune_under_the_cap_and_within_the_ttl_deletes_nothing():
    now = [1_000.0]
    store = _store(now, max_generations=50)
    for index in range(10):
        _settle(store, index)
    store.prune()
    assert len(_request_ids(store)) == 10
    now[0] += 2.0
    store.prune()
    assert _request_ids(store) == []
    assert store.ledger.balance("t") == store.ledger.initial_nanos - 10, "pruning never refunds"
