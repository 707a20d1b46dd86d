"""The SDK tests close what they open: run in a fresh interpreter where a leaked socket's
ResourceWarning is an error (an unclosed SDK client surfaces only when the interpreter
collects it, so only a whole run can tell)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("tests/e2e/test_aistats_mock_fixture.py", "tests/e2e/test_scenario_sdk.py")


@pytest.mark.parametrize("test_file", CHECKED)
def test_the_file_leaks_no_socket(test_file: str) -> None:
    command = [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-m", "pytest", "-q"]
    command += ["-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", test_file]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "ResourceWarning" not in output and "unclosed" not in output, output[-3000:]
