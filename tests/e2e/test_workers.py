"""``aistats-mock serve --workers 2``: two processes on one port whose answers a client cannot
tell apart — wallets and ledger, rule counters, run-time rules, media, the journal and admin
resets are shared — and a supervisor that stops both, or stops when one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support import AUTH, mock_process, mock_process_handle

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}
WORKER = "x-mock-worker"


def fresh(method: str, url: str, **kwargs) -> httpx.Response:
    """One request on a new connection (the kernel hands each connection to one worker)."""
    return httpx.request(method, url, timeout=20, headers={**AUTH, **kwargs.pop("headers", {})}, **kwargs)


def spread(calls: int, method: str, url: str, **kwargs) -> list[httpx.Response]:
    """``calls`` requests from 8 threads, each on its own connection, and as many more as it
    takes (within 10 times as many) until both workers have answered some."""
    answers: list[httpx.Response] = []
    with ThreadPoolExecutor(8) as pool:
        for _ in range(10):
            answers += pool.map(lambda _: fresh(method, url, **kwargs), range(calls))
            if len({answer.headers[WORKER] for answer in answers}) == 2:
                break
    return answers


def origin_of(base: str) -> str:
    return base.rsplit("/v1", 1)[0]


def admin(base: str, method: str, path: str, **kwargs) -> httpx.Response:
    return fresh(method, origin_of(base) + "/__mock" + path, **kwargs)


@pytest.fixture(scope="module")
def base():
    with mock_process("--workers", "2") as url:
        yield url


@pytest.fixture(autouse=True)
def clean(base):
    assert admin(base, "POST", "/reset").status_code == 200
    admin(base, "DELETE", "/rules")
    yield


def test_requests_spread_over_both_workers(base):
    answers = spread(40, "GET", f"{base}/credits")
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.headers[WORKER] for answer in answers}) == 2


def test_concurrent_debits_sum_exactly_in_the_wallet_and_ledger(base):
    before = fresh("GET", f"{base}/credits").json()["credits"]["remaining"]
    answers = spread(48, "POST", f"{base}/chat/completions", json=CHAT)
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.headers[WORKER] for answer in answers}) == 2
    spent = sum(answer.json()["usage"]["pricing"]["total_nanos"] for answer in answers)
    assert fresh("GET", f"{base}/credits").json()["credits"]["remaining"] == before - spent
    ids = {answer.json()["id"] for answer in answers}
    assert len(ids) == len(answers), "every generation has its own id, whichever worker answered"
    for generation in list(ids)[:6]:
        assert fresh("GET", f"{base}/generations?id={generation}").status_code == 200


def test_identical_requests_on_both_workers_are_distinct_generations(base):
    answers = spread(16, "POST", f"{base}/chat/completions", json=CHAT, headers={"X-Mock-Seed": "5"})
    assert len({answer.headers[WORKER] for answer in answers}) == 2
    assert len({answer.json()["id"] for answer in answers}) == len(answers)


def test_fail_twice_then_succeed_counts_across_workers(base):
    rule = {"name": "flaky", "path": "/v1/chat/completions", "times": 2, "status": 503}
    assert admin(base, "POST", "/rules", json=rule).status_code == 201
    answers = spread(20, "POST", f"{base}/chat/completions", json=CHAT)
    assert sorted(answer.status_code for answer in answers) == [200] * (len(answers) - 2) + [503] * 2
    assert len({answer.headers[WORKER] for answer in answers}) == 2
    listed = admin(base, "GET", "/rules").json()["rules"]
    assert [(r["name"], r["calls"]) for r in listed] == [("flaky", len(answers))]


def test_a_reply_rule_posted_at_run_time_is_used_by_every_worker(base):
    reply = {"name": "scripted", "match": {"user": "Hello"}, "reply": {"text": "From the script."}}
    assert admin(base, "POST", "/replies", json=reply).status_code == 201
    answers = spread(16, "POST", f"{base}/chat/completions", json=CHAT)
    assert len({answer.headers[WORKER] for answer in answers}) == 2
    assert {answer.json()["choices"][0]["message"]["content"] for answer in answers} == {"From the script."}
    listed = spread(6, "GET", origin_of(base) + "/__mock/replies")
    assert {tuple((r["name"], r["calls"]) for r in answer.json()["replies"]) for answer in listed} == {
        (("scripted", len(answers)),)
    }
    admin(base, "POST", "/reset")
    after = spread(8, "POST", f"{base}/chat/completions", json=CHAT)
    assert "From the script." not in {answer.json()["choices"][0]["message"]["content"] for answer in after}


def test_a_media_url_minted_by_one_worker_downloads_from_the_other(base):
    body = {"model": "openai/gpt-image-1", "prompt": "a red square", "response_format": "url"}
    made = fresh("POST", f"{base}/images/generations", json=body)
    assert made.status_code == 200, made.text
    url = made.json()["data"][0]["url"]
    downloads = spread(16, "GET", url)
    assert all(download.status_code == 200 and download.content[:4] == b"\x89PNG" for download in downloads)
    assert {download.headers[WORKER] for download in downloads} - {made.headers[WORKER]}, "the other worker served it"


def test_the_journal_lists_every_request_whichever_worker_answered(base):
    answers = spread(24, "POST", f"{base}/chat/completions", json=CHAT, headers={"X-Trace": "journal-test"})
    assert len({answer.headers[WORKER] for answer in answers}) == 2
    deadline = time.monotonic() + 5
    while True:  # an entry's ending is written just after its answer went out
        journal = admin(base, "GET", "/journal").json()
        traced = [entry for entry in journal["entries"] if ["x-trace", "journal-test"] in entry["headers"]]
        if all(entry["outcome"] == "completed" for entry in traced) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(traced) == len(answers) and all(entry["status"] == 200 for entry in traced)
    assert {entry["generation_id"] for entry in traced} == {answer.json()["id"] for answer in answers}
    counts = spread(6, "GET", origin_of(base) + "/__mock/requests/count?header=x-trace:journal-test")
    assert {count.json()["count"] for count in counts} == {len(answers)}


def test_admin_reset_reaches_every_worker(base):
    admin(base, "POST", "/rules", json={"path": "/v1/chat/completions", "times": 1, "status": 429})
    spread(6, "POST", f"{base}/chat/completions", json=CHAT)
    assert admin(base, "POST", "/reset").status_code == 200
    journals = spread(6, "GET", origin_of(base) + "/__mock/journal")
    assert {journal.json()["count"] for journal in journals} == {0}
    credits = spread(6, "GET", f"{base}/credits")
    assert {answer.json()["credits"]["remaining"] for answer in credits} == {100_000_000_000}
    again = spread(6, "POST", f"{base}/chat/completions", json=CHAT)
    assert sorted(answer.status_code for answer in again) == [200] * (len(again) - 1) + [429], "counted from 1 again"


def test_a_restart_with_a_state_file_loses_nothing(tmp_path):
    state = str(tmp_path / "state.sqlite3")
    with mock_process("--workers", "2", "--state", state) as first:
        assert admin(first, "POST", "/rules", json={"name": "kept", "path": "/v1/models", "status": 503}).is_success
        made = fresh(
            "POST",
            f"{first}/images/generations",
            json={"model": "openai/gpt-image-1", "prompt": "x", "response_format": "url"},
        )
        answers = spread(8, "POST", f"{first}/chat/completions", json=CHAT)
        remaining = fresh("GET", f"{first}/credits").json()["credits"]["remaining"]
    with mock_process("--workers", "2", "--state", state) as second:
        assert fresh("GET", f"{second}/credits").json()["credits"]["remaining"] == remaining
        for answer in answers:
            assert fresh("GET", f"{second}/generations?id={answer.json()['id']}").status_code == 200
        assert [rule["name"] for rule in admin(second, "GET", "/rules").json()["rules"]] == ["kept"]
        journal = admin(second, "GET", "/journal").json()
        assert journal["count"] >= 9
        path = made.json()["data"][0]["url"].split("/__mock/media/", 1)[1]
        assert fresh("GET", origin_of(second) + "/__mock/media/" + path).status_code == 200


def test_a_worker_that_dies_stops_the_whole_server():
    with mock_process_handle("--workers", "2", stderr=subprocess.PIPE) as (base, process):
        victim = int(fresh("GET", f"{base}/credits").headers[WORKER])
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=15) == 3
        assert process.stderr is not None
        assert f"worker pid {victim} died (signal SIGKILL); stopping the server" in process.stderr.read()
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/credits", headers=AUTH, timeout=2)


def test_sigterm_stops_every_worker():
    with mock_process_handle("--workers", "2") as (base, process):
        pids = {answer.headers[WORKER] for answer in spread(30, "GET", f"{base}/credits")}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        deadline = time.monotonic() + 5
        while any(_alive(int(pid)) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(int(pid)) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
