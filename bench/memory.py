"""Resident memory of one worker as chat requests accumulate, in-process.

    python bench/memory.py [--requests 100000] [--every 10000] [--state PATH] [--check MB]

Builds the application with default settings (no pacing), drives ``--requests`` chat POSTs
(the 6.8 KB body of ``bench/payloads.py``) through it one at a time as
``bench/inprocess_chat.py`` does, and prints the process's RSS (``VmRSS`` of
``/proc/self/status``) and the CPU per request of each ``--every`` requests. Every chat
request is debited and recorded as a generation, so the state grows up to its row caps
(``--max-generations``, 50,000 by default). ``--check MB``: exit 1 if the last RSS is above MB
(issue 14's target: 100 MB after 100,000 requests).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.inprocess_chat import _event_loop_runner, _one  # noqa: E402
from bench.payloads import chat_body_bytes  # noqa: E402
from mockserver.server import create_app  # noqa: E402
from mockserver.settings import Settings  # noqa: E402


def rss_mb() -> float:
    """This process's resident set size in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc/self/status (Linux only)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000)
    parser.add_argument("--state", type=Path, default=None, help="an SQLite state file (default: none given)")
    parser.add_argument("--check", type=float, default=None, metavar="MB")
    args = parser.parse_args(argv)
    settings = Settings.of(latency="0", ttft_ms=0, tokens_per_second=0, state_path=args.state)
    app = create_app(settings)
    body = chat_body_bytes()
    print(f"after create_app: RSS {rss_mb():.1f} MB")

    async def run() -> float:
        done = 0
        while done < args.requests:
            chunk = min(args.every, args.requests - done)
            cpu = time.process_time()
            for _ in range(chunk):
                if await _one(app, body) != 200:
                    raise SystemExit("a chat request did not get 200")
            done += chunk
            per_request = (time.process_time() - cpu) / chunk * 1e6
            print(f"{done:>8} requests: RSS {rss_mb():6.1f} MB   CPU {per_request:5.0f} us/request", flush=True)
        return rss_mb()

    last = _event_loop_runner()(run())
    if args.check is not None and last > args.check:
        print(f"RSS {last:.1f} MB is above {args.check:.0f} MB")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
