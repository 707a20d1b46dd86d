"""The mock on Redis state (``--state redis://...``), in-process: every stateful route answers as on
SQLite (checked against the contract), an admin reset forgets only this mock's keys, and a bad or
unreachable ``--state`` URL is a clear error naming the option."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest

from mockserver.state.interface import StateUnavailable
from mockserver.state.location import parse_target
from mockserver.state.redis import RedisStore, scripts
from tests.support import ContractClient
from tests.support.constants import ROOT
from tests.support.redis_server import redis_server as start_redis_server
from tests.support.servers import free_port

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}


@pytest.fixture
def api(redis_server):
    prefix = uuid.uuid4().hex[:12]
    url = redis_server.url(prefix=prefix)
    client = ContractClient("async", state_url=url, job_seconds=10, job_failure_rate=0.0, admin="any")
    yield client
    client.store.reset()
    client.close()
    client.store.close()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_keys_wallets_jobs_generations_and_oauth_clients_on_redis(api):
    assert isinstance(api.store, RedisStore)
    key = api.post("/v1/management/keys", json={"name": "fleet"}).json()["key"]
    own = _bearer(key["key"])
    chat = api.post("/v1/chat/completions", json=CHAT, auth=own).json()
    cost = chat["usage"]["pricing"]["total_nanos"]
    credits = api.get("/v1/credits", auth=own).json()["credits"]
    assert credits["remaining"] == 100_000_000_000 - cost and credits["thirty_day_requests"] == 1
    record = api.get(f"/v1/generations?id={chat['id']}", auth=own).json()
    assert record["request_id"] == chat["id"] and record["key_id"] == key["id"]
    assert api.get("/v1/activity", auth=own).json()["total"] == 1
    video = api.post("/v1/videos", json={"model": "openai/sora-2", "prompt": "x"}).json()
    statuses = []
    for _ in range(4):
        api.clock.advance(4)
        statuses.append(api.get(f"/v1/videos/{video['id']}").json()["status"])
    assert statuses == ["in_progress", "in_progress", "completed", "completed"]
    api.patch(f"/v1/management/keys/{key['id']}", json={"status": "disabled"})
    assert api.get("/v1/credits", auth=own).json()["reason"] == "key_not_found_or_revoked"
    made = api.post("/v1/oauth-clients", json={"name": "app", "redirect_uris": ["https://a.example/cb"]})
    assert made.status_code == 201
    assert api.get(f"/v1/oauth-clients/{made.json()['client_id']}").json()["name"] == "app"
    assert api.get("/v1/health").json()["status"] == "ok"


def test_admin_reset_forgets_this_mock_only(api, redis_server):
    neighbour = redis_server.client()
    neighbour.set("someone-else:data", "kept")
    other = RedisStore.open(redis_server.url(prefix="neighbour-" + uuid.uuid4().hex[:6]))
    other.ledger.debit("team_mock", 5, None, other.now_ms())
    key = api.post("/v1/management/keys", json={"name": "gone"}).json()["key"]
    api.post("/v1/chat/completions", json=CHAT)
    assert api.client.post("/__mock/reset").status_code == 200
    assert api.get("/v1/credits").json()["credits"]["remaining"] == 100_000_000_000
    assert api.get("/v1/credits", auth=_bearer(key["key"])).status_code == 200, "forgotten: an unminted key again"
    assert neighbour.get("someone-else:data") == "kept"
    assert other.ledger.balance("team_mock") == 100_000_000_000 - 5
    other.reset()
    other.close()
    neighbour.delete("someone-else:data")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://127.0.0.1:x/0", "the port must be a number"),
        ("redis:///0", "no host"),
        ("redis://127.0.0.1:6379/zero", "the database must be a number"),
        ("redis://127.0.0.1:6379/0?prefix=a*b", "prefix must be"),
        ("http://127.0.0.1:6379/0", "the scheme must be one of"),
    ],
)
def test_malformed_urls_are_refused_naming_the_option(url, says):
    with pytest.raises(StateUnavailable, match=f"^--state .*{says}"):
        parse_target(url)


def test_prefixes_keep_mocks_apart():
    assert parse_target("redis://h:1/2").prefix == "aistats-mock:default:"
    target = parse_target("redis://:secret@h:1/2?prefix=ci-42&socket_timeout=3")
    assert target.prefix == "aistats-mock:ci-42:" and target.url == "redis://:secret@h:1/2?socket_timeout=3"
    socket = parse_target("unix:///run/redis.sock?db=1&prefix=x")
    assert (socket.url, socket.prefix) == ("unix:///run/redis.sock?db=1", "aistats-mock:x:")


def test_unreachable_redis_is_a_start_up_error_naming_the_option():
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(StateUnavailable, match=r"^--state redis://:\*\*\*@127\.0\.0\.1:\d+/0: cannot use Redis"):
        RedisStore.open(url)
    for state, says in ((url, "cannot use Redis there"), ("redis://h:x/0", "argument --state")):
        done = subprocess.run(
            [sys.executable, "-m", "mockserver.cli", "serve", "--port", "0", "--state", state],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
        assert "hunter2" not in done.stderr


def test_state_survives_a_restart_of_a_persistent_redis():
    with start_redis_server(persist=True) as server:
        store = RedisStore.open(server.url(prefix="durable"))
        row, plaintext = store.keys.create("team_d", "durable", store.now_ms())
        store.ledger.debit("team_d", 123, None, store.now_ms())
        server.restart()
        assert store.keys.check(row["kid"], plaintext.rsplit("_", 1)[1]).verdict == "active"
        assert store.ledger.balance("team_d") == 100_000_000_000 - 123
        store.close()


def test_a_retried_debit_or_key_creation_applies_once(redis_server):
    """redis-py resends a command whose reply was lost; each debit carries a token, so the resent
    script does nothing, and a key creation resent with the same kid and id finds its own row."""
    store = RedisStore.open(redis_server.url(prefix="retry-" + uuid.uuid4().hex[:6]))
    debit = store.space.script(scripts.DEBIT)
    args = store.ledger.charge_args("team_r", 700, store.now_ms())
    assert debit(*args, "token-1") == 1 and debit(*args, "token-1") == 0
    settle = store.space.script(scripts.SETTLE)
    record = {"request_id": "G-r", "team_id": "team_r", "cost_nanos": 300}
    settle_args = [*store.ledger.charge_args("team_r", 300, store.now_ms()), "G-r", json.dumps(record), 60_000]
    assert settle(*settle_args, "token-2") == 1 and settle(*settle_args, "token-2") == 0
    assert store.ledger.balance("team_r") == 100_000_000_000 - 1_000
    assert store.ledger.spend_since("team_r", 0) == 1_000 and store.ledger.requests_since("team_r", 0) == 1
    create = store.space.script(scripts.CREATE_KEY)
    fields = ["id", "key-1", "kid", "kid1", "team_id", "team_r", "name", "k", "status", "active", "created_ms", "1"]
    assert create("kid1", "key-1", "team_r", 1, *fields) == 1 and create("kid1", "key-1", "team_r", 1, *fields) == 1
    assert create("kid1", "key-2", "team_r", 1, *fields) == 0, "another key never takes a kid"
    assert store.keys.page("team_r", 10, 0)[0] == 1
    store.reset()
    store.close()


def test_a_lost_redis_is_a_quick_500_and_the_mock_recovers_when_it_returns():
    with start_redis_server(persist=True) as server:
        api = ContractClient("async", state_url=server.url(prefix="outage"), admin="any")
        try:
            assert api.post("/v1/chat/completions", json=CHAT).status_code == 200
            server.stop()
            started = time.monotonic()
            lost = api.post("/v1/chat/completions", json=CHAT)
            assert lost.status_code == 500 and lost.json()["description"] == "gateway_context_failed"
            assert time.monotonic() - started < 10
            journal = api.client.get("/__mock/journal")  # the fleet's journal is on the lost Redis too
            assert journal.status_code == 503 and journal.json()["error"] == "state_unavailable"
            media = api.client.get("/__mock/media/img_x.png")
            assert media.status_code == 503 and "media store" in media.json()["message"]
            server.start()
            assert api.post("/v1/chat/completions", json=CHAT).status_code == 200
            assert api.get("/v1/credits").json()["credits"]["thirty_day_requests"] == 2
            assert api.client.get("/__mock/journal").status_code == 200
        finally:
            api.close()
            api.store.close()
