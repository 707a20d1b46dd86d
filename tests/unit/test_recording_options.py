"""``aistats-mock serve`` options of record and replay: what goes together, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.cli import build_parser, main, settings_from


def test_record_and_replay_options_become_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AISTATS_UPSTREAM_KEY", "from-the-environment")
    args = build_parser().parse_args(
        ["serve", "--record", str(tmp_path / "new"), "--upstream", "http://gw.test/v1/", "--upstream-timeout", "5"]
    )
    settings = settings_from(args)
    assert settings.recording.record_dir == tmp_path / "new" and (tmp_path / "new").is_dir()
    assert settings.recording.upstream_url == "http://gw.test/v1" and settings.recording.upstream_timeout_s == 5
    assert settings.recording.upstream_key == "from-the-environment"
    assert "from-the-environment" not in repr(settings)
    replay = settings_from(build_parser().parse_args(["serve", "--replay", str(tmp_path), "--replay-miss", "error"]))
    assert replay.recording.replay_dir == tmp_path and replay.recording.replay_miss == "error"
    assert replay.recording.record_dir is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--record", "{dir}"], "--record needs --upstream URL"),
        (["--replay", "{dir}", "--replay-miss", "forward"], "--replay-miss forward needs --upstream URL"),
        (["--upstream", "http://gw.test/v1"], "--upstream is used only with"),
        (["--record", "{dir}", "--replay", "{dir}", "--upstream", "http://x/v1"], "do not go together"),
        (["--replay-miss", "error"], "need --replay DIR"),
    ],
)
def test_options_that_do_not_go_together_are_refused(tmp_path: Path, capsys, extra: list[str], message: str):
    arguments = [item.format(dir=tmp_path) for item in extra]
    assert main(["serve", "--port", "0", *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


@pytest.mark.parametrize(
    "arguments",
    [
        ["--upstream", "ftp://gw.test"],
        ["--upstream-timeout", "0"],
        ["--replay", "/nonexistent/cassettes"],
        ["--replay-pace", "fast"],
    ],
)
def test_bad_values_are_refused_by_the_parser(arguments: list[str], capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", *arguments])
    assert exited.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_recording_into_a_directory_with_a_broken_cassette_is_refused(tmp_path: Path, capsys):
    (tmp_path / "broken.json").write_text(json.dumps({"request": {"method": "GET"}, "response": {}}))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--record", str(tmp_path), "--upstream", "http://gw.test/v1"])
    error = capsys.readouterr().err
    assert "broken.json" in error and "request.path" in error
