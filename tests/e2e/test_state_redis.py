"""A fleet on Redis: two ``aistats-mock serve --state redis://127.0.0.1:PORT/0`` processes on one real
Redis server act as one gateway. Concurrent debits through both sum exactly (wallet, ledger and
generation records agree to the nanodollar), a key minted on one authenticates on the other, a
job created on one is polled on both without its status ever going back, and restarting both
processes loses nothing."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import httpx

from tests.support import mock_process

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}
FLEET = {"Authorization": "Bearer aistats_v1_sk_fleet.k1_fleet-secret"}
IMAGE = {"model": "openai/gpt-image-1", "prompt": "a red square", "response_format": "url"}
THREADS, EACH = 8, 15
RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


@contextlib.contextmanager
def fleet(url: str, workers: int = 1) -> Iterator[tuple[str, str]]:
    """Two mock processes on the Redis at ``url`` (the command line README's "A fleet on Redis" shows),
    the first with ``--workers``."""
    options = ("--state", url, "--credits", "50", "--job-seconds", "3")
    with mock_process(*options, "--workers", str(workers)) as first, mock_process(*options) as second:
        yield first, second


def _credits(base: str, auth: dict[str, str]) -> dict:
    return httpx.get(f"{base}/credits", headers=auth).json()["credits"]


def test_two_processes_on_one_redis_act_as_one_gateway(redis_server):
    url = redis_server.url(prefix="fleet-" + uuid.uuid4().hex[:8])
    with fleet(url) as (first, second):
        spent = _spend_concurrently([first, second])
        for base in (first, second):
            credits = _credits(base, FLEET)
            assert credits["remaining"] == 50_000_000_000 - sum(spent), "wallet: no lost or double debit"
            assert credits["thirty_day_usage"] == sum(spent), "the ledger agrees with the wallet"
            assert credits["thirty_day_requests"] == THREADS * EACH
        assert httpx.get(f"{second}/activity?limit=1", headers=FLEET).json()["total"] == THREADS * EACH

        key = httpx.post(f"{first}/management/keys", json={"name": "fleet key"}, headers=FLEET).json()["key"]
        minted = {"Authorization": f"Bearer {key['key']}"}
        assert httpx.get(f"{second}/credits", headers=minted).status_code == 200, "minted on one, used on the other"
        httpx.patch(f"{second}/management/keys/{key['id']}", json={"status": "disabled"}, headers=FLEET)
        assert httpx.get(f"{first}/credits", headers=minted).status_code == 401, "disabled on the other, refused here"

        job = httpx.post(f"{first}/videos", json={"model": "openai/sora-2", "prompt": "x"}, headers=FLEET).json()
        statuses = _poll_until_done([first, second], job["id"])
        assert statuses[-1] == "completed" and [RANK[s] for s in statuses] == sorted(RANK[s] for s in statuses)
        after_job = _credits(second, FLEET)
        assert after_job["remaining"] < 50_000_000_000 - sum(spent), "the finished job was charged"
        chat_id = httpx.post(f"{second}/chat/completions", json=CHAT, headers=FLEET).json()["id"]
        first_view, second_view = (_overview(base) for base in (first, second))
        assert first_view == second_view, "GET /__mock/state reads the same shared state on both"
        fleet_wallet = next(wallet for wallet in first_view["wallets"] if wallet["team_id"] == "team_fleet")
        assert fleet_wallet["balance_nanos"] == _credits(first, FLEET)["remaining"]
        assert [(j["id"], j["status"]) for j in first_view["jobs"]] == [(job["id"], "completed")]
        assert first_view["generations"][0]["request_id"] == chat_id
        before_restart = _credits(first, FLEET)

    with fleet(url) as (first, second):
        assert _credits(second, FLEET) == before_restart, "nothing lost by restarting both processes"
        assert httpx.get(f"{first}/credits", headers=minted).status_code == 401, "the disabled key stays disabled"
        assert httpx.get(f"{first}/videos/{job['id']}", headers=FLEET).json()["status"] == "completed"
        assert httpx.get(f"{second}/generations?id={chat_id}", headers=FLEET).json()["request_id"] == chat_id
        names = [k["name"] for k in httpx.get(f"{second}/management/keys", headers=FLEET).json()["keys"]]
        assert names == ["fleet key"]


def test_rules_media_and_the_journal_are_shared_by_the_fleet(redis_server):
    """What the admin API and the media route keep is the fleet's: a rule posted to one process
    counts calls on both, a file made by one downloads from the other, the journal and the verify
    API of each list the requests of both, an admin reset through one reaches both, and restarting
    them loses none of it. The first is itself two workers (``--workers 2``) sharing through the
    same Redis."""
    url = redis_server.url(prefix="fleet-" + uuid.uuid4().hex[:8])
    with fleet(url, workers=2) as (first, second):
        rule = {"name": "flaky", "path": "/v1/chat/completions", "times": 2, "status": 503}
        assert _admin(first, "POST", "/rules", json=rule).status_code == 201
        traced = {**FLEET, "X-Trace": "fleet-journal"}
        answers = [httpx.post(f"{base}/chat/completions", json=CHAT, headers=traced) for base in (second, first) * 3]
        assert [answer.status_code for answer in answers] == [503, 503, 200, 200, 200, 200], "fail twice, then succeed"
        for base in (first, second):
            assert [(r["name"], r["calls"]) for r in _admin(base, "GET", "/rules").json()["rules"]] == [("flaky", 6)]

        made = httpx.post(f"{first}/images/generations", json=IMAGE, headers=FLEET)
        name = made.json()["data"][0]["url"].split("/__mock/media/", 1)[1]
        download = httpx.get(str(httpx.URL(second).join("/__mock/media/" + name)))
        assert download.status_code == 200 and download.content[:4] == b"\x89PNG", "minted by one, served by the other"

        ids = {answer.json()["id"] for answer in answers if answer.status_code == 200}
        for base in (first, second):
            _wait_for_endings(base, "fleet-journal", len(answers))
            entries = _admin(base, "GET", "/requests", params={"header": "x-trace:fleet-journal"}).json()
            assert entries["count"] == len(answers), "the verify API sees the requests of both processes"
            journal = _admin(base, "GET", "/journal").json()["entries"]
            generations = {
                entry["generation_id"] for entry in journal if ["x-trace", "fleet-journal"] in entry["headers"]
            }
            assert ids <= generations
            assert [e["status"] for e in journal if ["x-trace", "fleet-journal"] in e["headers"]] == [
                503,
                503,
                *[200] * 4,
            ]

        assert _admin(second, "POST", "/reset").status_code == 200
        for base in (first, second):
            assert _admin(base, "GET", "/journal").json()["count"] == 0
            assert [(r["name"], r["calls"]) for r in _admin(base, "GET", "/rules").json()["rules"]] == [("flaky", 0)]
        assert httpx.post(f"{first}/chat/completions", json=CHAT, headers=FLEET).status_code == 503, "counted from 1"

    with fleet(url) as (first, second):  # every process restarted: what they shared is still there
        assert [(r["name"], r["calls"]) for r in _admin(second, "GET", "/rules").json()["rules"]] == [("flaky", 1)]
        assert httpx.post(f"{second}/chat/completions", json=CHAT, headers=FLEET).status_code == 503
        assert httpx.get(str(httpx.URL(first).join("/__mock/media/" + name))).content == download.content
        assert _admin(first, "GET", "/journal").json()["count"] >= 1


def _admin(base: str, method: str, path: str, **kwargs) -> httpx.Response:
    """The admin API of the process at ``base`` (``/__mock`` beside ``/v1``)."""
    return httpx.request(method, str(httpx.URL(base).join("/__mock" + path)), timeout=20, **kwargs)


def _wait_for_endings(base: str, trace: str, count: int) -> None:
    """Until the ``count`` traced requests' endings are journalled (written just after each answer)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        entries = _admin(base, "GET", "/journal").json()["entries"]
        ended = [e for e in entries if ["x-trace", trace] in e["headers"] and e["outcome"] == "completed"]
        if len(ended) >= count:
            return
        time.sleep(0.05)


def _overview(base: str) -> dict:
    """``GET /__mock/state`` of the process at ``base`` (its admin API, next to ``/v1``)."""
    return _admin(base, "GET", "/state", params={"limit": 500}).json()


def _spend_concurrently(bases: list[str]) -> list[int]:
    """``THREADS`` threads each send ``EACH`` chats, alternating between the processes; the prices charged."""
    spent: list[int] = []
    errors: list[str] = []

    def spend(offset: int) -> None:
        with httpx.Client(timeout=30) as client:
            for turn in range(EACH):
                response = client.post(
                    f"{bases[(offset + turn) % len(bases)]}/chat/completions", json=CHAT, headers=FLEET
                )
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    continue
                spent.append(response.json()["usage"]["pricing"]["total_nanos"])

    threads = [threading.Thread(target=spend, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return spent


def _poll_until_done(bases: list[str], job_id: str) -> list[str]:
    """The statuses seen polling ``job_id`` on each process in turn until it finishes (bounded)."""
    statuses: list[str] = []
    for turn in itertools.count():
        status = httpx.get(f"{bases[turn % len(bases)]}/videos/{job_id}", headers=FLEET).json()["status"]
        statuses.append(status)
        if status in ("completed", "failed") or turn > 200:
            return statuses
        threading.Event().wait(0.05)
