"""``aistats-mock serve`` options for record and replay (docs/recording.md)."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from urllib.parse import urlsplit

from mockserver.recording.cassette import CassetteError
from mockserver.recording.library import load_directory
from mockserver.recording.selector import MISS_MODES, PACES
from mockserver.settings import RecordingSettings

UPSTREAM_KEY_ENV = "AISTATS_UPSTREAM_KEY"


class RecordingOptionError(ValueError):
    """Options that do not go together (the message names them)."""


def _replay_directory(text: str) -> Path:
    path = Path(text).expanduser()
    try:
        load_directory(path)
    except CassetteError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def _record_directory(text: str) -> Path:
    """A directory to record into: created if need be, writable, its cassettes readable (the
    numbering continues after them)."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        load_directory(path)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot record into {path}: {exc}") from None
    except CassetteError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot record into {path}: not writable")
    return path


def _upstream(text: str) -> str:
    parsed = urlsplit(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise argparse.ArgumentTypeError(
            f"must be the gateway's http(s) base URL, such as https://host/v1, not {text!r}"
        )
    return text.rstrip("/")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def add_recording_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = RecordingSettings()
    group = parser.add_argument_group("record and replay (docs/recording.md)")
    group.add_argument(
        "--record",
        type=_record_directory,
        default=defaults.record_dir,
        metavar="DIR",
        help="forward every gateway request to --upstream and write one cassette per exchange into DIR",
    )
    group.add_argument(
        "--replay",
        type=_replay_directory,
        default=defaults.replay_dir,
        metavar="DIR",
        help="answer from the cassettes in DIR (recorded with --record, or written by hand)",
    )
    group.add_argument(
        "--replay-miss",
        choices=MISS_MODES,
        default=defaults.replay_miss,
        help="a request no cassette records: synthesize it as usual, answer 400 no_recorded_answer "
        "naming the closest cassette, or forward it to --upstream and record it (default: %(default)s)",
    )
    group.add_argument(
        "--replay-pace",
        choices=PACES,
        default=defaults.replay_pace,
        help="replayed streams at the pace they were recorded, or at the mock's own pace "
        "(--ttft-ms, --tokens-per-second, the model's profile) (default: %(default)s)",
    )
    group.add_argument(
        "--upstream", type=_upstream, default=defaults.upstream_url, metavar="URL", help="the real gateway's base URL"
    )
    group.add_argument(
        "--upstream-key",
        default=defaults.upstream_key,
        metavar="KEY",
        help=f"the key sent upstream instead of the client's (default: ${UPSTREAM_KEY_ENV}, else the client's own)",
    )
    group.add_argument(
        "--upstream-timeout",
        type=_seconds,
        default=defaults.upstream_timeout_s,
        metavar="SECONDS",
        help="the most the upstream may take to connect, or between two pieces of an answer; "
        "then 504 (default: %(default)s)",
    )


def recording_settings(args: argparse.Namespace) -> RecordingSettings:
    """The settings, after checking that the options go together (:class:`RecordingOptionError`)."""
    forwarding = args.record is not None or (args.replay is not None and args.replay_miss == "forward")
    if args.record is not None and args.replay is not None:
        raise RecordingOptionError(
            "--record and --replay do not go together (to record what the cassettes miss: "
            "--replay DIR --replay-miss forward --upstream URL)"
        )
    if forwarding and args.upstream is None:
        needs = "--record" if args.record is not None else "--replay-miss forward"
        raise RecordingOptionError(f"{needs} needs --upstream URL (the gateway to forward to)")
    if args.upstream is not None and not forwarding:
        raise RecordingOptionError("--upstream is used only with --record DIR or --replay DIR --replay-miss forward")
    defaults = RecordingSettings()
    if args.replay is None and (args.replay_miss != defaults.replay_miss or args.replay_pace != defaults.replay_pace):
        raise RecordingOptionError("--replay-miss and --replay-pace need --replay DIR")
    return RecordingSettings(
        record_dir=args.record,
        replay_dir=args.replay,
        replay_miss=args.replay_miss,
        replay_pace=args.replay_pace,
        upstream_url=args.upstream,
        upstream_key=args.upstream_key or os.environ.get(UPSTREAM_KEY_ENV) or None,
        upstream_timeout_s=args.upstream_timeout,
    )
