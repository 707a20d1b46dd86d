"""bench/profile_inprocess.py runs on both requests and names the milestones of the path."""

from __future__ import annotations

import pytest

from bench import profile_inprocess


@pytest.mark.parametrize("request_name", ["chat", "models"])
def test_the_profiler_reports_areas_and_milestones(request_name, capsys):
    assert profile_inprocess.main(["--request", request_name, "--requests", "20", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{request_name}: 20 requests")
    assert "mockserver.synthesis (generators)" in out
    assert "dispatcher (all stages)" in out and "synthesis (generator)" in out
    assert "Ordered by: internal time" in out
