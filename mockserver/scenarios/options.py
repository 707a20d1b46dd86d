"""Command-line options of scenario control (``aistats-mock serve``), checked up front."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mockserver.scenarios.catalogue import SCENARIOS
from mockserver.scenarios.latency import MAX_DELAY_MS, LatencyError, parse_latency
from mockserver.scenarios.rules import RuleError, load_rules_file
from mockserver.scenarios.violations import VIOLATIONS
from mockserver.settings import ScenarioSettings


def _latency(text: str) -> str:
    try:
        parse_latency(text)
    except LatencyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"error rate must be a number between 0 and 1, not {text!r}")
    return value


def _rules_file(text: str) -> Path:
    path = Path(text).expanduser()
    try:
        load_rules_file(path, SCENARIOS)
    except RuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def _scenario_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")
    return names


def _milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= MAX_DELAY_MS:
        raise argparse.ArgumentTypeError(f"milliseconds must lie between 0 and {MAX_DELAY_MS:.0f}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text!r}")
    return value


def add_scenario_arguments(serve: argparse.ArgumentParser) -> None:
    defaults = ScenarioSettings()
    group = serve.add_argument_group("scenarios and fault injection (see docs/scenarios.md)")
    group.add_argument(
        "--latency",
        type=_latency,
        metavar="MS|LOW-HIGH|normal:MEAN,SD|exp:MEAN",
        help="added latency per request, fixed or drawn per request from the seed "
        "(per request: header X-Mock-Latency-Ms)",
    )
    group.add_argument(
        "--error-rate",
        type=_rate,
        default=defaults.error_rate,
        metavar="RATE",
        help="share (0-1) of inference requests that fail with a retryable scenario; the "
        "sequence of failures is fixed by --seed (default: %(default)s)",
    )
    group.add_argument(
        "--error-scenarios",
        type=_scenario_names,
        default=defaults.error_scenarios,
        metavar="NAME,...",
        help="scenarios --error-rate draws from (default: upstream_error, upstream_rate_limited, all_providers_failed)",
    )
    group.add_argument(
        "--scenarios",
        type=_rules_file,
        dest="scenarios_file",
        metavar="FILE",
        help="YAML rules choosing scenarios by method, path, model, header or n-th call",
    )
    group.add_argument(
        "--stall-ms",
        type=_milliseconds,
        default=defaults.stall_ms,
        help="pause of the stream_stalled scenario (default: %(default)s)",
    )
    group.add_argument(
        "--timeout-ms",
        type=_milliseconds,
        default=defaults.timeout_ms,
        help="wait before the 504 of the upstream_timeout scenario (default: %(default)s)",
    )
    group.add_argument(
        "--violate",
        action="append",
        choices=tuple(VIOLATIONS),
        default=list(defaults.violations),
        metavar="NAME",
        help="DELIBERATELY break the contract, to test conformance tools (repeatable): " + ", ".join(VIOLATIONS),
    )
    group.add_argument(
        "--no-admin",
        action="store_const",
        const="off",
        dest="admin",
        default=defaults.admin,
        help="turn off the /__mock/ admin API (journal, rules, reset)",
    )
    group.add_argument(
        "--admin-any-host",
        action="store_const",
        const="any",
        dest="admin",
        help="answer /__mock/ for every client, not only loopback ones",
    )
    group.add_argument(
        "--journal-size",
        type=int,
        default=defaults.journal_size,
        metavar="N",
        help="requests kept in the admin journal (default: %(default)s)",
    )
    group.add_argument(
        "--journal-max-mb",
        type=_positive_float,
        default=defaults.journal_max_bytes / 1024 / 1024,
        metavar="MB",
        help="bytes kept in the admin journal, oldest requests dropped first (default: %(default)s)",
    )
    group.add_argument(
        "--journal-body-kb",
        type=_positive_float,
        default=defaults.journal_body_bytes / 1024,
        metavar="KB",
        help="larger request bodies are journalled as their first KB plus size and SHA-256, larger answers "
        "as their first KB plus size (default: %(default)s)",
    )


def scenario_settings(args: argparse.Namespace) -> ScenarioSettings:
    if args.violate:
        print(
            f"aistats-mock: DELIBERATE CONTRACT VIOLATIONS ON: {', '.join(args.violate)} "
            "(answers will not match the contract)",
            file=sys.stderr,
            flush=True,
        )
    return ScenarioSettings(
        latency=args.latency,
        error_rate=args.error_rate,
        error_scenarios=args.error_scenarios,
        scenarios_file=args.scenarios_file,
        stall_ms=args.stall_ms,
        timeout_ms=args.timeout_ms,
        violations=tuple(args.violate),
        admin=args.admin,
        journal_size=max(1, args.journal_size),
        journal_max_bytes=int(args.journal_max_mb * 1024 * 1024),
        journal_body_bytes=int(args.journal_body_kb * 1024),
    )
