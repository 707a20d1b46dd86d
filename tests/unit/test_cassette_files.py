"""Cassette files: the format (hand-written too), clear errors, matching with repeats, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.cli import build_parser
from mockserver.recording.cassette import CassetteError, load_cassette, parse_cassette
from mockserver.recording.library import CassetteLibrary, load_directory
from mockserver.recording.normalize import normalize_request
from mockserver.recording.recorder import CassetteRecorder, Exchange

CHAT = "/v1/chat/completions"


def _request(content: str, **extra: object) -> dict:
    body = json.dumps({"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": content}], **extra})
    return normalize_request("POST", CHAT, {}, "application/json", body.encode(), ())


def _cassette(name: str, content: str, answer: str, repeat: int = 1) -> dict:
    return {
        "name": name,
        "repeat": repeat,
        "request": {
            "method": "POST",
            "path": CHAT,
            # a hand-written body: any key order, ids of any value
            "body": {"messages": [{"content": content, "role": "user"}], "model": "openai/gpt-5-nano"},
        },
        "response": {"status": 200, "json": {"answer": answer}},
    }


def test_a_hand_written_yaml_cassette(tmp_path: Path):
    (tmp_path / "hello.yaml").write_text(
        "request:\n"
        "  method: post\n"
        f"  path: {CHAT}\n"
        "  body: {model: openai/gpt-5-nano, messages: [{role: user, content: Hello}]}\n"
        "response:\n"
        "  headers: {Content-Type: application/json, X-Request-Id: req_1}\n"
        "  body: '{\"ok\": true}'\n",
        encoding="utf-8",
    )
    [cassette] = load_directory(tmp_path)
    assert cassette.name == "hello" and cassette.status == 200 and cassette.repeat == 1
    assert cassette.body == b'{"ok": true}'
    assert cassette.headers == {"content-type": "application/json", "x-request-id": "req_1"}
    assert CassetteLibrary([cassette]).take(_request("Hello")) is cassette


def test_frames_and_scripted_replies_by_hand():
    streamed = parse_cassette(
        {
            "request": {"method": "POST", "path": CHAT},
            "response": {"headers": {"content-type": "text/event-stream"}, "frames": ["data: 1\n\n", {"data": "x"}]},
        },
        default_name="s",
    )
    assert streamed.frames is not None and [f.data for f in streamed.frames] == [b"data: 1\n\n", b"x"]
    scripted = parse_cassette(
        {"request": {"method": "POST", "path": CHAT}, "response": {"reply": {"text": "Hi there"}}}, default_name="r"
    )
    assert scripted.script is not None and getattr(scripted.script, "text", None) == "Hi there"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("[1, 2]", "a cassette must be a mapping"),
        ("request: {method: POST, path: /v1/x}\n", "response is missing"),
        ("request: {method: POST}\nresponse: {}\n", "request.path"),
        ("request: {method: POST, path: v1/x}\nresponse: {}\n", "request.path must start with '/'"),
        ("request: {method: POST, path: /v1/x}\nresponse: {status: 99}\n", "response.status"),
        ("request: {method: POST, path: /v1/x}\nresponse: {body: 1}\n", "response.body"),
        ("request: {method: POST, path: /v1/x}\nresponse: {body: a, json: 1}\n", "response has body and json"),
        ("request: {method: POST, path: /v1/x}\nresponse: {frames: [{at_ms: -1, data: a}]}\n", "frames[0].at_ms"),
        ("request: {method: POST, path: /v1/x}\nresponse: {reply: {text: 1}}\n", "text must be a string"),
        ("request: {method: POST, path: /v1/x, hdrs: 1}\nresponse: {}\n", "request has unknown keys ['hdrs']"),
        ("request: {method: POST, path: /v1/x}\nresponse: {body_base64: '!!'}\n", "body_base64"),
        ("cassette: 7\nrequest: {method: POST, path: /v1/x}\nresponse: {}\n", "format version 7"),
        ("request: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_malformed_cassette_names_the_file_and_the_field(tmp_path: Path, content: str, named: str):
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CassetteError) as caught:
        load_cassette(path)
    assert str(path) in str(caught.value) and named in str(caught.value)


def test_serve_refuses_to_start_on_a_malformed_cassette_with_a_clear_message(tmp_path: Path, capsys):
    (tmp_path / "good.json").write_text(json.dumps(_cassette("good", "hi", "ok")), encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"request": {"method": "POST", "path": "/v1/x"}, "response": {"status": "ok"}}')
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", "--replay", str(tmp_path)])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "bad.json" in error and "response.status" in error and "Traceback" not in error


def test_two_cassettes_with_one_name_are_refused(tmp_path: Path):
    for stem in ("a", "b"):
        (tmp_path / f"{stem}.json").write_text(json.dumps(_cassette("same", stem, stem)), encoding="utf-8")
    with pytest.raises(CassetteError, match="name 'same' is also the name of"):
        load_directory(tmp_path)


def test_repeats_are_served_in_order_then_the_last_again_and_reset_starts_over():
    library = CassetteLibrary(
        [parse_cassette(_cassette(f"r{n}", "again", f"answer {n}", repeat=n), default_name="x") for n in (2, 1, 3)]
    )
    library.add(parse_cassette(_cassette("other", "different", "x"), default_name="x"))
    served = [library.take(_request("again")) for _ in range(5)]
    assert [c.name if c else None for c in served] == ["r1", "r2", "r3", "r3", "r3"]
    library.reset()
    first = library.take(_request("again"))
    assert first is not None and first.name == "r1"
    assert library.take(_request("never recorded")) is None


def test_the_closest_cassette_to_a_miss_and_where_it_differs():
    library = CassetteLibrary([parse_cassette(_cassette("greet", "Hello there", "hi"), default_name="x")])
    library.add(parse_cassette(_cassette("bye", "Goodbye now", "bye"), default_name="x"))
    found = library.closest(_request("Hello there!"))
    assert found is not None and found[0].name == "greet" and found[1] == "body.messages[0].content"


def test_the_recorder_names_numbers_and_writes_atomically(tmp_path: Path):
    recorder = CassetteRecorder(tmp_path / "new")
    names = []
    for _ in range(2):
        exchange = Exchange("createChatCompletion", _request("hi"), secrets=("aistats_v1_sk_a_secretsecret",))
        exchange.respond(200, [("Content-Type", "text/event-stream"), ("Set-Cookie", "s=1"), ("Date", "now")])
        exchange.feed(b'data: {"a": 1}\n\ndata: {"key": "aistats_v1_sk_a_secretsecret"}', 10.0)
        exchange.feed(b"\n\ndata: [DONE]\n\n", 25.5)
        names.append(recorder.write(exchange.finish(30.0)).name)
    assert names[0].startswith("createChatCompletion-") and names[0].endswith("-001.json")
    assert names[1] == names[0].replace("-001.json", "-002.json")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == sorted(names)  # no temporary file left
    cassette = load_cassette(tmp_path / "new" / names[0])
    assert cassette.headers == {"content-type": "text/event-stream"}
    assert cassette.frames is not None
    assert [(f.data, f.at_ms) for f in cassette.frames] == [
        (b'data: {"a": 1}\n\n', 10.0),
        (b'data: {"key": "[redacted]"}\n\n', 25.5),
        (b"data: [DONE]\n\n", 25.5),
    ]
    # a recorder started later on the same directory continues the numbering: nothing is overwritten
    later = CassetteRecorder(tmp_path / "new")
    exchange = Exchange("createChatCompletion", _request("hi"))
    exchange.respond(200, [("content-type", "application/json")])
    exchange.feed(b"{}", 1.0)
    assert later.write(exchange.finish(1.0)).name.endswith("-003.json")


def test_the_fixture_marker_options_become_settings(tmp_path: Path):
    from mockserver.testing import replay_settings

    settings = replay_settings({"replay": "cassettes", "miss": "error"}, tmp_path)
    assert settings == {"replay_dir": (tmp_path / "cassettes").resolve(), "replay_miss": "error"}
    with pytest.raises(ValueError, match="replay=DIR"):
        replay_settings({"replay": "x", "speed": 1}, tmp_path)
    with pytest.raises(ValueError, match="needs an upstream"):
        replay_settings({"replay": "x", "miss": "forward"}, tmp_path)


def test_a_json_answer_is_kept_as_a_readable_value_that_gives_its_bytes_back(tmp_path: Path):
    recorder = CassetteRecorder(tmp_path)
    request = normalize_request("POST", "/v1/embeddings", {}, "application/json", b'{"input":"x","scale":1e-06}', ())
    compact = b'{"data":[{"embedding":[1e-6,0.25,-3.5e-9]}],"usage":{"prompt_tokens":1},"note":"caf\xc3\xa9"}'
    spaced = b'{"a": 1}'
    paths = []
    for body in (compact, spaced):
        exchange = Exchange("createEmbedding", request)
        exchange.respond(200, [("content-type", "application/json")])
        exchange.feed(body, 1.0)
        paths.append(recorder.write(exchange.finish(1.0)))
    stored = [json.loads(path.read_text(encoding="utf-8"))["response"] for path in paths]
    assert stored[0]["json"]["data"][0]["embedding"] == [1e-6, 0.25, -3.5e-9] and "body" not in stored[0]
    assert stored[1]["body"] == '{"a": 1}' and "json" not in stored[1]  # not the mock's own layout: kept as text
    loaded = [load_cassette(path) for path in paths]
    assert [c.body for c in loaded] == [compact, spaced]
    # the request's 1e-06 is read back as a number (YAML would read a string) and still matches
    library = CassetteLibrary(load_directory(tmp_path))
    taken = library.take(request)
    assert taken is not None and taken.body == compact
