"""Where one request's CPU goes, in-process, under cProfile: chat POST or GET /gateway/models.

    python bench/profile_inprocess.py [--request chat|models] [--requests 2000] [--top 25]

Drives the ASGI application as ``bench/inprocess_chat.py`` does (the whole stack
``aistats-mock serve`` runs, no sockets), warm, one request at a time, and prints the
functions with the most own time and the share of own time per area of the code (our
packages by sub-package, then the libraries). cProfile roughly doubles the cost of small
Python calls, so read shares, not absolute microseconds; ``bench/inprocess_chat.py`` gives
the real cost per request.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.inprocess_chat import _event_loop_runner, _one, _scope  # noqa: E402
from bench.payloads import chat_body_bytes  # noqa: E402
from mockserver.server import create_app  # noqa: E402
from mockserver.settings import Settings  # noqa: E402

#: Path fragment → area, first match wins (our sub-packages, then the libraries on the path).
AREAS = (
    ("/mockserver/server/", "mockserver.server (middleware, handler, responses)"),
    ("/mockserver/synthesis/", "mockserver.synthesis (generators)"),
    ("/mockserver/enrichment/", "mockserver.enrichment (usage, pricing, meta)"),
    ("/mockserver/state/", "mockserver.state (SQLite store)"),
    ("/mockserver/scenarios/", "mockserver.scenarios (selection, journal)"),
    ("/mockserver/", "mockserver (other)"),
    ("/connexion/", "connexion"),
    ("/starlette/", "starlette"),
    ("/faker/", "faker"),
    ("/json/", "json (stdlib)"),
    ("/random.py", "random (stdlib)"),
    ("/asyncio/", "asyncio"),
    ("/uvloop/", "uvloop"),
)


#: Milestones of the request path (file fragment, function): their cumulative time per request.
STAGES = (
    ("mockserver/server/edge.py", "__call__", "edge (GatewayEdge + EdgeRefusals: body, seed, CORS)"),
    ("mockserver/server/admin.py", "_journaled", "  admin layer: journal entry + everything inside it"),
    ("mockserver/scenarios/journal.py", "open", "    journal entry (redaction, body kept)"),
    ("connexion/middleware/routing.py", "__call__", "    connexion routing and everything inside"),
    ("connexion/middleware/security.py", "__call__", "      connexion security and everything inside"),
    ("mockserver/state/hooks.py", "authenticate", "        key check (state store)"),
    ("connexion/middleware/request_validation.py", "__call__", "        connexion request validation and inside"),
    ("mockserver/server/validators.py", "_checked", "          body parse + jsonschema-rs"),
    ("mockserver/server/handlers.py", "serve_operation", "          handler: build request, dispatch, response"),
    ("mockserver/pipeline/dispatcher.py", "handle", "            dispatcher (all stages)"),
    ("mockserver/pipeline/dispatcher.py", "_first_plan", "              scenario selection"),
    ("mockserver/synthesis/chain.py", "synthesize", "              synthesis (generator)"),
    ("mockserver/enrichment/consistency.py", "enrich", "              usage consistency"),
    ("mockserver/state/hooks.py", "succeeded", "              ledger: debit + generation record"),
    ("mockserver/server/responses.py", "to_starlette", "            reply to response (encoding)"),
)


def stage_report(stats: pstats.Stats, requests: int) -> list[str]:
    rows = stats.stats  # type: ignore[attr-defined]
    lines = []
    for fragment, function, label in STAGES:
        # The outermost of same-named functions (nested middleware classes of one module) includes the others.
        found = [row[3] for (name, _, func), row in rows.items() if fragment in name and func == function]
        cumulative = max(found, default=0.0)
        if cumulative:
            lines.append(f"  {cumulative / requests * 1e6:7.0f} us  {label}")
    return lines


def _get_scope() -> dict:
    scope = _scope(b"")
    headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-type", b"content-length")]
    return {
        **scope,
        "method": "GET",
        "path": "/v1/gateway/models",
        "raw_path": b"/v1/gateway/models",
        "headers": headers,
    }


def area_of(filename: str) -> str:
    for fragment, area in AREAS:
        if fragment in filename:
            return area
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins and C extensions (orjson, jsonschema-rs, sqlite3, ...)"
    return "other Python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--request", choices=("chat", "models"), default="chat")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    app = create_app(Settings.of(latency="0", ttft_ms=0, tokens_per_second=0))
    body = chat_body_bytes() if args.request == "chat" else b""
    scope = _scope(body) if args.request == "chat" else _get_scope()
    profile = cProfile.Profile(time.process_time)  # CPU time: a shared machine preempts us

    async def run() -> None:
        for _ in range(100):
            assert await _one(app, body, scope) == 200
        profile.enable()
        for _ in range(args.requests):
            await _one(app, body, scope)
        profile.disable()

    _event_loop_runner()(run())
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    print(f"{args.request}: {args.requests} requests, {total / args.requests * 1e6:.0f} us of profiled time each\n")
    shares: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        shares[area_of(filename)] = shares.get(area_of(filename), 0.0) + row[2]
    for area, seconds in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"  {seconds / total * 100:5.1f}%  {area}")
    print("\nCumulative time per request at milestones of the path (each includes the lines below it):")
    print("\n".join(stage_report(stats, args.requests)))
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
