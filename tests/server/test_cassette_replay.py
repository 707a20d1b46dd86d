"""Answers from cassettes, in-process: hand-written ones, the journal, misses, pace, reset."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support import AUTH, make_client

CHAT = "/v1/chat/completions"
HELLO = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello"}]}


def _write(directory: Path, name: str, data: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def cassettes(tmp_path: Path) -> Path:
    directory = tmp_path / "cassettes"
    request = {"method": "POST", "path": CHAT, "body": HELLO}
    answer = '{"id":"G-1","object":"chat.completion","choices":[]}'
    for repeat, text in ((1, answer), (2, answer.replace("G-1", "G-2"))):
        _write(
            directory,
            f"hello-{repeat}",
            {
                "repeat": repeat,
                "request": request,
                "response": {
                    "status": 200,
                    "headers": {"content-type": "application/json", "x-request-id": "r1"},
                    "body": text,
                },
            },
        )
    frames = [{"at_ms": 0, "data": 'data: {"n":1}\n\n'}, {"at_ms": 300, "data": "data: [DONE]\n\n"}]
    _write(
        directory,
        "hello-stream",
        {
            "request": {"method": "POST", "path": CHAT, "body": {**HELLO, "stream": True}},
            "response": {"headers": {"content-type": "text/event-stream"}, "frames": frames},
        },
    )
    _write(
        directory,
        "scripted",
        {
            "request": {
                "method": "POST",
                "path": CHAT,
                "body": {**HELLO, "messages": [{"role": "user", "content": "Script"}]},
            },
            "response": {"reply": {"text": "Scripted from a cassette."}},
        },
    )
    return directory


def test_a_hand_written_cassette_is_served_byte_for_byte_and_journaled(cassettes: Path):
    with make_client(admin="any", replay_dir=cassettes) as client:
        first = client.post(CHAT, headers=AUTH, json=HELLO)
        second = client.post(CHAT, headers=AUTH, json=dict(reversed(list(HELLO.items()))))  # any key order
        third = client.post(CHAT, headers=AUTH, json=HELLO)
        assert first.status_code == 200 and first.content == b'{"id":"G-1","object":"chat.completion","choices":[]}'
        assert first.headers["content-type"] == "application/json" and first.headers["x-request-id"] == "r1"
        assert json.loads(second.content)["id"] == "G-2" and json.loads(third.content)["id"] == "G-2"
        sent = client.get("/__mock/requests", params={"operation": "createChatCompletion"}).json()["requests"]
        assert [(e["scenario"], e["cassette"]) for e in sent] == [("replayed", f"hello-{n}") for n in (1, 2, 2)]
        client.post("/__mock/reset")
        assert json.loads(client.post(CHAT, headers=AUTH, json=HELLO).content)["id"] == "G-1"


def test_a_scripted_reply_in_a_cassette_is_generated_with_usage(cassettes: Path):
    with make_client(admin="any", replay_dir=cassettes) as client:
        body = {**HELLO, "messages": [{"role": "user", "content": "Script"}]}
        answer = client.post(CHAT, headers=AUTH, json=body).json()
        assert answer["choices"][0]["message"]["content"] == "Scripted from a cassette."
        assert answer["usage"]["completion_tokens"] > 0
        [entry] = client.get("/__mock/requests").json()["requests"]
        assert entry["cassette"] == "scripted"


def test_streams_replay_at_the_recorded_pace_or_the_configured_one(cassettes: Path):
    streamed = {**HELLO, "stream": True}

    def timed(client) -> tuple[bytes, float]:
        client.post(CHAT, headers=AUTH, json=HELLO)  # warm up: the first request compiles the validators
        started = time.monotonic()
        answer = client.post(CHAT, headers=AUTH, json=streamed)
        assert answer.headers["content-type"].startswith("text/event-stream")
        return answer.content, time.monotonic() - started

    with make_client(admin="any", replay_dir=cassettes) as client:
        content, recorded_s = timed(client)
    assert content == b'data: {"n":1}\n\ndata: [DONE]\n\n'
    assert recorded_s >= 0.29  # the second frame was recorded 300 ms after the first
    configured = dict(replay_pace="configured", ttft_ms=700, tokens_per_second=0)
    with make_client(admin="any", replay_dir=cassettes, **configured) as client:
        again, configured_s = timed(client)
    assert again == content
    assert configured_s >= 0.69  # the mock's own time to first token instead


def test_a_miss_is_synthesized_by_default(cassettes: Path):
    with make_client(admin="any", replay_dir=cassettes) as client:
        other = {**HELLO, "messages": [{"role": "user", "content": "Not recorded"}]}
        answer = client.post(CHAT, headers={**AUTH, "X-Mock-TTFT-Ms": "0"}, json=other)
        assert answer.status_code == 200 and answer.json()["object"] == "chat.completion"
        [entry] = client.get("/__mock/requests").json()["requests"]
        assert entry["cassette"] is None


def test_a_miss_is_a_clear_400_naming_the_closest_cassette_in_error_mode(cassettes: Path):
    with make_client(admin="any", replay_dir=cassettes, replay_miss="error") as client:
        other = {**HELLO, "messages": [{"role": "user", "content": "Hellx"}]}
        answer = client.post(CHAT, headers=AUTH, json=other)
        assert answer.status_code == 400
        error = answer.json()["error"]
        text = json.dumps(answer.json())
        assert "no_recorded_answer" in text and "hello-1" in text and "body.messages[0].content" in text, error
        embed = client.post(
            "/v1/embeddings", headers=AUTH, json={"model": "openai/text-embedding-3-small", "input": "x"}
        )
        assert embed.status_code == 400 and "no_recorded_answer" in embed.text


def test_the_verify_api_selects_requests_by_cassette(cassettes: Path):
    with make_client(admin="any", replay_dir=cassettes) as client:
        client.post(CHAT, headers=AUTH, json=HELLO)
        client.post(CHAT, headers=AUTH, json=HELLO)
        other = {**HELLO, "messages": [{"role": "user", "content": "Not recorded"}]}
        client.post(CHAT, headers={**AUTH, "X-Mock-TTFT-Ms": "0"}, json=other)

        def count(cassette: str) -> int:
            return client.get("/__mock/requests/count", params={"cassette": cassette}).json()["count"]

        assert (count("hello-1"), count("hello-2"), count("*"), count("-"), count("nope")) == (1, 1, 2, 1, 0)
