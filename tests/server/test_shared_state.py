"""The pieces several processes share (mockserver/state/counters.py, journal_log.py, blobs.py,
shared_rules.py), the same tests run against the SQLite implementations (the ``--workers N``
state file) and the Redis ones (mockserver/state/redis/, a real redis-server): their bounds,
their atomicity when several connections (as several processes would) write at once, and bad
or oversized input. Then what only Redis has: media expiry, and a store reset that leaves them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mockserver.scenarios.shared_journal import SharedJournal
from mockserver.state import counters, shared_rules
from mockserver.state.blobs import SqliteBlobs
from mockserver.state.counters import CountedOccurrences, MemoryCounters, SqliteCounters
from mockserver.state.journal_log import SqliteRecordLog
from mockserver.state.redis import RedisStore
from mockserver.state.redis.base import Namespace
from mockserver.state.redis.blobs import RedisBlobs
from mockserver.state.redis.connection import connect
from mockserver.state.redis.counters import RedisCounters
from mockserver.state.redis.record_log import RedisRecordLog
from mockserver.state.redis.rule_sets import RedisRuleSets
from mockserver.state.shared_db import open_shared
from mockserver.state.shared_rules import MemoryRuleSets, SqliteRuleSets


class SqliteBackend:
    """Each :meth:`connection` a new connection to one state file."""

    def __init__(self, path: Any):
        self.path = path

    def connection(self) -> Any:
        return open_shared(self.path)

    def counters(self, conn: Any, namespace: str, max_names: int | None = None) -> Any:
        return SqliteCounters(conn, namespace, max_names)

    def log(self, conn: Any, capacity: int, max_bytes: int) -> Any:
        return SqliteRecordLog(conn, capacity, max_bytes)

    def blobs(self, conn: Any, max_items: int, max_bytes: int) -> Any:
        return SqliteBlobs(conn, max_items, max_bytes)

    def rule_sets(self, conn: Any, launch: str) -> Any:
        return SqliteRuleSets(conn, launch)


class RedisBackend:
    """Each :meth:`connection` a new client (binary replies) on one Redis, under one prefix."""

    def __init__(self, url: str):
        self.url = url
        self.clients: list[Any] = []

    def connection(self) -> Namespace:
        client, prefix = connect(self.url, binary=True)
        self.clients.append(client)
        return Namespace(client, prefix)

    def counters(self, conn: Namespace, namespace: str, max_names: int | None = None) -> Any:
        return RedisCounters(conn, namespace, max_names)

    def log(self, conn: Namespace, capacity: int, max_bytes: int) -> Any:
        return RedisRecordLog(conn, capacity, max_bytes)

    def blobs(self, conn: Namespace, max_items: int, max_bytes: int, ttl_seconds: float = 3600.0) -> Any:
        return RedisBlobs(conn, max_items, max_bytes, ttl_seconds)

    def rule_sets(self, conn: Namespace, launch: str) -> Any:
        return RedisRuleSets(conn, launch)

    def close(self) -> None:
        if self.clients:
            prefix = self.connection().prefix
            keys = self.clients[0].keys(prefix.replace("*", "\\*") + "*")
            if keys:
                self.clients[0].delete(*keys)
        for client in self.clients:
            client.close()


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    if request.param == "sqlite":
        yield SqliteBackend(tmp_path / "state.sqlite3")
        return
    server = request.getfixturevalue("redis_server")
    redis_backend = RedisBackend(server.url(prefix="shared-" + uuid.uuid4().hex[:10]))
    yield redis_backend
    redis_backend.close()


def test_counters_from_many_connections_never_lose_or_repeat_a_count(backend):
    connections = [backend.connection() for _ in range(4)]

    def bump_many(index: int) -> list[int]:
        mine = backend.counters(connections[index % 4], "rules")
        return [mine.bump(["flaky", "other"])[0] for _ in range(25)]

    with ThreadPoolExecutor(8) as pool:
        seen = [value for values in pool.map(bump_many, range(8)) for value in values]
    assert sorted(seen) == list(range(1, 201))
    assert backend.counters(connections[0], "rules").read(["flaky", "other", "absent"]) == [200, 200, 0]


def test_counters_reset_by_prefix_and_namespaces_are_apart(backend):
    db = backend.connection()
    rules, seeds = backend.counters(db, "rules"), backend.counters(db, "seeds")
    assert rules.bump(["a:1", "a:1", "b:1"]) == [1, 2, 1]
    seeds.bump(["a:1"])
    rules.reset("a:")
    assert rules.read(["a:1", "b:1"]) == [0, 1] and seeds.read(["a:1"]) == [1]
    rules.reset()
    assert rules.read(["b:1"]) == [0]


def test_counters_keep_at_most_max_names_newest_first(backend, monkeypatch):
    monkeypatch.setattr(counters, "PRUNE_EVERY", 1)
    occurrences = CountedOccurrences(backend.counters(backend.connection(), "occurrences", max_names=10))
    for seed in range(30):
        assert occurrences.next(seed) == 1
    assert occurrences.next(29) == 2, "a recent seed is remembered"
    assert occurrences.next(0) == 1, "the oldest were forgotten"
    memory = MemoryCounters(max_names=2)
    memory.bump(["x", "y", "z"])
    assert memory.read(["x", "y", "z"]) == [0, 1, 1]


def test_counter_names_are_bounded(backend):
    with pytest.raises(ValueError, match="at most"):
        backend.counters(backend.connection(), "rules").bump(["n" * (counters.MAX_NAME + 1)])
    assert backend.counters(backend.connection(), "rules").bump([]) == []


def test_record_log_bounds_by_count_and_bytes_keeping_the_newest(backend):
    log = backend.log(backend.connection(), capacity=3, max_bytes=1000)
    seqs = [log.append(100, f"r{i}", bytes([i])) for i in range(5)]
    log.finish(seqs[0], "dropped already")
    log.finish(seqs[4], "done")
    assert [(text, data, end) for _, text, data, end in log.read()] == [
        ("r2", b"\x02", None),
        ("r3", b"\x03", None),
        ("r4", b"\x04", "done"),
    ]
    assert log.stats() == (3, 300) and log.newest() == seqs[4]
    big = log.append(5000, "huge")
    assert log.read() == [(big, "huge", b"", None)], "an oversized record drops the rest but is kept itself"
    assert log.clear() == 1 and log.stats() == (0, 0) and log.newest() == 0
    assert log.append(1, "next") > max([*seqs, big]), "sequence numbers are never reused"
    with pytest.raises(ValueError):
        log.append(-1, "bad")


def test_record_log_from_many_connections_keeps_every_record_in_order(backend):
    logs = [backend.log(backend.connection(), capacity=1000, max_bytes=10**9) for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        seqs = list(pool.map(lambda i: logs[i % 4].append(10, str(i)), range(200)))
    assert sorted(seqs) == [seq for seq, *_ in logs[0].read()] and len(set(seqs)) == 200
    assert logs[1].read(after=seqs[0], limit=5) == logs[1].read()[-5:]
    assert logs[2].stats() == (200, 2000)


def test_shared_journal_round_trips_entries_with_binary_bodies(backend):
    journal = SharedJournal(backend.log(backend.connection(), capacity=10, max_bytes=10**6), body_limit=8)
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


def test_blobs_are_an_lru_bounded_by_items_and_bytes(backend):
    blobs = backend.blobs(backend.connection(), max_items=3, max_bytes=100)
    for name in "abc":
        blobs.put(name, name.encode() * 10, "image/png")
    assert blobs.get("a") is not None  # a is now the most recent
    blobs.put("d", b"d" * 10, "image/png")
    assert blobs.get("b") is None and blobs.get("a").data == b"a" * 10
    blobs.put("e", b"e" * 90, "audio/wav")
    assert len(blobs) <= 3 and blobs.size_bytes <= 100 and blobs.get("e").content_type == "audio/wav"
    blobs.put("e", b"x" * 101, "audio/wav")
    assert blobs.get("e") is None, "too large: not kept, and the old file of that name is gone"
    assert blobs.size_bytes == sum(len(blobs.get(name).data) for name in "ad" if blobs.get(name))
    with pytest.raises(ValueError):
        blobs.put("n" * 300, b"", "text/plain")
    assert blobs.get("n" * 300) is None


def test_blobs_written_by_one_connection_are_read_by_another(backend):
    writer, reader = (backend.blobs(backend.connection(), max_items=5, max_bytes=10**6) for _ in range(2))
    writer.put("clip.mp4", bytes(range(256)) * 4, "video/mp4")
    found = reader.get("clip.mp4")
    assert found is not None and found.data == bytes(range(256)) * 4 and found.content_type == "video/mp4"


def _added_and_dropped(sets: Any) -> None:
    first = sets.version()
    set_id = sets.add("reply", 2, [{"reply": {"text": "hi"}}])
    assert sets.version() > first and sets.admin_sets("reply") == [(set_id, 2, [{"reply": {"text": "hi"}}])]
    assert sets.admin_sets("scenario") == []
    sets.clear("reply", "file")
    assert sets.files_dropped("reply") and not sets.files_dropped("scenario")
    assert sets.admin_sets("reply"), "clearing the files keeps the added sets"
    sets.clear("reply", "admin")
    assert sets.admin_sets("reply") == []


def test_rule_sets_in_memory_version_moves_and_files_are_dropped():
    _added_and_dropped(MemoryRuleSets())


def test_rule_sets_version_moves_and_files_are_dropped_per_launch(backend):
    sets = backend.rule_sets(backend.connection(), launch="one")
    _added_and_dropped(sets)
    another = backend.rule_sets(backend.connection(), launch="one")
    assert another.files_dropped("reply") and another.version() == sets.version(), "seen by every process"
    assert not backend.rule_sets(backend.connection(), launch="two").files_dropped("reply"), "a new launch reloads"


def test_rule_sets_refuse_what_cannot_be_kept(backend, monkeypatch):
    monkeypatch.setattr(shared_rules, "MAX_PAYLOAD_BYTES", 100)
    sets = backend.rule_sets(backend.connection(), launch="one")
    with pytest.raises(ValueError, match="at most 100 bytes"):
        sets.add("scenario", 0, [{"text": "x" * 200}])
    with pytest.raises(TypeError):
        sets.add("scenario", 0, [{1, 2}])
    assert sets.admin_sets("scenario") == []


# -- Redis only ---------------------------------------------------------------------------------------


def test_media_on_redis_expires_when_not_downloaded_and_leaves_the_bounds(redis_server):
    backend = RedisBackend(redis_server.url(prefix="media-" + uuid.uuid4().hex[:10]))
    try:
        blobs = backend.blobs(backend.connection(), max_items=5, max_bytes=1000, ttl_seconds=0.2)
        blobs.put("old", b"o" * 100, "image/png")
        blobs.put("kept", b"k" * 50, "image/png")
        for _ in range(4):  # each download renews its expiry
            time.sleep(0.1)
            assert blobs.get("kept") is not None
        assert blobs.get("old") is None, "not downloaded within its ttl"
        assert (len(blobs), blobs.size_bytes) == (1, 50)
    finally:
        backend.close()


def test_a_store_reset_leaves_what_the_fleet_shares(redis_server):
    url = redis_server.url(prefix="reset-" + uuid.uuid4().hex[:10])
    backend = RedisBackend(url)
    store = RedisStore.open(url)
    try:
        shared = backend.connection()
        rules = backend.rule_sets(shared, launch="fleet")
        rules.add("scenario", 0, [{"status": 503}])
        backend.counters(shared, "scenario-rules").bump(["file:0"])
        store.ledger.debit("team_x", 5, None, store.now_ms())
        store.reset()
        assert store.ledger.balance("team_x") == store.ledger.initial_nanos
        assert len(rules.admin_sets("scenario")) == 1, "rules added at run time stay (as with one process)"
        assert backend.counters(shared, "scenario-rules").read(["file:0"]) == [1]
    finally:
        store.close()
        backend.close()
