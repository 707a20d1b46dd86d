"""The state interface, run the same against both stores: embedded SQLite and a real Redis server.

Keys, wallets and the ledger (exact under concurrent debits), generation records and their
pages, jobs (lifecycle from the store's clock, never regressing, charged once, pruned and
capped), OAuth clients, forgotten idle teams, and reset.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mockserver.auth import DEFAULT_TEAM
from mockserver.state.interface import Bounds, StateStore
from mockserver.state.redis import RedisStore
from mockserver.state.store import Store
from tests.support import FakeClock

NANOS = 1_000_000_000
MakeStore = Callable[..., StateStore]


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest) -> Iterator[MakeStore]:
    """Stores of one backend on a fake clock (each Redis test in its own prefix, reset after)."""
    made: list[Any] = []
    prefix = uuid.uuid4().hex[:12]

    def make(**options: Any) -> StateStore:
        clock = FakeClock()
        if request.param == "sqlite":
            store: Any = Store(options.pop("path", None), clock=clock, **options)
        else:
            options.pop("path", None)  # stores made by one test share its prefix
            server = request.getfixturevalue("redis_server")
            store = RedisStore.open(server.url(prefix=prefix), **options)
            store.clock = clock
        made.append(store)
        return store

    yield make
    for store in made:
        if isinstance(store, RedisStore):
            store.reset()
        store.close()


def _settle(store: StateStore, request_id: str, team: str = "t", cost: int = 1, **fields: Any) -> None:
    store.ledger.settle({"request_id": request_id, "team_id": team, "cost_nanos": cost, **fields}, store.now_ms())


def _job(store: StateStore, job_id: str, *, team: str = "t", run_ms: int = 10_000, **fields: Any) -> dict:
    values: dict[str, Any] = dict(
        job_id=job_id,
        kind="video",
        team_id=team,
        model="openai/sora-2",
        provider="openai",
        created_ms=store.now_ms(),
        run_ms=run_ms,
        outcome="completed",
        seed=(1 << 64) - 1,
        params={},
    )
    return store.jobs.create(**{**values, **fields})


# -- keys ------------------------------------------------------------------------------------------


def test_keys_are_minted_listed_newest_first_and_scoped_to_their_team(make_store):
    store = make_store()
    rows = []
    for index in range(5):
        rows.append(store.keys.create("team_a", f"k{index}", store.now_ms(), scopes=["read"], created_by="me"))
        store.clock.advance(1) if index % 2 else None  # some share a millisecond: insertion order decides
    store.keys.create("team_b", "other", store.now_ms())
    total, page = store.keys.page("team_a", 2, 1)
    assert total == 5 and [row["name"] for row in page] == ["k3", "k2"]
    row, plaintext = rows[0]
    assert set(row) == {
        "id", "kid", "team_id", "name", "status", "scopes", "soft_blocked", "created_by", "secret_hash",
        "created_ms", "last_used_ms",
    }  # fmt: skip
    assert (row["scopes"], row["soft_blocked"], row["last_used_ms"], row["created_by"]) == ('["read"]', 0, None, "me")
    assert plaintext == f"aistats_v1_sk_{row['kid']}_{plaintext.rsplit('_', 1)[1]}"
    assert store.keys.get("team_a", row["id"].upper())["name"] == "k0"
    assert store.keys.get("team_b", row["id"]) is None and store.keys.find(row["id"])["team_id"] == "team_a"


def test_key_checks_updates_and_deletion(make_store):
    store = make_store()
    row, plaintext = store.keys.create("team_a", "k", store.now_ms())
    kid, secret = row["kid"], plaintext.rsplit("_", 1)[1]
    assert store.keys.check("nobody", "x").verdict == "unknown"
    assert store.keys.check(kid, "wrong").verdict == "invalid_secret"
    active = store.keys.check(kid, secret)
    assert (active.verdict, active.team_id, active.key_id, active.soft_blocked) == (
        "active",
        "team_a",
        row["id"],
        False,
    )
    assert not store.keys.update("team_b", row["id"], {"status": "disabled"})
    assert store.keys.update("team_a", row["id"], {"status": "disabled", "soft_blocked": True, "name": "n2"})
    assert store.keys.check(kid, secret).verdict == "disabled" and store.keys.check(kid, secret).soft_blocked
    store.clock.advance(5)
    store.keys.touch(row["id"], store.now_ms())
    assert store.keys.get("team_a", row["id"])["last_used_ms"] == store.now_ms()
    assert store.keys.delete("team_b", row["id"], store.now_ms()) is None
    assert store.keys.delete("team_a", row["id"], store.now_ms()) == "n2"
    assert store.keys.delete("team_a", row["id"], store.now_ms()) is None
    assert store.keys.check(kid, secret).verdict == "deleted" and store.keys.find(row["id"]) is None
    store.keys.touch(row["id"], store.now_ms())
    assert store.keys.find(row["id"]) is None, "touching a deleted key does not bring it back"
    assert store.keys.page("team_a", 10, 0) == (0, [])


def test_concurrent_key_creation_gives_unique_ids(make_store):
    store = make_store()
    made: list[tuple[dict, str]] = []

    def create() -> None:
        for index in range(20):
            made.append(store.keys.create("team_k", f"k{index}", store.now_ms()))

    _run_threads(create, 5)
    assert len({row["id"] for row, _ in made}) == len({row["kid"] for row, _ in made}) == 100
    assert store.keys.page("team_k", 500, 0)[0] == 100


# -- wallets, ledger, generation records ------------------------------------------------------------


def test_concurrent_debits_sum_exactly_and_may_go_below_zero(make_store):
    store = make_store(credits_usd=1)
    workers, each, amount = 8, 40, 4_567_891

    def spend() -> None:
        for _ in range(each):
            store.ledger.debit("team_x", amount, None, store.now_ms())

    _run_threads(spend, workers)
    assert store.ledger.balance("team_x") == NANOS - workers * each * amount < 0
    assert store.ledger.spend_since("team_x", 0) == workers * each * amount
    assert store.ledger.debits == workers * each and store.ledger.debited_nanos == workers * each * amount
    for amount in (2_500_000_001, 999_999_999, 7 * 10**15):  # the nanos of large sums stay exact
        store.ledger.debit("team_big", amount, None, store.now_ms())
    store.ledger.debit("team_big", -1_000_000_002, None, store.now_ms())  # a refund
    assert store.ledger.spend_since("team_big", 0) == 7_000_003_500_000_000 - 1_000_000_002
    assert store.ledger.balance("team_untouched") == NANOS
    store.ledger.set_balance("team_untouched", 5)
    assert store.ledger.balance("team_untouched") == 5


def test_generation_records_settle_and_page_newest_first(make_store):
    store = make_store()
    for index in range(6):
        _settle(store, f"G-{index}", cost=10 + index, provider="openai" if index % 2 else "anthropic")
        store.clock.advance(60)
    _settle(store, "G-other", team="u", cost=1000)
    _settle(store, "G-free", cost=0)
    assert store.ledger.balance("t") == 100 * NANOS - sum(10 + index for index in range(6))
    total, page = store.ledger.activity("t", 0, 2, 1)
    assert total == 7 and [record["request_id"] for record in page] == ["G-5", "G-4"]
    since = store.now_ms() - 150_000
    assert store.ledger.requests_since("t", since) == 3
    assert store.ledger.spend_since("t", since) == 14 + 15
    assert store.ledger.generation("t", "G-3")["cost_nanos"] == 13
    assert store.ledger.generation("u", "G-3") is None and store.ledger.generation("u", "G-other")["cost_nanos"] == 1000
    _settle(store, "G-3", cost=7)
    assert store.ledger.generation("t", "G-3")["cost_nanos"] == 7, "the newest record of a request id"
    assert [r["request_id"] for r in store.ledger.recent(0, limit=3)] == ["G-3", "G-free", "G-other"]
    assert [r["request_id"] for r in store.ledger.recent(0, provider="openai")] == ["G-5", "G-3", "G-1"]
    assert store.ledger.recent(store.now_ms() + 1) == []


# -- jobs --------------------------------------------------------------------------------------------


def _pricer(calls: list[int]) -> Callable[[dict], dict]:
    def price(job: dict) -> dict:
        calls.append(1)
        return {
            "total_nanos": 2_500,
            "currency": "USD",
            "lines": [{"dimension": "output_video_seconds", "quantity": 4}],
        }

    return price


def test_job_lifecycle_follows_the_store_clock_never_regresses_and_charges_once(make_store):
    store = make_store()
    _settle(store, "G-create", cost=100)
    job = _job(store, "video_1", params={"request_id": "G-create", "size": "720x1280"})
    assert (job["status"], job["progress"], job["seed"], job["params"]["size"]) == (
        "queued",
        0,
        (1 << 63) - 1,
        "720x1280",
    )
    calls: list[int] = []
    observe = lambda: store.jobs.observe("t", "video_1", "video", store.now_ms(), _pricer(calls))  # noqa: E731
    store.clock.advance(5)
    middle = observe()
    assert middle["status"] == "in_progress" and 0 < middle["progress"] < 100
    store.clock.advance(-4)
    assert observe()["progress"] == middle["progress"], "a poll at an earlier time does not regress"
    store.clock.advance(20)
    done = observe()
    assert (done["status"], done["progress"], done["charged_nanos"]) == ("completed", 100, 2_500)
    assert done["finished_ms"] == job["created_ms"] + 10_000
    observe()
    assert len(calls) == 1 and store.ledger.balance("t") == 100 * NANOS - 100 - 2_500
    record = store.ledger.generation("t", "G-create")
    assert record["cost_nanos"] == 2_600 and record["usage"]["output_video_seconds"] == 4
    assert store.jobs.observe("u", "video_1", "video", store.now_ms(), _pricer(calls)) is None
    assert store.jobs.observe("t", "video_1", "music", store.now_ms(), _pricer(calls)) is None
    assert store.jobs.counts(store.now_ms()) == {("video", "completed"): 1}
    assert not store.jobs.delete("t", "video_1", "music") and store.jobs.delete("t", "video_1", "video")
    assert not store.jobs.exists("video_1") and store.jobs.get("video_1") is None


def test_concurrent_polls_charge_a_finished_job_once(make_store):
    store = make_store()
    _job(store, "video_2", run_ms=1_000)
    calls: list[int] = []
    store.clock.advance(2)

    def poll() -> None:
        for _ in range(5):
            assert store.jobs.observe("t", "video_2", "video", store.now_ms(), _pricer(calls))["status"] == "completed"

    _run_threads(poll, 6)
    assert store.ledger.balance("t") == 100 * NANOS - 2_500
    _job(store, "video_3", run_ms=0)
    store.jobs.mark_charged("video_3", 99)
    assert store.jobs.observe("t", "video_3", "video", store.now_ms(), _pricer(calls))["charged_nanos"] == 99
    assert store.ledger.balance("t") == 100 * NANOS - 2_500, "a job paid at creation is not charged again"


def test_jobs_generations_and_deleted_kids_are_pruned_by_age_and_capped(make_store):
    store = make_store(bounds=Bounds(job_ttl_seconds=100, max_jobs=5, generation_ttl_seconds=100, max_generations=7))
    for index in range(12):
        _job(store, f"job{index}", created_ms=store.now_ms() + index)
        _settle(store, f"G-{index}")
        store.clock.advance(0.001)
    row, plaintext = store.keys.create("t", "gone", store.now_ms())
    store.keys.delete("t", row["id"], store.now_ms())
    store.prune()
    assert sum(store.jobs.counts(store.now_ms()).values()) == 5
    assert store.jobs.exists("job11") and not store.jobs.exists("job0")
    assert store.ledger.activity("t", 0, 100, 0)[0] == 7 and store.ledger.generation("t", "G-4") is None
    assert store.ledger.spend_since("t", 0) == 7, "ledger entries are capped like the records"
    assert store.keys.check(row["kid"], "x").verdict == "deleted"
    store.clock.advance(1000)
    store.prune()
    assert store.jobs.counts(store.now_ms()) == {} and store.ledger.recent(0) == []
    assert store.keys.check(row["kid"], "x").verdict == "unknown"
    assert store.ledger.balance("t") == 100 * NANOS - 12, "pruning never refunds"


def test_idle_teams_beyond_the_cap_are_forgotten_least_recently_charged_first(make_store):
    store = make_store(bounds=Bounds(max_teams=3))
    for team in (DEFAULT_TEAM, "team_1", "team_2", "team_3", "team_4"):
        _settle(store, f"G-{team}", team=team, cost=5)
        store.clock.advance(1)
    _settle(store, "G-again", team="team_1", cost=5)
    store.prune()
    kept = [
        team
        for team in (DEFAULT_TEAM, "team_1", "team_2", "team_3", "team_4")
        if store.ledger.balance(team) < 100 * NANOS
    ]
    assert kept == [DEFAULT_TEAM, "team_1", "team_4"]
    assert store.ledger.activity("team_2", 0, 10, 0) == (0, []) and store.ledger.spend_since("team_3", 0) == 0


def test_two_stores_on_one_state_poll_and_debit_as_one(make_store, tmp_path):
    """Two stores sharing one state (as two server processes do): concurrent polls from both see
    a status that never goes back and charge the job once; concurrent debits from both sum."""
    first = make_store(path=tmp_path / "shared.sqlite")
    second = make_store(path=tmp_path / "shared.sqlite")
    second.clock = first.clock
    _job(first, "video_s", run_ms=2_000)
    calls: list[int] = []
    rank = {"queued": 0, "in_progress": 1, "completed": 2}

    def poll(store: StateStore) -> Callable[[], None]:
        def run() -> None:
            seen = []
            for _ in range(30):
                seen.append(store.jobs.observe("t", "video_s", "video", store.now_ms(), _pricer(calls))["status"])
                store.ledger.debit("t", 3, None, store.now_ms())
            assert [rank[status] for status in seen] == sorted(rank[status] for status in seen)

        return run

    ticking = threading.Event()

    def tick() -> None:
        while not ticking.is_set():
            first.clock.advance(0.05)
            ticking.wait(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        _run_threads_of([poll(first), poll(second), poll(first), poll(second)])
    finally:
        ticking.set()
        ticker.join()
    first.clock.advance(10)
    assert second.jobs.observe("t", "video_s", "video", second.now_ms(), _pricer(calls))["status"] == "completed"
    assert first.ledger.balance("t") == second.ledger.balance("t") == 100 * NANOS - 2_500 - 4 * 30 * 3


# -- the overview (GET /__mock/state) ---------------------------------------------------------------------


def test_wallets_are_listed_by_team_with_what_their_ledger_sums_to(make_store):
    store = make_store()
    _settle(store, "G-b", team="team_b", cost=30)
    _settle(store, "G-a", team="team_a", cost=7)
    store.ledger.debit("team_b", 12, None, store.now_ms())
    store.ledger.set_balance("team_c", 5 * NANOS)  # a wallet set by hand has spent nothing
    _settle(store, "G-free", team="team_d", cost=0)  # a free request writes no wallet
    assert store.ledger.wallets(10) == [
        {"team_id": "team_a", "balance_nanos": 100 * NANOS - 7, "spent_nanos": 7},
        {"team_id": "team_b", "balance_nanos": 100 * NANOS - 42, "spent_nanos": 42},
        {"team_id": "team_c", "balance_nanos": 5 * NANOS, "spent_nanos": 0},
    ]
    assert [wallet["team_id"] for wallet in store.ledger.wallets(2)] == ["team_a", "team_b"]
    assert store.ledger.wallets(0) == []


def test_the_spend_shown_follows_pruned_entries_charged_jobs_and_forgotten_teams(make_store):
    store = make_store(bounds=Bounds(max_generations=2, max_teams=2))
    for cost in (1, 2, 3, 4):
        _settle(store, f"G-{cost}", cost=cost)
        store.clock.advance(1)
    store.prune()
    assert store.ledger.wallets(5) == [{"team_id": "t", "balance_nanos": 100 * NANOS - 10, "spent_nanos": 7}]
    _job(store, "video_o", run_ms=0)
    store.jobs.observe("t", "video_o", "video", store.now_ms(), _pricer([]))
    assert store.ledger.wallets(5)[0]["spent_nanos"] == 7 + 2_500
    for team in ("team_x", "team_y"):
        store.clock.advance(1)
        _settle(store, f"G-{team}", team=team, cost=1)
    store.prune()  # three wallets over a cap of two: "t", charged least recently, is forgotten
    assert [wallet["team_id"] for wallet in store.ledger.wallets(5)] == ["team_x", "team_y"]


def test_the_newest_generations_and_jobs_are_listed_newest_first(make_store):
    store = make_store()
    _settle(store, "G-old", cost=5, model_id="m")
    store.clock.advance(1)
    _settle(store, "G-new", team="u", cost=9)
    _settle(store, "G-same-ms", team="u", cost=0)
    latest = store.ledger.latest(2)
    assert [(row["record"]["request_id"], row["cost_nanos"]) for row in latest] == [("G-same-ms", 0), ("G-new", 9)]
    oldest = store.ledger.latest(10)[-1]
    assert (oldest["created_ms"], oldest["record"]["model_id"]) == (store.now_ms() - 1000, "m")
    now = store.now_ms()
    for job_id, created in (("job_b", now), ("job_a", now), ("job_c", now - 5), ("job_z", now + 1)):
        _job(store, job_id, created_ms=created)
    assert [job["id"] for job in store.jobs.latest(2)] == ["job_z", "job_a"]
    assert [job["id"] for job in store.jobs.latest(10)] == ["job_z", "job_a", "job_b", "job_c"]
    assert store.jobs.latest(1)[0]["params"] == {} and store.jobs.latest(0) == []
    assert store.ledger.latest(0) == []


# -- OAuth clients --------------------------------------------------------------------------------------


def test_oauth_clients_are_scoped_paged_updated_and_their_secret_rotates(make_store):
    store = make_store()
    fields = {"name": "app", "redirect_uris": ["https://a.example/cb"], "homepage_url": None}
    first, secret = store.oauth.create("t", fields, store.now_ms(), created_by="me")
    store.oauth.create("t", {**fields, "name": "second"}, store.now_ms())
    store.oauth.create("u", fields, store.now_ms())
    assert first["redirect_uris"] == ["https://a.example/cb"] and first["status"] == "active"
    assert "seq" not in first and first["description"] is None and first["created_by"] == "me"
    total, page = store.oauth.page("t", 1)
    assert total == 2 and [client["name"] for client in page] == ["second"]
    assert store.oauth.get("u", first["client_id"]) is None
    store.clock.advance(3)
    updated = store.oauth.update("t", first["client_id"], {"name": "renamed", "status": "hacked"}, store.now_ms())
    assert updated["name"] == "renamed" and updated["status"] == "active" and updated["updated_ms"] == store.now_ms()
    assert store.oauth.update("u", first["client_id"], {"name": "x"}, store.now_ms()) is None
    assert store.oauth.secret_matches(first["client_id"], secret)
    rotated = store.oauth.regenerate_secret("t", first["client_id"], store.now_ms())
    assert rotated and not store.oauth.secret_matches(first["client_id"], secret)
    assert store.oauth.secret_matches(first["client_id"], rotated)
    assert store.oauth.regenerate_secret("u", first["client_id"], store.now_ms()) is None
    assert not store.oauth.delete("u", first["client_id"]) and store.oauth.delete("t", first["client_id"])
    assert store.oauth.get("t", first["client_id"]) is None and store.oauth.page("t", 10)[0] == 1


# -- reset ------------------------------------------------------------------------------------------------


def test_reset_forgets_everything(make_store):
    store = make_store()
    row, _ = store.keys.create("t", "k", store.now_ms())
    _settle(store, "G-1", cost=50)
    _job(store, "video_r")
    client, _ = store.oauth.create("t", {"name": "app", "redirect_uris": []}, store.now_ms())
    store.reset()
    assert store.keys.find(row["id"]) is None and store.keys.check(row["kid"], "x").verdict == "unknown"
    assert store.ledger.balance("t") == 100 * NANOS and store.ledger.activity("t", 0, 10, 0) == (0, [])
    assert not store.jobs.exists("video_r") and store.oauth.get("t", client["client_id"]) is None
    again, _ = store.keys.create("t", "k2", store.now_ms())
    assert store.keys.page("t", 10, 0)[0] == 1 and again["name"] == "k2"


def _run_threads(work: Callable[[], None], count: int) -> None:
    _run_threads_of([work] * count)


def _run_threads_of(works: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 (reported below, in the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
