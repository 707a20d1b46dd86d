"""Keys, headers and paths the tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The reference material beside the project (absent in a user's fresh clone: tests skip).
REFERENCE = ROOT.parent / "shared" / "reference"
KEY = "aistats_v1_sk_testkid0001_s3cr3tvalue_with_underscores"
AUTH = {"Authorization": f"Bearer {KEY}"}
#: Streams as fast as the mock can send them (pacing is tested on its own).
UNPACED = {"X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
FRAMEWORKS = ("async", "flask")


def reference_file(name: str) -> Path:
    """``../shared/reference/openapi/<name>``, or skip the test where it is absent."""
    path = REFERENCE / "openapi" / name
    if not path.exists():
        pytest.skip(f"reference contract {name} is not available beside the project")
    return path
