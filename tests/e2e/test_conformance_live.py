"""The live profile against the mock (spend cap, clean-up, key redaction), the harness's
own errors (exit 2), and the pytest plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from conformance import Options, run
from conformance.redact import Redactor
from conformance.reports import summary_text
from tests.support import KEY, mock_app, serve
from tests.support.constants import ROOT
from tests.support.servers import free_port

SECRET_KEY = "aistats_v1_sk_livekid0042_TopSecretValue_with_parts"


def live(base_url: str, **fields) -> Options:
    defaults = dict(base_url=base_url, api_key=SECRET_KEY, profile="live", rate_limit="100/s", max_examples=3)
    return Options(**{**defaults, **fields})


def test_spend_cap_stops_the_run_before_the_cap():
    cap = 0.00015  # two or three chat completions on the mock's prices
    with serve(mock_app()) as base_url:
        result = run(
            live(
                base_url,
                include=("createChatCompletion", "createEmbedding"),
                max_spend_usd=cap,
                phases=("examples", "fuzzing", "workflows"),
            )
        )
    assert result.stopped_early and "spend cap" in result.stopped_early
    assert 0 < result.spent_usd < cap
    assert "spend cap" in summary_text(result)


def test_a_zero_cap_leaves_billed_operations_out():
    with serve(mock_app()) as base_url:
        result = run(
            live(base_url, include=("createEmbedding", "listProviders"), max_spend_usd=0, phases=("examples",))
        )
    assert set(result.operations) == {"GET /providers"} and result.spent_usd == 0


def test_live_profile_skips_expensive_media_unless_allowed():
    with serve(mock_app()) as base_url:
        result = run(live(base_url, include=("createVideo", "createSpeech", "listProviders"), phases=("examples",)))
    assert set(result.operations) == {"GET /providers"}
    assert any("createVideo" in note and "createSpeech" in note for note in result.notes)


def _key_ids(base_url: str) -> set[str]:
    answer = httpx.get(
        base_url + "/management/keys", params={"limit": 250}, headers={"Authorization": f"Bearer {SECRET_KEY}"}
    )
    return {key["id"] for key in answer.json()["keys"]}


def test_live_run_cleans_up_the_keys_and_jobs_it_created():
    ops = ("createVideo", "getVideo", "createProvisioningKey", "getProvisioningKey", "listProvisioningKeys")
    with serve(mock_app(job_seconds=30)) as base_url:
        before = _key_ids(base_url)
        result = run(
            live(
                base_url,
                include=ops,
                allow_expensive=True,
                phases=("examples", "fuzzing", "workflows"),
                job_timeout=0.5,
            )
        )
        assert _key_ids(base_url) == before
        deleted = [line.split()[1].rstrip(":") for line in result.cleanup if line.startswith("job ")]
        assert deleted, result.cleanup
        for job in deleted:
            status = httpx.get(f"{base_url}/videos/{job}", headers={"Authorization": f"Bearer {SECRET_KEY}"})
            assert status.status_code == 404
    assert all("→ 200" in line for line in result.cleanup), result.cleanup


def test_the_key_is_redacted_everywhere(tmp_path):
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    lines: list[str] = []
    with serve(mock_app(violations=("wrong_usage_total",))) as base_url:
        result = run(
            live(
                base_url,
                include=("createChatCompletion", "createProvisioningKey"),
                report=report,
                junit=junit,
                phases=("examples", "workflows"),
            ),
            progress=lines.append,
        )
    assert result.exit_code == 1 and result.failures
    outputs = [
        summary_text(result, Redactor(SECRET_KEY)),
        report.read_text(),
        junit.read_text(),
        *lines,
        json.dumps(result.to_dict()),
    ]
    for text in outputs:
        assert SECRET_KEY not in text and "TopSecretValue" not in text
        assert "aistats_v1_sk_" not in text  # keys the run created are masked too
    assert any("curl" in curl for failure in result.failures for curl in failure.curl)


def _conform(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "conform", "--api-key", KEY, "--quiet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_unreachable_target_and_bad_spec_are_harness_errors(tmp_path):
    down = _conform("--base-url", f"http://127.0.0.1:{free_port()}/v1")
    assert down.returncode == 2 and "unreachable" in down.stdout
    bad = tmp_path / "spec.yaml"
    bad.write_text("not: [an, openapi, document]\n")
    with serve(mock_app()) as base_url:
        wrong = _conform("--base-url", base_url, "--spec", str(bad))
        nothing = _conform("--base-url", base_url, "--include", "noSuchOperation")
    assert wrong.returncode == 2 and "HARNESS ERROR" in wrong.stdout
    assert nothing.returncode == 2
    assert KEY not in down.stdout + wrong.stdout + nothing.stdout


def _plugin_installed() -> bool:
    """An installed aistats-mock registers the plugin itself (entry point ``pytest11``)."""
    from importlib.metadata import entry_points

    return any(entry.value == "conformance.pytest_plugin" for entry in entry_points(group="pytest11"))


def _pytest(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load_plugin = [] if _plugin_installed() else ["-p", "conformance.pytest_plugin"]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *load_plugin,
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def test_pytest_plugin_is_inert_without_its_options(tmp_path):
    (tmp_path / "test_other.py").write_text(
        "import sys\n\ndef test_nothing_loaded():\n    assert 'conformance.api' not in sys.modules\n"
        "    assert 'conformance.checks' not in sys.modules\n"
    )
    done = _pytest(tmp_path)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_pytest_plugin_runs_the_suite_as_tests(tmp_path):
    (tmp_path / "test_other.py").write_text("def test_unrelated():\n    pass\n")
    common = (
        "--aistats-api-key",
        KEY,
        "--aistats-include",
        "createChatCompletion",
        "--aistats-phases",
        "examples",
        "--aistats-max-examples",
        "2",
        "--aistats-only",
    )
    with serve(mock_app()) as base_url:
        good = _pytest(tmp_path, "--aistats-base-url", base_url, *common)
    with serve(mock_app(violations=("wrong_usage_total",))) as base_url:
        bad = _pytest(tmp_path, "--aistats-base-url", base_url, *common, "-rf")
    assert good.returncode == 0, good.stdout[-2000:]
    assert "1 deselected" in good.stdout
    assert bad.returncode == 1
    assert "usage_totals_consistent" in bad.stdout and "FAILED" in bad.stdout
    assert KEY not in bad.stdout
