"""bench/streams.py: its client-side arithmetic on a stream of known timing, and a run of a
handful of paced streams against a real server (seconds; only loose pacing bounds asserted)."""

from __future__ import annotations

import json

import pytest

from bench import streams


def _chunked(frames: list[bytes]) -> list[bytes]:
    return [f"{len(frame):x}\r\n".encode() + frame + b"\r\n" for frame in frames]


def _event(delta: str, usage: str = "") -> bytes:
    return f'data: {{"object":"chat.completion.chunk","choices":[{{"delta":{delta}}}]{usage}}}\n\n'.encode()


def test_measure_reads_ttft_and_rate_from_arrival_times():
    head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n"
    role, one, two = (
        _event('{"role":"assistant","content":""}'),
        _event('{"content":"Hi"}'),
        _event('{"content":" you"}'),
    )
    usage = _event("{}", ',"usage":{"completion_tokens":12,"completion_tokens_details":{"reasoning_tokens":2}}')
    first, second = _chunked([role]), _chunked([one, two])
    # The role chunk arrives split across two reads; the content events and the usage later.
    pieces = [
        (10.0, head),
        (10.2, first[0][:7]),
        (10.25, first[0][7:]),
        (10.5, second[0]),
        (11.25, second[1] + _chunked([usage])[0] + b"0\r\n\r\n"),
    ]
    timing = streams.measure(streams.Stream(sent_at=10.0, pieces=pieces))
    assert timing.ttft_ms == pytest.approx(250.0)
    assert timing.ttft_content_ms == pytest.approx(500.0)
    # 10 streamed tokens (12 minus 2 hidden reasoning) from the first event (10.25) to the last content (11.25).
    assert timing.tokens == 10
    assert timing.tokens_per_second == pytest.approx(10.0)


def test_measure_names_what_went_wrong():
    assert streams.measure(streams.Stream(error="deadline")) == "deadline"
    refused = streams.Stream(sent_at=0.0, pieces=[(0.1, b"HTTP/1.1 401 Unauthorized\r\n\r\n{}")])
    assert streams.measure(refused).startswith("status line")


def test_a_handful_of_paced_streams_run_end_to_end(tmp_path, capsys):
    summary_file = tmp_path / "streams.json"
    status = streams.main(
        [
            *("--streams", "4", "--ttft-ms", "100", "--tokens-per-second", "100"),
            *("--seconds", "0.5", "--ramp-seconds", "0.2", "--json", str(summary_file)),
        ]
    )
    assert status == 0
    assert "TTFT (first event)" in capsys.readouterr().out
    summary = json.loads(summary_file.read_text())
    assert summary["completed"] == 4 and not summary["failures"]
    # The pacing is honoured (never early) and roughly kept; speed targets belong to bench/README.md.
    assert summary["ttft_ms"]["min"] >= 100
    assert 50 <= summary["tokens_per_second"]["p50"] <= 110
    assert summary["tokens_per_stream"] == 50
