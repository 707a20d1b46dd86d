"""Coverage accounting, thresholds and the merging of seeds, without a server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.coverage import Coverage, CoverageRecorder, documented_statuses, parse_thresholds, shortfalls
from conformance.results import FailureRecord, RunResult, message_shape

SPEC = {
    "paths": {
        "/things": {
            "get": {"responses": {"200": {}, "401": {}, "4XX": {}, "default": {}}},
            "post": {"responses": {"201": {}, "400": {}}},
            "parameters": [],
        },
        "/other": {"delete": {"responses": {"204": {}}}},
    }
}


def answer(recorder: CoverageRecorder, method: str, path: str, status: int) -> None:
    case = SimpleNamespace(method=method, operation=SimpleNamespace(path=path))
    recorder.observe(case, SimpleNamespace(status_code=status))


def test_documented_statuses_leave_out_default_and_non_methods():
    assert documented_statuses(SPEC) == {
        "DELETE /other": ["204"],
        "GET /things": ["200", "401", "4XX"],
        "POST /things": ["201", "400"],
    }


def test_exact_codes_and_ranges_are_covered_by_what_was_answered():
    recorder = CoverageRecorder(Coverage.of(SPEC))
    answer(recorder, "get", "/things", 200)
    answer(recorder, "get", "/things", 404)  # covers 4XX, not 401
    answer(recorder, "post", "/things", 400)
    answer(recorder, "post", "/things", 400)
    answer(recorder, "TRACE", "/things", 404)  # a probed method the contract lacks: not an operation
    coverage = recorder.finish()
    get, post = coverage.operations["GET /things"], coverage.operations["POST /things"]
    assert get.covered == ["200", "4XX"] and get.seen == {200: 1, 404: 1}
    assert post.covered == ["400"] and post.seen == {400: 2}
    assert "TRACE /things" not in coverage.operations
    assert coverage.ops_percent == pytest.approx(200 / 3)
    assert coverage.statuses_percent == pytest.approx(100 * 3 / 6)
    assert coverage.to_dict()["operations"]["GET /things"]["missing"] == ["401"]
    assert "operations 2/3" in coverage.summary_line() and "statuses 3/6" in coverage.summary_line()


def test_undocumented_answers_are_listed():
    recorder = CoverageRecorder(Coverage.of(SPEC))
    answer(recorder, "POST", "/things", 500)
    assert recorder.finish().operations["POST /things"].undocumented == [500]


def test_thresholds_parse_and_name_the_one_that_failed():
    assert parse_thresholds("ops=100, statuses=80") == {"ops": 100.0, "statuses": 80.0}
    assert parse_thresholds("") == {}
    for bad, word in (
        ("ops", "NAME=PERCENT"),
        ("paths=5", "NAME=PERCENT"),
        ("ops=x", "not a number"),
        ("ops=120", "between"),
    ):
        with pytest.raises(ValueError, match=word):
            parse_thresholds(bad)
    recorder = CoverageRecorder(Coverage.of(SPEC))
    for method, path, status in (("GET", "/things", 200), ("POST", "/things", 201), ("DELETE", "/other", 204)):
        answer(recorder, method, path, status)
    coverage = recorder.finish()
    lines = shortfalls(coverage, {"ops": 100, "statuses": 80})
    assert lines == [
        "coverage below threshold: documented statuses seen 50.0% < required 80% (--min-coverage statuses=80)"
    ]
    assert shortfalls(coverage, {"ops": 100, "statuses": 50}) == []


def failure(message: str, check: str = "usage_totals_consistent") -> FailureRecord:
    return FailureRecord(check=check, operation="POST /x", title="t", message=message, phase="examples")


def test_seeds_report_a_breach_once_with_the_seed_that_found_it():
    total = RunResult(base_url="u", spec="s", profile="default")
    for seed, messages in (
        (3, ["total_tokens = 26, expected 25"]),
        (4, ["total_tokens = 12, expected 11", "other 'a'"]),
    ):
        part = RunResult(base_url="u", spec="s", profile="default")
        part.operation("POST /x").tally("usage_totals_consistent").failed += len(messages)
        part.failures = [failure(m) for m in messages]
        part.coverage = Coverage.of(SPEC)
        total.merge_seed(part, seed)
    assert [(f.message, f.seed, f.seeds, f.occurrences) for f in total.failures] == [
        ("total_tokens = 26, expected 25", 3, [3, 4], 2),
        ("other 'a'", 4, [4], 1),
    ]
    assert total.seeds == [3, 4] and total.operations["POST /x"].failed == 3
    assert total.exit_code == 1


def test_message_shape_blanks_generated_particulars_only():
    assert message_shape("id 'G-01ABC' total 26") == message_shape("id 'G-99XYZ' total 3")
    assert message_shape("missing [DONE]") != message_shape("events out of order")


def test_a_coverage_shortfall_alone_exits_1():
    result = RunResult(base_url="u", spec="s", profile="default")
    assert result.exit_code == 0
    result.coverage_failures.append("coverage below threshold: ...")
    assert result.exit_code == 1


def test_the_hook_counts_only_once_the_engine_is_done():
    recorder = CoverageRecorder(Coverage.of(SPEC))
    case = SimpleNamespace(method="GET", operation=SimpleNamespace(path="/things"))
    recorder.hook(case, SimpleNamespace(status_code=200))  # an engine answer: its scenario reports it
    recorder.hooked = True
    recorder.hook(case, SimpleNamespace(status_code=401))  # a workflow answer
    assert recorder.finish().operations["GET /things"].seen == {401: 1}
