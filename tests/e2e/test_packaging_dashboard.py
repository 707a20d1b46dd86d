"""The installed distribution carries the dashboard's files (package data under
mockserver/server/ui/), and the installed server serves them; CI installs the project with
pip before running the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from mockserver.server.dashboard import ASSETS

ROOT = Path(__file__).resolve().parents[2]
UI_FILES = sorted({name for name, _ in ASSETS.values()})


def _installed_from_this_tree() -> metadata.Distribution:
    try:
        dist = metadata.distribution("aistats-mock")
    except metadata.PackageNotFoundError:
        pytest.skip("aistats-mock is not installed in this environment")
    origin = json.loads(dist.read_text("direct_url.json") or "{}")
    if origin.get("dir_info", {}).get("editable"):
        pytest.skip("aistats-mock is installed in editable mode")
    if origin.get("url") not in (None, ROOT.as_uri()):
        pytest.skip(f"the installed aistats-mock was built from {origin.get('url')}, not this tree")
    return dist


def test_the_wheel_carries_every_dashboard_file():
    files = {file.as_posix() for file in _installed_from_this_tree().files or []}
    assert {f"mockserver/server/ui/{name}" for name in UI_FILES} - files == set()


def test_the_installed_package_serves_the_same_files(tmp_path):
    _installed_from_this_tree()
    script = (
        "import mockserver.server.dashboard as d, sys\n"
        "assert 'site-packages' in d.__file__, d.__file__\n"
        "for name in sys.argv[1:]:\n"
        "    sys.stdout.write(f'{name} {len(d.ui_file(name))}\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *UI_FILES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sizes = dict(line.split() for line in done.stdout.splitlines())
    assert sizes == {name: str((ROOT / "mockserver/server/ui" / name).stat().st_size) for name in UI_FILES}
