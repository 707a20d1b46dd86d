"""The README's pytest-fixture sample is the code of tests/e2e/test_aistats_mock_fixture.py,
so the sample runs as written (that file is run with the e2e tests)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_sample_is_the_e2e_test_word_for_word():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## A pytest fixture for your tests") :]
    sample = re.search(r"```python\n(.*?)```", section, re.S)
    assert sample is not None
    code = (ROOT / "tests/e2e/test_aistats_mock_fixture.py").read_text(encoding="utf-8")
    assert sample.group(1) in code and "def test_weather_answer_after_the_tool_call(aistats_mock):" in sample.group(1)
