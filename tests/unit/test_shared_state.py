"""The SQLite implementations of the pieces several workers share (mockserver/state/counters.py,
journal_log.py, blobs.py, shared_rules.py): their bounds, their atomicity when several
connections (as several processes would) write at once, and bad or oversized input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from mockserver.scenarios.shared_journal import SharedJournal
from mockserver.state import counters, shared_rules
from mockserver.state.blobs import SqliteBlobs
from mockserver.state.counters import CountedOccurrences, MemoryCounters, SqliteCounters
from mockserver.state.journal_log import SqliteRecordLog
from mockserver.state.shared_db import open_shared
from mockserver.state.shared_rules import MemoryRuleSets, SqliteRuleSets


@pytest.fixture
def path(tmp_path):
    return tmp_path / "state.sqlite3"


def test_counters_from_many_connections_never_lose_or_repeat_a_count(path):
    connections = [open_shared(path) for _ in range(4)]

    def bump_many(index: int) -> list[int]:
        mine = SqliteCounters(connections[index % 4], "rules")
        return [mine.bump(["flaky", "other"])[0] for _ in range(25)]

    with ThreadPoolExecutor(8) as pool:
        seen = [value for values in pool.map(bump_many, range(8)) for value in values]
    assert sorted(seen) == list(range(1, 201))
    assert SqliteCounters(connections[0], "rules").read(["flaky", "other", "absent"]) == [200, 200, 0]


def test_counters_reset_by_prefix_and_namespaces_are_apart(path):
    db = open_shared(path)
    rules, seeds = SqliteCounters(db, "rules"), SqliteCounters(db, "seeds")
    assert rules.bump(["a:1", "a:1", "b:1"]) == [1, 2, 1]
    seeds.bump(["a:1"])
    rules.reset("a:")
    assert rules.read(["a:1", "b:1"]) == [0, 1] and seeds.read(["a:1"]) == [1]
    rules.reset()
    assert rules.read(["b:1"]) == [0]


def test_counters_keep_at_most_max_names_newest_first(path, monkeypatch):
    monkeypatch.setattr(counters, "PRUNE_EVERY", 1)
    occurrences = CountedOccurrences(SqliteCounters(open_shared(path), "occurrences", max_names=10))
    for seed in range(30):
        assert occurrences.next(seed) == 1
    assert occurrences.next(29) == 2, "a recent seed is remembered"
    assert occurrences.next(0) == 1, "the oldest were forgotten"
    memory = MemoryCounters(max_names=2)
    memory.bump(["x", "y", "z"])
    assert memory.read(["x", "y", "z"]) == [0, 1, 1]


def test_counter_names_are_bounded(path):
    with pytest.raises(ValueError, match="at most"):
        SqliteCounters(open_shared(path), "rules").bump(["n" * (counters.MAX_NAME + 1)])
    assert SqliteCounters(open_shared(path), "rules").bump([]) == []


def test_record_log_bounds_by_count_and_bytes_keeping_the_newest(path):
    log = SqliteRecordLog(open_shared(path), capacity=3, max_bytes=1000)
    seqs = [log.append(100, f"r{i}", bytes([i])) for i in range(5)]
    log.finish(seqs[0], "dropped already")
    log.finish(seqs[4], "done")
    assert [(text, data, end) for _, text, data, end in log.read()] == [
        ("r2", b"\x02", None),
        ("r3", b"\x03", None),
        ("r4", b"\x04", "done"),
    ]
    assert log.stats() == (3, 300)
    big = log.append(5000, "huge")
    assert log.read() == [(big, "huge", b"", None)], "an oversized record drops the rest but is kept itself"
    assert log.clear() == 1 and log.stats() == (0, 0)
    assert log.append(1, "next") > max([*seqs, big]), "sequence numbers are never reused"
    with pytest.raises(ValueError):
        log.append(-1, "bad")


def test_record_log_from_many_connections_keeps_every_record_in_order(path):
    logs = [SqliteRecordLog(open_shared(path), capacity=1000, max_bytes=10**9) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        seqs = list(pool.map(lambda i: logs[i % 4].append(10, str(i)), range(200)))
    assert sorted(seqs) == [seq for seq, *_ in logs[0].read()] and len(set(seqs)) == 200
    assert logs[1].read(after=seqs[0], limit=5) == logs[1].read()[-5:]


def test_shared_journal_round_trips_entries_with_binary_bodies(path):
    journal = SharedJournal(SqliteRecordLog(open_shared(path), capacity=10, max_bytes=10**6), body_limit=8)
    entry = journal.open(
        headers=[("authorization", "Bearer secret"), ("content-type", "application/octet-stream")],
        body=b"\xff\x00binary-and-long",
        received_at=1.0,
        method="POST",
        path="/v1/x",
    )
    entry.scenario = "upstream_error"
    journal.complete(entry, status=503, outcome="completed", duration_ms=1.5)
    [read] = journal.entries()
    assert read == entry and read.body_truncated and read.body == b"\xff\x00binary"
    assert "secret" not in str(read.headers)
    assert journal.page(limit=1)[0] == [entry] and len(journal) == 1


def test_blobs_are_an_lru_bounded_by_items_and_bytes(path):
    blobs = SqliteBlobs(open_shared(path), max_items=3, max_bytes=100)
    for name in "abc":
        blobs.put(name, name.encode() * 10, "image/png")
    assert blobs.get("a") is not None  # a is now the most recent
    blobs.put("d", b"d" * 10, "image/png")
    assert blobs.get("b") is None and blobs.get("a").data == b"a" * 10
    blobs.put("e", b"e" * 90, "audio/wav")
    assert len(blobs) <= 3 and blobs.size_bytes <= 100 and blobs.get("e").content_type == "audio/wav"
    blobs.put("e", b"x" * 101, "audio/wav")
    assert blobs.get("e") is None, "too large: not kept, and the old file of that name is gone"
    with pytest.raises(ValueError):
        blobs.put("n" * 300, b"", "text/plain")
    assert blobs.get("n" * 300) is None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_rule_sets_version_moves_and_files_are_dropped_per_launch(path, kind):
    sets = MemoryRuleSets() if kind == "memory" else SqliteRuleSets(open_shared(path), launch="one")
    first = sets.version()
    set_id = sets.add("reply", 2, [{"reply": {"text": "hi"}}])
    assert sets.version() > first and sets.admin_sets("reply") == [(set_id, 2, [{"reply": {"text": "hi"}}])]
    assert sets.admin_sets("scenario") == []
    sets.clear("reply", "file")
    assert sets.files_dropped("reply") and not sets.files_dropped("scenario")
    assert sets.admin_sets("reply"), "clearing the files keeps the added sets"
    sets.clear("reply", "admin")
    assert sets.admin_sets("reply") == []
    if kind == "sqlite":
        assert not SqliteRuleSets(open_shared(path), launch="two").files_dropped("reply"), "a new launch reloads"


def test_rule_sets_refuse_what_cannot_be_kept(path, monkeypatch):
    monkeypatch.setattr(shared_rules, "MAX_PAYLOAD_BYTES", 100)
    sets = SqliteRuleSets(open_shared(path), launch="one")
    with pytest.raises(ValueError, match="at most 100 bytes"):
        sets.add("scenario", 0, [{"text": "x" * 200}])
    with pytest.raises(TypeError):
        sets.add("scenario", 0, [{1, 2}])
    assert sets.admin_sets("scenario") == []
