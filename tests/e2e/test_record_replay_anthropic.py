"""Record an Anthropic Messages exchange through the anthropic SDK, then replay it offline.

As tests/e2e/test_record_replay.py does for the openai SDK: a mock in a thread stands in
for the real gateway, a second mock records (``--record DIR --upstream URL --upstream-key``);
with the upstream stopped, a third answers from the cassettes only (``--replay-miss error``,
so nothing is synthesized), and the SDK, unmodified, gets the same message, plain and
streamed, event for event. No cassette holds a key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from tests.support import FAST, KEY, live_server

UPSTREAM_KEY = "aistats_v1_sk_rec.upstream_AnthR0picUpstr3am"
#: What the SDK sends as ``x-api-key`` (the gateway reads the Bearer key; neither may be recorded).
SDK_KEY = "sk-ant-sdk-N0tT0BeRec0rded"
MODEL = "anthropic/claude-sonnet-4.5"
PLAIN = {"model": MODEL, "max_tokens": 60, "messages": [{"role": "user", "content": "Hello, Claude"}]}
STREAMED = {
    "model": MODEL,
    "max_tokens": 60,
    "system": "You are terse.",
    "messages": [{"role": "user", "content": "Stream a short answer"}],
}


def _sdk_calls(origin: str) -> dict[str, Any]:
    """What the SDK gives back: the plain message, the raw stream events, and the stream
    helper's text and final message."""
    with anthropic.Anthropic(
        api_key=SDK_KEY,
        base_url=origin,
        max_retries=0,
        timeout=20,
        default_headers={"Authorization": f"Bearer {KEY}"},
    ) as client:
        plain = client.messages.create(**PLAIN)
        events = [event.model_dump() for event in client.messages.create(**STREAMED, stream=True)]
        with client.messages.stream(**{**STREAMED, "max_tokens": 40}) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
    return {"plain": plain.model_dump(), "events": events, "text": text, "final": final.model_dump()}


@pytest.fixture(scope="module")
def exchanges(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("anthropic-cassettes")
    with (
        live_server(seed=11, **FAST) as upstream,
        live_server(record_dir=directory, upstream_url=upstream + "/v1", upstream_key=UPSTREAM_KEY, **FAST) as rec,
    ):
        recorded = _sdk_calls(rec)
        journal = httpx.get(rec + "/__mock/requests").json()["requests"]
    with live_server(replay_dir=directory, replay_miss="error", **FAST) as replay:  # the upstream is gone
        replayed = _sdk_calls(replay)
        replay_journal = httpx.get(replay + "/__mock/requests").json()["requests"]
    return {
        "dir": directory,
        "recorded": recorded,
        "replayed": replayed,
        "journal": journal,
        "replay_journal": replay_journal,
    }


def test_the_sdk_got_real_messages_while_recording(exchanges: dict[str, Any]) -> None:
    recorded = exchanges["recorded"]
    assert recorded["plain"]["type"] == "message" and recorded["plain"]["content"][0]["text"]
    kinds = [event["type"] for event in recorded["events"]]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop" and "content_block_delta" in kinds
    assert recorded["text"] and recorded["final"]["content"][0]["text"] == recorded["text"]
    assert [entry["scenario"] for entry in exchanges["journal"]] == ["forwarded"] * 3


def test_the_replay_gives_the_sdk_identical_results(exchanges: dict[str, Any]) -> None:
    assert exchanges["replayed"] == exchanges["recorded"]
    journal = exchanges["replay_journal"]
    assert [entry["scenario"] for entry in journal] == ["replayed"] * 3
    assert [entry["cassette"] for entry in journal] == [entry["cassette"] for entry in exchanges["journal"]]


def test_no_cassette_holds_a_key(exchanges: dict[str, Any]) -> None:
    files = sorted(Path(exchanges["dir"]).glob("*.json"))
    streams = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        for forbidden in (KEY, UPSTREAM_KEY, SDK_KEY, "Bearer", "authorization", "Authorization", "x-api-key"):
            assert forbidden not in text, (path.name, forbidden)
        cassette = json.loads(text)
        assert cassette["operation"] == "createAnthropicMessage"
        streams += "frames" in cassette["response"]
    assert (len(files), streams) == (3, 2)  # the plain message, and two streams recorded frame by frame
