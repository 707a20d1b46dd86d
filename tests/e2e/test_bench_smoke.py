"""The benchmark harness runs end to end against real servers (ours, one worker and two, a few seconds).

No timing is asserted: speed belongs to bench/, this only keeps the harness working.
"""

from __future__ import annotations

import json

from bench import run
from bench.loadgen import parse_wrk


def test_bench_harness_prints_a_table_for_our_server(tmp_path, capsys):
    results_file = tmp_path / "results.json"
    status = run.main(
        [
            "--skip-prism",
            "--client",
            "python",
            "--duration",
            "0.4",
            "--rounds",
            "1",
            "--warmup",
            "0.1",
            "--concurrency",
            "2",
            "--json",
            str(results_file),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "req/s" in out and "p99 ms" in out
    for case in run.CASES:
        assert case.label in out
    rows = json.loads(results_file.read_text())
    servers = (run.OURS, run.WORKERS)  # one worker, and `--workers 2` beside it
    assert {(row["request"], row["server"]) for row in rows} == {(c.label, s) for c in run.CASES for s in servers}
    assert "workers/one" in out and "--workers 2" in out
    for row in rows:
        assert row["requests"] > 0, row
        assert row["failures"] == 0, row


def test_wrk_output_is_parsed_into_a_result():
    sample = """Running 2s test @ http://127.0.0.1:1/v1/gateway/models
  1 threads and 16 connections
  Latency Distribution
     50%    6.10ms
     75%    8.00ms
     90%   10.00ms
     99%    1.02s
  2400 requests in 2.00s, 10.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   1200.00
"""
    parsed = parse_wrk(sample, 2)
    assert parsed.requests == 2400 and parsed.rps == 1200
    assert parsed.p50_ms == 6.1 and parsed.p99_ms == 1020
    assert parsed.failures == 7
