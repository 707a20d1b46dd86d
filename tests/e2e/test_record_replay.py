"""Record a conversation through a recording mock whose upstream is a second mock, then replay it.

The upstream (a mock in a thread) stands in for the real gateway; the recording mock is
``aistats-mock serve --record DIR --upstream URL --upstream-key KEY`` as a process. With the
upstream stopped, ``aistats-mock serve --replay DIR`` must give the client byte-identical
bodies, the same stream frames and the headers it reads, to raw HTTP and to the openai SDK
unmodified; and no cassette may hold a key or an ``Authorization`` header.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from openai import OpenAI

from tests.support import FAST, KEY, live_server, mock_process

#: The key the recording mock sends upstream instead of the client's (its team is team_rec).
UPSTREAM_KEY = "aistats_v1_sk_rec.upstream_UpStr3amS3cret"
CLIENT = {"Authorization": f"Bearer {KEY}"}
CONVERSATION: list[tuple[str, str, dict[str, Any]]] = [
    ("chat", "/chat/completions", {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi"}]}),
    (
        "chat streamed",
        "/chat/completions",
        {"model": "openai/gpt-5-nano", "stream": True, "messages": [{"role": "user", "content": "Stream it"}]},
    ),
    (
        "messages",
        "/messages",
        {"model": "anthropic/claude-sonnet-4.5", "max_tokens": 60, "messages": [{"role": "user", "content": "Hey"}]},
    ),
    (
        "messages streamed",
        "/messages",
        {
            "model": "anthropic/claude-sonnet-4.5",
            "max_tokens": 60,
            "stream": True,
            "messages": [{"role": "user", "content": "Stream"}],
        },
    ),
    ("embeddings", "/embeddings", {"model": "openai/text-embedding-3-small", "input": ["one", "two"]}),
    ("responses", "/responses", {"model": "openai/gpt-5-nano", "input": "Tell me something"}),
    ("responses streamed", "/responses", {"model": "openai/gpt-5-nano", "input": "Stream me", "stream": True}),
    # asked twice: the second answer (a new generation upstream) is the second recording
    (
        "chat again",
        "/chat/completions",
        {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi"}]},
    ),
]
PACED = {
    "model": "openai/gpt-5-nano",
    "stream": True,
    "max_tokens": 24,
    "messages": [{"role": "user", "content": "Slow"}],
}
PACE_HEADERS = {"X-Mock-TTFT-Ms": "150", "X-Mock-Tokens-Per-Second": "40"}
#: Headers the transport sets on every answer, whoever serves it.
TRANSPORT = {"date", "server", "content-length", "transfer-encoding"}


def _frames(content: bytes) -> list[bytes]:
    return [frame + b"\n\n" for frame in content.split(b"\n\n") if frame]


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in TRANSPORT}


def _timed_stream(client: httpx.Client, url: str) -> tuple[bytes, float, float]:
    """The stream's bytes, when its first chunk arrived and when it ended (seconds)."""
    started = time.monotonic()
    first = None
    body = b""
    with client.stream("POST", url, json=PACED, headers={**CLIENT, **PACE_HEADERS}) as answer:
        for chunk in answer.iter_raw():
            first = first if first is not None else time.monotonic() - started
            body += chunk
    return body, first or 0.0, time.monotonic() - started


def _sdk_calls(base_url: str) -> dict[str, Any]:
    with OpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client:
        return _ask_with_the_sdk(client)


