"""Command-line options of the state feature (added to ``aistats-mock serve``)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from mockserver.settings import Bounds, StateSettings
from mockserver.state.interface import StateUnavailable
from mockserver.state.location import is_redis_url, parse_target, redacted

SECONDS_PER_DAY = 86_400.0


def add_state_arguments(serve: argparse.ArgumentParser) -> None:
    defaults, bounds = StateSettings(), Bounds()
    group = serve.add_argument_group("state (keys, wallets, jobs, generation records)")
    group.add_argument(
        "--state",
        type=state_target,
        default=None,
        metavar="PATH|URL",
        help="keep state in this SQLite file so it survives restarts and can be shared by several "
        "server processes on this machine, or on Redis (redis://HOST:PORT/DB, rediss://..., unix://PATH; "
        "?prefix=NAME keeps several mocks apart in one database) for a fleet on several machines "
        "(default: in memory)",
    )
    group.add_argument(
        "--job-seconds",
        type=float,
        default=defaults.job_seconds,
        metavar="S",
        help="how long a video or music job takes to finish; 0 finishes at once (default: %(default)s)",
    )
    group.add_argument(
        "--job-failure-rate",
        type=float,
        default=defaults.job_failure_rate,
        metavar="P",
        help="share of jobs that fail, drawn from the request seed; force one with the "
        "X-Mock-Job-Outcome: failed header (default: %(default)s)",
    )
    group.add_argument(
        "--credits",
        type=float,
        default=defaults.credits_usd,
        metavar="USD",
        help="starting wallet balance of each team in USD (default: %(default)s)",
    )
    group.add_argument(
        "--job-ttl-seconds",
        type=float,
        default=bounds.job_ttl_seconds,
        metavar="S",
        help="forget jobs older than this (default: %(default)s)",
    )
    group.add_argument(
        "--max-jobs",
        type=int,
        default=bounds.max_jobs,
        metavar="N",
        help="keep at most this many jobs, newest first (default: %(default)s)",
    )
    group.add_argument(
        "--generation-ttl-days",
        type=float,
        default=bounds.generation_ttl_seconds / SECONDS_PER_DAY,
        metavar="D",
        help="forget generation records, ledger rows and deleted key ids older than this (default: %(default)s)",
    )
    group.add_argument(
        "--max-generations",
        type=int,
        default=bounds.max_generations,
        metavar="N",
        help="keep at most this many generation records (and deleted key ids) (default: %(default)s)",
    )


def state_target(text: str) -> str:
    """An argparse type: a path, or a Redis URL that parses (unknown schemes are refused)."""
    if "://" in text and not is_redis_url(text):
        raise argparse.ArgumentTypeError(f"{redacted(text)}: not a path nor a redis://, rediss:// or unix:// URL")
    if is_redis_url(text):
        try:
            parse_target(text)
        except StateUnavailable as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix("--state ")) from None
    return text


def state_settings(args: argparse.Namespace) -> StateSettings:
    """The state's settings these options ask for."""
    bounds = replace(
        Bounds(),
        job_ttl_seconds=args.job_ttl_seconds,
        max_jobs=max(1, args.max_jobs),
        generation_ttl_seconds=args.generation_ttl_days * SECONDS_PER_DAY,
        max_generations=max(1, args.max_generations),
    )
    return StateSettings(
        state_path=None if args.state is None or is_redis_url(args.state) else Path(args.state),
        state_url=args.state if args.state is not None and is_redis_url(args.state) else None,
        job_seconds=max(0.0, args.job_seconds),
        job_failure_rate=min(1.0, max(0.0, args.job_failure_rate)),
        credits_usd=args.credits,
        bounds=bounds,
    )
