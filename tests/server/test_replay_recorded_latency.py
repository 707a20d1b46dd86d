"""A whole (non-streamed) recorded answer is replayed after the time the upstream took
(``elapsed_ms``) in ``--replay-pace recorded``, through the reply's initial delay."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from mockserver.model import MockRequest
from mockserver.pipeline.dispatcher import Dispatcher
from tests.support import AUTH, make_client, mock_app

CHAT = "/v1/chat/completions"
HELLO = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello"}]}
ANSWER = '{"id":"G-1","object":"chat.completion","choices":[]}'
ELAPSED_MS = 400.0


@pytest.fixture
def cassettes(tmp_path: Path) -> Path:
    cassette = {
        "request": {"method": "POST", "path": CHAT, "body": HELLO},
        "response": {"headers": {"content-type": "application/json"}, "body": ANSWER, "elapsed_ms": ELAPSED_MS},
    }
    (tmp_path / "slow.json").write_text(json.dumps(cassette), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("framework", ["async", "flask"])
def test_recorded_pace_waits_the_recorded_time(cassettes: Path, framework: str) -> None:
    with make_client(replay_dir=cassettes, replay_pace="recorded", framework=framework) as client:
        started = time.monotonic()
        answer = client.post(CHAT, headers=AUTH, json=HELLO)
        took = time.monotonic() - started
    assert answer.status_code == 200 and answer.content == ANSWER.encode()
    assert took >= ELAPSED_MS / 1000.0


@pytest.mark.parametrize(("pace", "delay"), [("recorded", ELAPSED_MS / 1000.0), ("configured", 0.0)])
def test_the_recorded_time_is_the_replys_delay(cassettes: Path, pace: str, delay: float) -> None:
    """The wait is the reply's ``delay`` (which the server sleeps off the event loop, as it
    does latency), in recorded pace only."""
    runtime = mock_app(replay_dir=cassettes, replay_pace=pace).runtime
    request = MockRequest(
        operation=runtime.index.operations["createChatCompletion"],
        method="POST",
        path=CHAT,
        body=HELLO,
        raw_body=json.dumps(HELLO).encode(),
        content_type="application/json",
    )
    reply = Dispatcher(runtime).handle(request)
    assert reply.outcome.cassette == "slow" and reply.delay == delay
