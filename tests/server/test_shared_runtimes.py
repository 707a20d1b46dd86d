"""Two apps built with ``workers=2`` on one state file, as two workers of ``serve --workers 2``
are (in-process, no sockets): the assembly gives them the shared journal, counters, rules and
media, and one app with one worker keeps everything in its own memory."""

from __future__ import annotations

import pytest

from mockserver.pipeline.sharing import sharing_for
from mockserver.scenarios.journal import Journal
from mockserver.scenarios.shared_journal import SharedJournal
from mockserver.settings import Settings
from mockserver.state.counters import MemoryCounters
from mockserver.state.media import MediaStore
from tests.support import AUTH, FAST, make_client

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi"}]}


@pytest.fixture
def pair(tmp_path):
    settings = {**FAST, "workers": 2, "state_path": tmp_path / "state.sqlite3", "launch_id": "test", "admin": "any"}
    return make_client(**settings), make_client(**settings)


def test_one_worker_keeps_every_piece_in_memory(tmp_path):
    alone = sharing_for(Settings.of(state_path=tmp_path / "state.sqlite3"))
    assert isinstance(alone.journal, Journal) and isinstance(alone.media, MediaStore)
    assert isinstance(alone.scenario_counters, MemoryCounters)
    assert isinstance(sharing_for(Settings.of(workers=2, state_path=tmp_path / "s")).journal, SharedJournal)


def test_rules_counts_journal_and_media_are_shared(pair):
    first, second = pair
    rule = {"name": "flaky", "path": "/v1/chat/completions", "times": 2, "status": 503}
    assert first.post("/__mock/rules", json=rule).status_code == 201
    statuses = [client.post("/v1/chat/completions", json=CHAT, headers=AUTH).status_code for client in pair * 2]
    assert statuses == [503, 503, 200, 200]
    assert second.get("/__mock/rules").json()["rules"][0]["calls"] == 4
    assert second.get("/__mock/journal").json()["count"] == 4
    made = first.post(
        "/v1/images/generations",
        json={"model": "openai/gpt-image-1", "prompt": "x", "response_format": "url"},
        headers=AUTH,
    ).json()
    assert second.get("/__mock/media/" + made["data"][0]["url"].rsplit("/", 1)[1]).status_code == 200
    second.delete("/__mock/rules?source=admin")
    assert first.get("/__mock/rules").json()["rules"] == []


def test_reset_on_one_reaches_the_other(pair):
    first, second = pair
    first.post("/__mock/replies", json={"name": "r", "reply": {"text": "scripted"}})
    assert second.post("/v1/chat/completions", json=CHAT, headers=AUTH).json()["choices"][0]["message"]["content"] == (
        "scripted"
    )
    assert second.post("/__mock/reset").status_code == 200
    assert first.get("/__mock/replies").json()["replies"] == []
    assert first.get("/__mock/journal").json()["count"] == 0


def test_identical_requests_get_distinct_generation_ids_across_apps(pair):
    ids = {client.post("/v1/chat/completions", json=CHAT, headers=AUTH).json()["id"] for client in pair * 2}
    assert len(ids) == 4
