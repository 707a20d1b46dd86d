"""The SQLite store: state kept across restarts with a file, exact sums under concurrent
debits (threads and processes), and bounded growth."""

from __future__ import annotations

import multiprocessing
import threading

from mockserver.state import Store
from mockserver.state.store import Bounds
from tests.support import ContractClient
from tests.support.workers import spend_in_process

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi"}]}


def test_restart_keeps_keys_wallets_jobs_and_generations(tmp_path):
    path = tmp_path / "state.sqlite"
    first = ContractClient("async", state_path=path, job_seconds=10, job_failure_rate=0.0)
    try:
        key = first.post("/v1/management/keys", json={"name": "survivor"}).json()["key"]
        doomed = first.post("/v1/management/keys", json={"name": "doomed"}).json()["key"]
        first.delete(f"/v1/management/keys/{doomed['id']}")
        chat = first.post("/v1/chat/completions", json=CHAT).json()
        video = first.post("/v1/videos", json={"model": "openai/sora-2", "prompt": "x"}).json()
        balance = first.get("/v1/credits").json()["credits"]["remaining"]
    finally:
        first.close()
        first.store.close()
    second = ContractClient("flask", state_path=path, job_seconds=10, job_failure_rate=0.0)
    try:
        second.clock.now = first.clock.now + 3
        assert second.get("/v1/credits", auth={"Authorization": f"Bearer {key['key']}"}).status_code == 200
        assert second.get("/v1/credits", auth={"Authorization": f"Bearer {doomed['key']}"}).status_code == 401
        assert second.get("/v1/credits").json()["credits"]["remaining"] == balance
        assert second.get(f"/v1/generations?id={chat['id']}").json()["request_id"] == chat["id"]
        polled = second.get(f"/v1/videos/{video['id']}").json()
        assert polled["status"] == "in_progress" and polled["created_at"] == video["created_at"]
        assert [k["name"] for k in second.get("/v1/management/keys").json()["keys"]] == ["survivor"]
    finally:
        second.close()
        second.store.close()


def test_concurrent_thread_debits_sum_exactly():
    store = Store(credits_usd=10)
    workers, each, amount = 8, 50, 1_234_567

    def spend():
        for _ in range(each):
            store.ledger.debit("team_x", amount, None, store.now_ms())

    threads = [threading.Thread(target=spend) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.ledger.balance("team_x") == 10_000_000_000 - workers * each * amount
    assert store.ledger.spend_since("team_x", 0) == workers * each * amount


def test_concurrent_process_debits_sum_exactly(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    Store(path, credits_usd=10).close()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=spend_in_process, args=(path, 40, 1_000_003)) for _ in range(3)]
    for process in processes:
        process.start()
    spend_in_process(path, 40, 1_000_003)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    store = Store(path, credits_usd=10)
    assert store.ledger.balance("team_p") == 10_000_000_000 - 4 * 40 * 1_000_003
    store.close()


def test_concurrent_key_creation_gives_unique_ids():
    store = Store()
    made: list[tuple[dict, str]] = []

    def create():
        for index in range(20):
            made.append(store.keys.create("team_k", f"k{index}", store.now_ms()))

    threads = [threading.Thread(target=create) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({row["id"] for row, _ in made}) == len({row["kid"] for row, _ in made}) == 100
    assert len({plain for _, plain in made}) == 100


def test_jobs_and_generations_are_bounded():
    now = [1_000_000.0]
    store = Store(
        bounds=Bounds(job_ttl_seconds=100, max_jobs=5, generation_ttl_seconds=100, max_generations=7),
        clock=lambda: now[0],
    )
    for index in range(12):
        store.jobs.create(
            job_id=f"job{index}",
            kind="video",
            team_id="t",
            model="m",
            provider="openai",
            created_ms=store.now_ms() + index,
            run_ms=0,
            outcome="completed",
            seed=index,
            params={},
        )
        store.ledger.settle({"request_id": f"G-{index}", "team_id": "t", "cost_nanos": 1}, store.now_ms())
    store.prune()
    assert store.db.one("SELECT COUNT(*) AS n FROM jobs")["n"] == 5
    assert store.jobs.exists("job11") and not store.jobs.exists("job0")
    assert store.db.one("SELECT COUNT(*) AS n FROM generations")["n"] == 7
    now[0] += 1000
    store.prune()
    assert store.db.one("SELECT COUNT(*) AS n FROM jobs")["n"] == 0
    assert store.db.one("SELECT COUNT(*) AS n FROM generations")["n"] == 0
    assert store.ledger.balance("t") == 100_000_000_000 - 12, "pruning never refunds"