def _ask_with_the_sdk(client: OpenAI) -> dict[str, Any]:
    plain = client.chat.completions.create(
        model="openai/gpt-5-nano", messages=[{"role": "user", "content": "From the SDK"}]
    )
    streamed = client.chat.completions.create(
        model="openai/gpt-5-nano", messages=[{"role": "user", "content": "SDK stream"}], stream=True
    )
    pieces = [chunk.choices[0].delta.content or "" for chunk in streamed if chunk.choices and chunk.choices[0].delta]
    embedded = client.embeddings.create(model="openai/text-embedding-3-small", input="vector")
    return {"plain": plain.model_dump(), "streamed": "".join(pieces), "embedding": embedded.data[0].embedding}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Everything the client saw while recording, and what the recording mock did without upstream."""
    directory = tmp_path_factory.mktemp("cassettes")
    seen: dict[str, Any] = {"dir": directory}
    with live_server(seed=7, **FAST) as upstream:
        args = ("--record", str(directory), "--upstream", upstream + "/v1", "--upstream-key", UPSTREAM_KEY)
        with mock_process(*args, "--upstream-timeout", "1") as base_url, httpx.Client(timeout=30) as client:
            seen["answers"] = [
                client.post(base_url + path, json=body, headers=CLIENT) for _, path, body in CONVERSATION
            ]
            seen["sdk"] = _sdk_calls(base_url)
            seen["paced"] = _timed_stream(client, base_url + "/chat/completions")
            seen["journal"] = client.get(base_url.removesuffix("/v1") + "/__mock/requests").json()["requests"]
            files_before = sorted(directory.iterdir())
            started = time.monotonic()
            slow = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "too slow"}]}
            seen["timeout"] = client.post(
                base_url + "/chat/completions", json=slow, headers={**CLIENT, "X-Mock-Latency-Ms": "4000"}
            )
            seen["timeout_s"] = time.monotonic() - started
            seen["timeout_files"] = sorted(directory.iterdir()) == files_before
            seen["upstream_credits"] = {
                key: client.get(upstream + "/v1/credits", headers={"Authorization": f"Bearer {key}"}).json()
                for key in (KEY, UPSTREAM_KEY)
            }
    # the upstream has stopped: its address now refuses connections
    with live_server(record_dir=directory / "unreachable", upstream_url=upstream + "/v1", **FAST) as origin:
        started = time.monotonic()
        seen["unreachable"] = httpx.post(origin + "/v1/chat/completions", json=CONVERSATION[0][2], headers=CLIENT)
        seen["unreachable_s"] = time.monotonic() - started
    shutil.rmtree(directory / "unreachable")
    return seen


def test_the_client_gets_the_upstream_answers_while_recording(recording: dict[str, Any]):
    for (label, _, _), answer in zip(CONVERSATION, recording["answers"], strict=True):
        assert answer.status_code == 200, (label, answer.text)
    assert recording["answers"][0].content != recording["answers"][-1].content  # two generations upstream
    entries = [e for e in recording["journal"] if e["operation_id"]]
    assert all(e["scenario"] == "forwarded" and e["cassette"] for e in entries)
    assert len({e["cassette"] for e in entries}) == len(entries)


def test_the_upstream_key_replaces_the_clients(recording: dict[str, Any]):
    credits = recording["upstream_credits"]
    assert credits[UPSTREAM_KEY]["credits"]["remaining"] < 100_000_000_000  # the upstream key's team paid
    assert credits[KEY]["credits"]["remaining"] == 100_000_000_000  # the client's team was never charged


def test_streams_pass_through_as_they_arrive(recording: dict[str, Any]):
    body, first, total = recording["paced"]
    assert body.endswith(b"\n\n") and len(_frames(body)) > 5
    assert total > 0.45, total  # 150 ms to the first token, then 24 tokens at 40/s
    assert first < total * 0.6, (first, total)  # the first frame came long before the last


def test_no_cassette_holds_a_key_or_an_authorization_header(recording: dict[str, Any]):
    files = sorted(recording["dir"].glob("*.json"))
    assert len(files) == len(CONVERSATION) + 3 + 1  # + the SDK's three calls + the paced stream
    for path in files:
        text = path.read_text(encoding="utf-8")
        for forbidden in (KEY, UPSTREAM_KEY, "s3cr3t", "UpStr3am", "Authorization", "authorization", "Bearer"):
            assert forbidden not in text, (path.name, forbidden)
        json.loads(text)


def test_an_upstream_timeout_is_a_504_and_records_nothing(recording: dict[str, Any]):
    answer = recording["timeout"]
    assert answer.status_code == 504, answer.text
    assert "upstream-timeout" in answer.text and answer.json()["error"]
    assert recording["timeout_s"] < 3.5
    assert recording["timeout_files"]


def test_an_unreachable_upstream_is_a_502_in_the_envelope(recording: dict[str, Any]):
    answer = recording["unreachable"]
    assert answer.status_code == 502, answer.text
    assert answer.json()["error"] and "could not be reached" in answer.text
    assert recording["unreachable_s"] < 5


@pytest.fixture(scope="module")
def replaying(recording: dict[str, Any]):
    with mock_process("--replay", str(recording["dir"])) as base_url:
        yield base_url


def test_the_replay_is_byte_identical_frame_by_frame(recording: dict[str, Any], replaying: str):
    with httpx.Client(timeout=30) as client:
        for (label, path, body), recorded in zip(CONVERSATION, recording["answers"], strict=True):
            replayed = client.post(replaying + path, json=body, headers=CLIENT)
            assert replayed.status_code == recorded.status_code, label
            assert _headers(replayed) == _headers(recorded), label
            assert replayed.headers["content-type"] == recorded.headers["content-type"]
            if "streamed" in label:
                assert _frames(replayed.content) == _frames(recorded.content), label
            assert replayed.content == recorded.content, label
        journal = client.get(replaying.removesuffix("/v1") + "/__mock/requests").json()["requests"]
    assert [e["scenario"] for e in journal] == ["replayed"] * len(CONVERSATION)
    assert journal[0]["cassette"].endswith("-001") and journal[-1]["cassette"].endswith("-002")


def test_a_stream_replays_at_its_recorded_pace(recording: dict[str, Any], replaying: str):
    recorded_body, _, recorded_total = recording["paced"]
    with httpx.Client(timeout=30) as client:
        body, first, total = _timed_stream(client, replaying + "/chat/completions")
    assert body == recorded_body
    assert total > recorded_total * 0.6, (total, recorded_total)
    assert first < total * 0.6


def test_the_openai_sdk_runs_unmodified_against_the_replay(recording: dict[str, Any], replaying: str):
    assert _sdk_calls(replaying) == recording["sdk"]


def test_a_miss_is_synthesized_by_default(replaying: str):
    body = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "never recorded"}]}
    answer = httpx.post(replaying + "/chat/completions", json=body, headers=CLIENT, timeout=30)
    assert answer.status_code == 200 and answer.json()["object"] == "chat.completion"
    entry = httpx.get(replaying.removesuffix("/v1") + "/__mock/requests").json()["requests"][-1]
    assert entry["cassette"] is None and entry["scenario"] != "replayed"


def test_a_miss_is_a_400_naming_the_closest_cassette_in_error_mode(recording: dict[str, Any]):
    with live_server(replay_dir=recording["dir"], replay_miss="error", **FAST) as origin:
        body = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hi!"}]}
        answer = httpx.post(origin + "/v1/chat/completions", json=body, headers=CLIENT)
        recorded = httpx.post(origin + "/v1/chat/completions", json=CONVERSATION[0][2], headers=CLIENT)
    assert answer.status_code == 400 and answer.json()["error"]
    assert "no_recorded_answer" in answer.text and "body.messages[0].content" in answer.text
    first_chat = recording["journal"][0]["cassette"]
    assert first_chat in answer.text
    assert recorded.status_code == 200 and recorded.content == recording["answers"][0].content


def test_a_miss_is_forwarded_and_recorded_in_forward_mode(recording: dict[str, Any], tmp_path: Path):
    directory = tmp_path / "copy"
    shutil.copytree(recording["dir"], directory)
    before = len(list(directory.glob("*.json")))
    body = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "new question"}]}
    with (
        live_server(seed=7, **FAST) as upstream,
        live_server(replay_dir=directory, replay_miss="forward", upstream_url=upstream + "/v1", **FAST) as origin,
    ):
        first = httpx.post(origin + "/v1/chat/completions", json=body, headers=CLIENT)
        again = httpx.post(origin + "/v1/chat/completions", json=body, headers=CLIENT)
        recorded = httpx.post(origin + "/v1/chat/completions", json=CONVERSATION[0][2], headers=CLIENT)
        upstream_seen = httpx.get(upstream + "/__mock/requests/count").json()["count"]
        journal = httpx.get(origin + "/__mock/requests").json()["requests"]
    assert first.status_code == 200 and again.content == first.content
    assert recorded.content == recording["answers"][0].content
    assert upstream_seen == 1  # only the miss went upstream
    assert [e["scenario"] for e in journal] == ["forwarded", "replayed", "replayed"]
    assert journal[0]["cassette"] == journal[1]["cassette"]
    assert len(list(directory.glob("*.json"))) == before + 1
    assert (directory / f"{journal[0]['cassette']}.json").is_file()


def test_an_upstream_that_breaks_off_mid_stream_breaks_the_clients_stream_and_records_nothing(tmp_path: Path):
    directory = tmp_path / "broken"
    body = {**PACED, "messages": [{"role": "user", "content": "break"}]}
    with (
        live_server(**FAST) as upstream,
        live_server(record_dir=directory, upstream_url=upstream + "/v1", **FAST) as origin,
        httpx.Client(timeout=10) as client,
    ):
        received = b""
        headers = {**CLIENT, "X-Mock-Scenario": "connection_reset; after=3"}
        with (
            pytest.raises(httpx.RemoteProtocolError),  # the connection is dropped, not ended cleanly
            client.stream("POST", origin + "/v1/chat/completions", json=body, headers=headers) as answer,
        ):
            assert answer.status_code == 200
            for chunk in answer.iter_raw():
                received += chunk
        entry = client.get(origin + "/__mock/requests").json()["requests"][-1]
    assert received.count(b"\n\n") == 3  # what the upstream sent before it broke off
    assert list(directory.iterdir()) == []
    assert entry["scenario"] == "upstream_broke_off" and entry["cassette"] is None
