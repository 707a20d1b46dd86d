"""``aistats-mock serve`` options for scripted replies (``--replies``, ``--replies-strict``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mockserver.replies.rules import ReplyRuleError, load_replies_file
from mockserver.settings import ReplySettings


def _replies_file(text: str) -> Path:
    path = Path(text).expanduser()
    try:
        load_replies_file(path)
    except ReplyRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def add_reply_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = ReplySettings()
    group = parser.add_argument_group("scripted replies (docs/scenarios.md)")
    group.add_argument(
        "--replies",
        type=_replies_file,
        action="append",
        default=list(defaults.replies_files),
        dest="replies_files",
        metavar="FILE",
        help="YAML or JSON reply rules: what to answer to which request (repeatable)",
    )
    group.add_argument(
        "--replies-strict",
        action="store_true",
        default=defaults.replies_strict,
        help="answer a chat, responses, messages or embeddings request no reply rule matches "
        "with 400 no_scripted_reply instead of a synthesized answer",
    )


def reply_settings(args: argparse.Namespace) -> ReplySettings:
    return ReplySettings(replies_files=tuple(args.replies_files), replies_strict=args.replies_strict)
