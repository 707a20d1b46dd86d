"""Throughput and latency of aistats-mock beside Stoplight Prism, on loopback, in one run.

    python bench/run.py                 # full run: 2 requests x concurrency 16, 64 x both servers
    python bench/run.py --quick         # a short look (about 20 s)
    python bench/run.py --skip-prism    # our server only (one worker and --workers 2)
    python bench/run.py --workers 0     # without the --workers 2 server
    python bench/run.py --baseline DIR  # beside an older checkout of ours (e.g. `git worktree add DIR <commit>`)

Each cell (request x concurrency) is measured in alternating rounds (ours, Prism, ours,
Prism ...) after a warm-up, and the table gives requests/s, p50 and p99 latency, and
our/Prism ratios. See bench/README.md for the recorded figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadgen import Result, Target, available_clients, run_load  # noqa: E402
from bench.payloads import MODEL, auth_headers, chat_body, chat_body_bytes  # noqa: E402
from bench.servers import ROOT, ServerProcess, ServerUnavailable, start_ours, start_prism  # noqa: E402

OURS, PRISM, BASELINE, WORKERS = "aistats-mock", "prism", "baseline", "mock-workers"
STARTUP_ROUNDS = 3
#: Target of issue 2 for the chat POST: this many times Prism's requests/s, and a lower p99.
TARGET_RATIO = 1.5
#: Target of issue 14 for ``serve --workers 2`` on this 2-core machine: this many times one
#: worker's chat POST requests/s (load generator included).
WORKERS_TARGET = 1.5


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    path: str
    body: bytes = b""

    def target(self, server: ServerProcess) -> Target:
        headers = auth_headers()
        if self.body:
            headers["Content-Type"] = "application/json"
        return Target(self.method, f"{server.origin}{server.prefix}{self.path}", headers, self.body)


CASES = [
    Case("POST /v1/chat/completions", "POST", "/chat/completions", chat_body_bytes()),
    Case("GET /v1/gateway/models", "GET", "/gateway/models"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=6.0,
        help="seconds measured per cell and server, split over the rounds (default: 6)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per cell (default: 3)")
    parser.add_argument(
        "--concurrency", type=_int_list, default=[16, 64], help="comma-separated connection counts (default: 16,64)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per server and request")
    parser.add_argument("--skip-prism", action="store_true", help="measure our server only")
    parser.add_argument("--quick", action="store_true", help="short run: 2 s per cell, 1 round, 0.5 s warm-up")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or the asyncio one (default: auto)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of an older commit of aistats-mock, measured beside this one (ratios ours/baseline)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="also measure `aistats-mock serve --workers N` beside one worker (0 = not; default: 2)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 unless the chat POST reaches {TARGET_RATIO}x Prism's req/s with a lower p99",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup = 2.0, 1, 0.5
    if args.client == "auto":
        args.client = available_clients()[0]
    elif args.client not in available_clients():
        parser.error("wrk is not installed (apt-get install wrk), use --client python")
    return args


def _int_list(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected positive integers, e.g. 16,64")
    return values


def preflight(server: ServerProcess, case: Case) -> int:
    """One request before measuring: it must be a 200 with a JSON body (else the bench is void)."""
    target = case.target(server)
    request = urllib.request.Request(target.url, data=target.body or None, headers=target.headers, method=target.method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            payload = answer.read()
    except urllib.error.HTTPError as error:
        raise ServerUnavailable(
            f"{server.name} answered {case.label} with {error.code}: {error.read()[:300]!r}"
        ) from None
    json.loads(payload)
    return len(payload)


def measure(servers: dict[str, ServerProcess], args, log) -> dict[tuple[str, int, str], Result]:
    results: dict[tuple[str, int, str], Result] = {}
    for case in CASES:
        for server in servers.values():
            run_load(args.client, case.target(server), max(args.concurrency), args.warmup)
        for concurrency in args.concurrency:
            rounds: dict[str, list[Result]] = {name: [] for name in servers}
            for _ in range(args.rounds):
                for name, server in servers.items():
                    rounds[name].append(
                        _measured(server, args.client, case.target(server), concurrency, args.duration / args.rounds)
                    )
            for name, parts in rounds.items():
                cell = results[(case.label, concurrency, name)] = Result.combine(parts)
                log(f"  {case.label} c={concurrency} {name}: {cell.rps:,.0f}/s")
    return results


def _measured(server: ServerProcess, client: str, target: Target, concurrency: int, seconds: float) -> Result:
    """One run of the load generator, with the CPU time the server spent meanwhile."""
    before = server.cpu_seconds()
    result = run_load(client, target, concurrency, seconds)
    after = server.cpu_seconds()
    if before is not None and after is not None:
        result.server_cpu = after - before
    return result


def table(results: dict[tuple[str, int, str], Result], names: list[str], concurrencies: list[int]) -> str:
    rows = [
        f"{'request':<27} {'conc':>4}  {'server':<13} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu ms/req':>10} {'fail':>6}"
    ]
    rows.append("-" * len(rows[0]))
    for case in CASES:
        for concurrency in concurrencies:
            label = case.label
            for name in names:
                r = results[(case.label, concurrency, name)]
                cpu = "n/a" if r.cpu_ms_per_request is None else f"{r.cpu_ms_per_request:.2f}"
                rows.append(
                    f"{label:<27} {concurrency:>4}  {name:<13} {r.rps:>9,.0f} {r.p50_ms:>8.2f} "
                    f"{r.p99_ms:>8.2f} {cpu:>10} {r.failures:>6}"
                )
                label = ""
            if WORKERS in names:
                many, one = (results[(case.label, concurrency, server)] for server in (WORKERS, OURS))
                rows.append(
                    f"{'':<27} {concurrency:>4}  {'workers/one':<13} {_ratio(many.rps, one.rps):>9} "
                    f"{_ratio(many.p50_ms, one.p50_ms):>8} {_ratio(many.p99_ms, one.p99_ms):>8} "
                    f"{_ratio(many.cpu_ms_per_request, one.cpu_ms_per_request):>10}"
                )
            for other in (PRISM, BASELINE):
                if other in names:
                    ours, theirs = (results[(case.label, concurrency, server)] for server in (OURS, other))
                    rows.append(
                        f"{'':<27} {concurrency:>4}  {'ours/' + other:<13} {_ratio(ours.rps, theirs.rps):>9} "
                        f"{_ratio(ours.p50_ms, theirs.p50_ms):>8} {_ratio(ours.p99_ms, theirs.p99_ms):>8} "
                        f"{_ratio(ours.cpu_ms_per_request, theirs.cpu_ms_per_request):>10}"
                    )
    return "\n".join(rows)


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}x" if ours is not None and theirs else "n/a"


def verdict(results: dict[tuple[str, int, str], Result], concurrencies: list[int]) -> tuple[bool, str]:
    lines, met = [], True
    for concurrency in concurrencies:
        ours, prism = (results[(CASES[0].label, concurrency, server)] for server in (OURS, PRISM))
        ratio = ours.rps / prism.rps if prism.rps else float("inf")
        ok = ratio >= TARGET_RATIO and ours.p99_ms < prism.p99_ms and ours.failures == 0
        met &= ok
        lines.append(
            f"chat POST c={concurrency}: {ratio:.2f}x Prism's req/s (target {TARGET_RATIO}x), p99 "
            f"{ours.p99_ms:.1f} vs {prism.p99_ms:.1f} ms -> {'met' if ok else 'NOT met'}"
        )
    return met, "\n".join(lines)


def workers_verdict(results: dict[tuple[str, int, str], Result], concurrencies: list[int], workers: int) -> str:
    lines = []
    for concurrency in concurrencies:
        many, one = (results[(CASES[0].label, concurrency, server)] for server in (WORKERS, OURS))
        ratio = many.rps / one.rps if one.rps else float("inf")
        ok = ratio >= WORKERS_TARGET and many.failures == 0
        lines.append(
            f"chat POST c={concurrency}: --workers {workers} {many.rps:,.0f}/s = {ratio:.2f}x one worker's "
            f"{one.rps:,.0f}/s (target {WORKERS_TARGET}x on {os.cpu_count()} CPUs) -> {'met' if ok else 'NOT met'}"
        )
    return "\n".join(lines)


def startup_seconds(baseline: Path) -> dict[str, float]:
    """Median seconds from starting ``aistats-mock serve`` to its first answered request."""
    roots = {OURS: ROOT, BASELINE: baseline}
    times: dict[str, list[float]] = {name: [] for name in roots}
    for _ in range(STARTUP_ROUNDS):
        for name, root in roots.items():
            server = start_ours(root=root, name=name)
            try:
                preflight(server, CASES[1])
                times[name].append(time.monotonic() - server.started)
            finally:
                server.stop()
    return {name: statistics.median(values) for name, values in times.items()}


def header(args, sizes: dict[str, int]) -> str:
    body = chat_body()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"aistats-mock bench, {now}, {platform.machine()} x{os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, client {args.client}, {args.duration:g} s per cell and server in "
        f"{args.rounds} round(s)\nchat body: {len(CASES[0].body):,} bytes ({MODEL}, "
        f"{len(body['messages'])} messages, {len(body['tools'])} tools, non-stream); answers: "
        + ", ".join(f"{name} {size:,} B" for name, size in sizes.items())
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    servers: dict[str, ServerProcess] = {}
    startups = startup_seconds(args.baseline) if args.baseline else {}
    try:
        servers[OURS] = start_ours()
        if args.baseline:
            servers[BASELINE] = start_ours(root=args.baseline, name=BASELINE)
        log(f"{OURS} at {servers[OURS].origin}{servers[OURS].prefix}")
        if args.workers > 1:
            servers[WORKERS] = start_ours(extra_args=["--workers", str(args.workers)], name=WORKERS)
            log(f"{WORKERS} (--workers {args.workers}) at {servers[WORKERS].origin}{servers[WORKERS].prefix}")
        if not args.skip_prism:
            try:
                from mockserver.contract import load_contract

                servers[PRISM] = start_prism(load_contract(), log=log)
                log(f"{PRISM} at {servers[PRISM].origin}{servers[PRISM].prefix}")
            except ServerUnavailable as reason:
                log(f"skipping Prism: {reason}")
        sizes = {f"{name} chat": preflight(server, CASES[0]) for name, server in servers.items()}
        for server in servers.values():
            preflight(server, CASES[1])
        results = measure(servers, args, log)
    finally:
        for server in servers.values():
            server.stop()
    print(header(args, sizes))
    print(table(results, list(servers), args.concurrency))
    if startups:
        print(
            "start-up to the first answered request (median of "
            + f"{STARTUP_ROUNDS}, alternating): "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in startups.items())
            + f" -> ours/baseline {_ratio(startups[OURS], startups[BASELINE])}"
        )
    if WORKERS in servers:
        print(workers_verdict(results, args.concurrency, args.workers))
    met = True
    if PRISM in servers:
        met, summary = verdict(results, args.concurrency)
        print(summary)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "request": k[0],
                        "concurrency": k[1],
                        "server": k[2],
                        "rps": r.rps,
                        "cpu_ms_per_request": r.cpu_ms_per_request,
                        **asdict(r),
                    }
                    for k, r in results.items()
                ],
                indent=2,
            )
        )
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
