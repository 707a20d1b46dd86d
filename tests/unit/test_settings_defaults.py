"""Settings by feature: every default written once, in mockserver/settings.py.

``aistats-mock serve`` with no options builds exactly ``Settings()``; the option modules take
their argparse defaults from the feature classes (no literal default in an ``add_argument``);
``Settings.of`` / ``with_`` route a field's own name to its feature.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
from pathlib import Path
from types import ModuleType

import pytest

from mockserver import cli, serving_options
from mockserver.cli import build_parser, settings_from
from mockserver.recording import options as recording_options
from mockserver.recording.options import UPSTREAM_KEY_ENV
from mockserver.replies import options as reply_options
from mockserver.scenarios import options as scenario_options
from mockserver.settings import FIELD_PATHS, Bounds, ScenarioSettings, Settings, StateSettings
from mockserver.state import interface
from mockserver.state import options as state_options

OPTION_MODULES = (cli, serving_options, state_options, scenario_options, reply_options, recording_options)
#: Options that set nothing in Settings (uvicorn's log level is passed to the server directly).
NOT_SETTINGS = {"--log-level"}


@pytest.fixture(autouse=True)
def _no_upstream_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPSTREAM_KEY_ENV, raising=False)


def test_serve_with_no_options_builds_the_default_settings() -> None:
    assert settings_from(build_parser().parse_args(["serve"])) == Settings()


def test_providers_with_no_options_differs_only_in_the_surface() -> None:
    assert settings_from(build_parser().parse_args(["providers"])) == Settings.of(surface="providers")


def _is_literal(value: ast.expr) -> bool:
    """A written-out value: no name in it (None aside, "not given")."""
    if isinstance(value, ast.Constant) and value.value is None:
        return False
    return not any(isinstance(part, ast.Name | ast.Attribute | ast.Call) for part in ast.walk(value))


def _literal_defaults(module: ModuleType) -> list[str]:
    """The options of ``module`` whose ``add_argument(..., default=...)`` is written out."""
    source = Path(str(module.__file__))
    found = []
    for node in ast.walk(ast.parse(source.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "add_argument" or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        option = node.args[0].value
        written = [keyword for keyword in node.keywords if keyword.arg == "default" and _is_literal(keyword.value)]
        if written and option not in NOT_SETTINGS:
            found.append(f"{source.name}: {option}")
    return found


def test_no_option_repeats_a_default_as_a_literal() -> None:
    assert [found for module in OPTION_MODULES for found in _literal_defaults(module)] == []


def test_every_option_default_is_the_feature_default() -> None:
    """Each option given its own default on the command line changes nothing."""
    serve = argparse.ArgumentParser()
    cli.add_serve_arguments(serve)
    for action in serve._actions:
        default = action.default
        if not action.option_strings or action.nargs == 0 or default is None or isinstance(default, list | tuple):
            continue
        if action.option_strings[0] in NOT_SETTINGS:
            continue
        argv = ["serve", action.option_strings[0], str(default)]
        assert settings_from(build_parser().parse_args(argv)) == Settings(), argv


def test_bounds_are_the_state_settings() -> None:
    assert StateSettings().bounds == Bounds() and interface.Bounds is Bounds
    assert dataclasses.fields(Bounds)  # the one place their defaults are written


def test_of_routes_each_field_to_its_feature() -> None:
    settings = Settings.of(error_rate=0.5, max_jobs=3, surface="providers", workers=2)
    assert settings.scenarios == ScenarioSettings(error_rate=0.5)
    assert settings.state.bounds == Bounds(max_jobs=3)
    assert (settings.api.surface, settings.serving.workers) == ("providers", 2)
    assert Settings.of(state=StateSettings(credits_usd=5)).state.credits_usd == 5
    assert FIELD_PATHS["max_jobs"] == ("state", "bounds", "max_jobs")


def test_with_leaves_the_original_alone_and_refuses_unknown_names() -> None:
    original = Settings()
    changed = original.with_(credits_usd=1.0, journal_size=9)
    assert original == Settings() and changed.state.credits_usd == 1.0 and changed.scenarios.journal_size == 9
    with pytest.raises(TypeError, match="errror_rate"):
        Settings.of(errror_rate=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.state = StateSettings()  # type: ignore[misc]
