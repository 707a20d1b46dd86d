"""bench/memory.py drives chat requests in-process and reports RSS per block; --check fails above the bound."""

from __future__ import annotations

from bench import memory


def test_the_memory_bench_reports_each_block_and_checks_the_bound(capsys):
    assert memory.main(["--requests", "30", "--every", "15", "--check", "100000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("after create_app: RSS")
    assert [line.split()[0] for line in lines[1:]] == ["15", "30"]
    assert all("MB" in line and "us/request" in line for line in lines[1:])


def test_the_check_fails_above_the_bound(capsys):
    assert memory.main(["--requests", "5", "--every", "5", "--check", "1"]) == 1
    assert "is above 1 MB" in capsys.readouterr().out
