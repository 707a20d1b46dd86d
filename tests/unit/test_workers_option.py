"""``aistats-mock serve --workers N|auto``: what the option accepts and what it sets."""

from __future__ import annotations

import os

import pytest

from mockserver.cli import build_parser, settings_from
from mockserver.serving_options import MAX_WORKERS


def _settings(*args: str):
    return settings_from(build_parser().parse_args(["serve", *args]))


def test_one_worker_by_default_and_auto_is_one_per_core():
    assert _settings().serving.workers == 1
    assert _settings("--workers", "auto").serving.workers == (os.cpu_count() or 1)
    assert _settings("--workers", "3").serving.workers == 3


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", str(MAX_WORKERS + 1), ""])
def test_anything_else_is_refused_naming_the_option(value, capsys):
    with pytest.raises(SystemExit):
        _settings("--workers", value)
    assert "--workers" in capsys.readouterr().err
