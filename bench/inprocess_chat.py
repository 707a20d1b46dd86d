"""CPU cost of one chat POST inside the server, without sockets or a load generator.

    python bench/inprocess_chat.py [--requests 2000] [--rounds 5] [--framework async] [--shared-state]

Drives the ASGI application directly (the same stack ``aistats-mock serve`` runs: edge,
admin journal, Connexion validation, dispatcher, encoding) with the 6.8 KB chat body of
``bench/payloads.py``, one request at a time on one event loop, and prints the best
round's microseconds of process CPU and of wall time per request. It is the figure to
compare before and after a change to the request path (noise: a few per cent; take the
best of several rounds on an idle machine).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import auth_headers, chat_body_bytes  # noqa: E402
from mockserver.server import create_app  # noqa: E402
from mockserver.settings import Settings  # noqa: E402


def _scope(body: bytes) -> dict:
    headers = [(k.lower().encode(), v.encode()) for k, v in auth_headers().items()]
    headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(b"host", b"127.0.0.1:8080")]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }


async def _one(app, body: bytes, scope: dict | None = None) -> int:
    """One request through ``app`` (the chat POST unless ``scope`` says otherwise); its status."""
    status: list[int] = []
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(dict(scope) if scope is not None else _scope(body), receive, send)
    return status[0]


async def _round(app, body: bytes, requests: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        status = await _one(app, body)
        if status != 200:
            raise SystemExit(f"the chat request got {status}")
    return (time.process_time() - cpu) / requests * 1e6, (time.perf_counter() - wall) / requests * 1e6


def _event_loop_runner():
    """uvloop's runner when installed (``aistats-mock serve`` runs on uvloop), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--framework", choices=("async", "flask"), default="async")
    parser.add_argument(
        "--shared-state",
        action="store_true",
        help="one worker of `serve --workers 2`: journal, counters and state in a shared SQLite file",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        shared = {"workers": 2, "state_path": Path(scratch) / "state.sqlite3"} if args.shared_state else {}
        settings = Settings.of(framework=args.framework, latency="0", ttft_ms=0, tokens_per_second=0, **shared)
        return _measure(create_app(settings), args)


def _measure(app, args: argparse.Namespace) -> int:
    body = chat_body_bytes()

    async def run() -> list[tuple[float, float]]:
        await _round(app, body, 50)
        return [await _round(app, body, args.requests) for _ in range(args.rounds)]

    rounds = _event_loop_runner()(run())
    best_cpu = min(cpu for cpu, _ in rounds)
    best_wall = min(wall for _, wall in rounds)
    where = "shared state file" if args.shared_state else "default state"
    print(
        f"chat POST in-process ({args.framework}, {where}, {len(body)} B body, "
        f"{args.requests} requests x {args.rounds})"
    )
    print(f"  CPU per request:  best {best_cpu:.0f} us   rounds {', '.join(f'{c:.0f}' for c, _ in rounds)}")
    print(f"  wall per request: best {best_wall:.0f} us   ({1e6 / best_wall:.0f} requests/s on one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
