"""``aistats-mock conform``: a thin command-line layer over :func:`conformance.run`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conformance.options import PHASES, PROFILES, Options
from mockserver.contract.loader import CONTRACTS

KEY_ENV = "AISTATS_API_KEY"


def register_command(subparsers) -> None:
    conform = subparsers.add_parser(
        "conform",
        help="check a gateway against the contract",
        description="Fuzz a gateway (our mock, a build under test, or the live one) against the contract and "
        "report every breach. Exit 0 = conformant, 1 = breaches found, 2 = the harness could not run.",
    )
    add_arguments(conform)
    conform.set_defaults(run=run_command)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", required=True, help="the gateway's base URL, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument(
        "--api-key", default=None, help=f"gateway API key (default: ${KEY_ENV}); never printed or written"
    )
    parser.add_argument(
        "--api-key-2",
        default=None,
        help=f"a key of another team, for tenant isolation (default: ${KEY_ENV}_2); never printed or written",
    )
    parser.add_argument("--spec", default=None, help="contract name, file or URL (default: the packaged 2026-03)")
    parser.add_argument(
        "--contract",
        dest="spec",
        choices=CONTRACTS,
        help="a packaged contract by name, e.g. 2025-12 for the December-2025 surface (same as --spec NAME)",
    )
    parser.add_argument("--max-examples", type=int, default=5, help="generated examples per operation (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="generation seed (default: 0)")
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help="run the generated phases with N seeds (seed, seed+1, ...); each breach is reported once, "
        "with the seed that found it (default: 1)",
    )
    parser.add_argument(
        "--min-coverage",
        default="",
        metavar="ops=P,statuses=P",
        help="required coverage in percent of operations exercised and of documented statuses seen; "
        "below a threshold the run exits 1",
    )
    parser.add_argument("--workers", type=int, default=2, help="concurrent workers (default: 2; live: 1)")
    parser.add_argument("--checks", default="", help="comma-separated check names (default: all)")
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only operations matching this glob (operationId, 'METHOD /path' or /path); repeatable",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PATTERN",
        help="leave out operations matching this glob; repeatable",
    )
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--report", type=Path, help="write a JSON report here")
    parser.add_argument("--sarif", type=Path, help="write a SARIF 2.1.0 report here (code-scanning tabs)")
    parser.add_argument("--html", type=Path, help="write a self-contained HTML report here")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="default",
        help="'live' rate-limits, caps spend, skips expensive media and runs one worker",
    )
    parser.add_argument("--max-spend-usd", type=float, default=None, help="stop before this much is charged")
    parser.add_argument(
        "--allow-expensive", action="store_true", help="live profile: include video/music/images/speech"
    )
    parser.add_argument("--rate-limit", default=None, help="e.g. 5/s (live default 2/s)")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds per request (default: 30)")
    parser.add_argument("--job-timeout", type=float, default=60.0, help="seconds to poll a job (default: 60)")
    parser.add_argument("--list-checks", action="store_true", help="print the checks and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def options_from(args: argparse.Namespace) -> Options:
    """The run's options; ValueError (naming the option) for a malformed ``--min-coverage``."""
    from conformance.coverage import parse_thresholds

    return Options(
        base_url=args.base_url,
        api_key=args.api_key or os.environ.get(KEY_ENV, ""),
        api_key_2=args.api_key_2 or os.environ.get(KEY_ENV + "_2", ""),
        spec=args.spec,
        max_examples=args.max_examples,
        seed=args.seed,
        seeds=args.seeds,
        min_coverage=parse_thresholds(args.min_coverage),
        workers=args.workers,
        checks=tuple(name.strip() for name in args.checks.split(",") if name.strip()),
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        phases=tuple(phase.strip() for phase in args.phases.split(",") if phase.strip()),
        junit=args.junit,
        report=args.report,
        sarif=args.sarif,
        html=args.html,
        profile=args.profile,
        max_spend_usd=args.max_spend_usd,
        allow_expensive=args.allow_expensive,
        rate_limit=args.rate_limit,
        request_timeout=args.request_timeout,
        job_timeout=args.job_timeout,
    )


def run_command(args: argparse.Namespace) -> int:
    if args.list_checks:
        from conformance.checks import ALL_CHECKS, DISABLED_BUILTINS

        for name, text in ALL_CHECKS.items():
            print(f"{name:<40} {text}")
        for name, why in DISABLED_BUILTINS.items():
            print(f"{name:<40} (off) {why}")
        return 0
    unknown = [phase for phase in args.phases.split(",") if phase.strip() and phase.strip() not in PHASES]
    if unknown:
        print(
            f"aistats-mock conform: unknown phase(s) {unknown}; choose from {', '.join(PHASES)}",
            file=sys.stderr,
        )
        return 2
    from conformance.api import run
    from conformance.redact import Redactor
    from conformance.reports import summary_text

    try:
        options = options_from(args)
        options.resolved()
    except ValueError as exc:
        print(f"aistats-mock conform: {exc}", file=sys.stderr)
        return 2
    progress = None if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    result = run(options, progress=progress)
    print(summary_text(result, Redactor(options.api_key, options.api_key_2)))
    return result.exit_code
