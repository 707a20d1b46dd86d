"""Fuzz the mock with Schemathesis for a large number of requests: no server error, no timeout.

    python bench/fuzz.py                                  # the published contract, >= 10,000 requests
    python bench/fuzz.py --spec spec --max-examples 20    # our own contract (as served at /v1/openapi.json)

Starts ``aistats-mock serve`` (fast settings) on 127.0.0.1, runs ``schemathesis run`` with the
examples, coverage, fuzzing and stateful phases against it, and reports how many requests were
answered, by status class, every 5xx the contract does not document for its operation, and the
network errors and timeouts Schemathesis saw. Exit 0 when there were none and at least
``--min-requests`` were sent. The published contract is read from ``../shared/reference``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import BENCH_KEY  # noqa: E402
from bench.servers import ROOT, start_ours  # noqa: E402

PUBLISHED = ROOT.parent / "shared" / "reference" / "openapi" / "gateway-2026-03.yaml"
FAST = ["--latency", "0", "--ttft-ms", "0", "--tokens-per-second", "0", "--job-seconds", "1"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/fuzz.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", default=str(PUBLISHED), help="a contract file, or 'spec' for the served one")
    parser.add_argument("--max-examples", type=int, default=60)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--min-requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    return parser.parse_args(argv)


def schemathesis_command(args: argparse.Namespace, location: str, base_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        location,
        "--url",
        base_url,
        "-H",
        f"Authorization: Bearer {BENCH_KEY}",
        # Only the hooks judge (5xx against what each operation documents); a contract check that
        # fails would stop an operation's generation early and send fewer requests.
        "--exclude-checks",
        "all",
        "--continue-on-failure",
        "--max-examples",
        str(args.max_examples),
        "--phases",
        args.phases,
        "--workers",
        args.workers,
        "--request-timeout",
        "15",
        "--seed",
        str(args.seed),
        "--suppress-health-check",
        "all",
        "--no-color",
    ]


def network_problems(output: str) -> list[str]:
    """Lines of Schemathesis's summary that name timeouts or connection errors."""
    wanted = re.compile(r"timed? ?out|timeout|connection (error|refused|reset)|network error", re.IGNORECASE)
    return [line.strip() for line in output.splitlines() if wanted.search(line)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.spec != "spec" and not Path(args.spec).exists():
        print(f"{args.spec} not found (the published contract lives in ../shared/reference)")
        return 2
    with tempfile.TemporaryDirectory(prefix="aistats-fuzz-") as folder, start_ours(args.seed, FAST) as server:
        base_url = f"{server.origin}{server.prefix}"
        location = f"{base_url}/openapi.json" if args.spec == "spec" else args.spec
        counts_file = Path(folder) / "counts.json"
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "bench.fuzz_hooks", "AISTATS_FUZZ_COUNTS": str(counts_file)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run(
            schemathesis_command(args, location, base_url), capture_output=True, text=True, env=env, cwd=ROOT
        )
        counts = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    total = sum(counts.get(f"{n}xx", 0) for n in range(1, 6))
    problems = network_problems(done.stdout + done.stderr)
    summary = done.stdout.strip().splitlines()[-1:] or ["(no output)"]
    print(f"schemathesis: {summary[0]}")
    print(f"requests answered: {total}  " + "  ".join(f"{k}={counts.get(k, 0)}" for k in ("2xx", "4xx", "5xx")))
    print(f"undocumented 5xx: {counts.get('undocumented 5xx', 0)}; timeouts/connection errors: {len(problems)}")
    for key in sorted(k for k in counts if "->" in k):
        print(f"  {key}: {counts[key]}")
    for line in problems[:20]:
        print(f"  {line}")
    clean = counts.get("undocumented 5xx", 0) == 0 and not problems and total >= args.min_requests
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
