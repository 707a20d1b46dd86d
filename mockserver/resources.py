"""Where the spec and fixture folders live: the source tree when run from a checkout,
the copies bundled into the wheel when installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_ROOT = _PACKAGE_DIR.parent
_BUNDLED = _PACKAGE_DIR / "_bundled"


def _data_dir(name: str) -> Path:
    for candidate in (_SOURCE_ROOT / name, _BUNDLED / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"aistats-mock data folder {name!r} is missing from the installation")


def spec_dir() -> Path:
    return _data_dir("spec")


def fixtures_dir() -> Path:
    return _data_dir("fixtures")
