"""``aistats-mock``: serve the mock, or check a gateway against the contract."""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from pathlib import Path

from mockserver import __version__
from mockserver.contract.loader import CONTRACTS, DEFAULT_CONTRACT, ContractError
from mockserver.dialects.registry import SurfaceError
from mockserver.enrichment.meta import TPS_HEADER, TTFT_HEADER, PaceError, parse_pace
from mockserver.replies.options import add_reply_arguments, reply_settings
from mockserver.scenarios.options import add_scenario_arguments, scenario_settings
from mockserver.serving_options import add_serving_arguments, serving_settings
from mockserver.settings import Settings
from mockserver.state.options import add_state_arguments, state_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aistats-mock",
        description="Contract-first mock server and conformance suite for the AI Stats Gateway API.",
    )
    parser.add_argument("--version", action="version", version=f"aistats-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the mock gateway",
        description="Serve a mock of the AI Stats Gateway on http://HOST:PORT/v1 (spec at /v1/openapi.json, "
        "Swagger UI at /v1/ui). Stop with Ctrl-C.",
    )
    add_serve_arguments(serve)
    serve.set_defaults(run=run_serve, surface="gateway")
    providers = commands.add_parser(
        "providers",
        help="serve mocks of the providers behind the gateway (OpenAI, Anthropic, Google, OpenAI-compatible)",
        description="Serve the providers' own APIs on one port under path prefixes: /openai/v1, "
        "/anthropic/v1, /google/v1beta and /compat/v1 (the shapes a gateway's executors call). "
        "Same options as serve; scenarios, rules, scripted replies and the journal work the same.",
    )
    add_serve_arguments(providers)
    providers.set_defaults(run=run_serve, surface="providers")
    for register in _extra_commands():
        register(commands)
    return parser


def add_serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default: %(default)s)")
    serve.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for generated data: same seed + same request = same bytes (default: %(default)s)",
    )
    serve.add_argument(
        "--contract",
        choices=CONTRACTS,
        default=DEFAULT_CONTRACT,
        help="which gateway surface to serve (default: %(default)s)",
    )
    serve.add_argument("--spec", type=Path, help="serve this OpenAPI file instead of the packaged contract")
    serve.add_argument(
        "--framework",
        choices=("async", "flask"),
        default="async",
        help="Connexion AsyncApp (default, faster) or FlaskApp",
    )
    serve.add_argument(
        "--max-body-mb", type=float, default=25.0, help="bodies larger than this get 413 (default: %(default)s)"
    )
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        help="have Connexion check every JSON answer against the spec (slower)",
    )
    serve.add_argument(
        "--ttft-ms",
        type=_pace(TTFT_HEADER),
        default=None,
        help="time to first token of every stream in ms, overriding each model's profile "
        "(0 = no wait; per request: header X-Mock-TTFT-Ms)",
    )
    serve.add_argument(
        "--tokens-per-second",
        type=_pace(TPS_HEADER),
        default=None,
        help="stream pace in tokens/s, overriding each model's profile "
        "(0 = as fast as possible; per request: header X-Mock-Tokens-Per-Second)",
    )
    serve.add_argument(
        "--control-secret",
        default=None,
        metavar="SECRET",
        help="the operator secret the x-control-secret routes (provider derank status, key "
        "cache invalidation) expect; without it they answer 503 control_secret_missing",
    )
    serve.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))
    add_serving_arguments(serve)
    add_state_arguments(serve)
    add_scenario_arguments(serve)
    add_reply_arguments(serve)


def _pace(header: str):
    """An argparse type: the same bounds as the per-request header."""

    def parse(text: str) -> float:
        try:
            return parse_pace(header, text)
        except PaceError as exc:
            option = "--ttft-ms" if header == TTFT_HEADER else "--tokens-per-second"
            raise argparse.ArgumentTypeError(f"{option} {exc}") from None

    return parse


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        seed=args.seed,
        contract=args.contract,
        spec=args.spec,
        surface=getattr(args, "surface", "gateway"),
        framework=args.framework,
        host=args.host,
        port=args.port,
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        validate_responses=args.validate_responses,
        ttft_ms=args.ttft_ms,
        tokens_per_second=args.tokens_per_second,
        control_secret=args.control_secret,
        **serving_settings(args),
        **state_settings(args),
        **scenario_settings(args),
        **reply_settings(args),
    )


def run_serve(args: argparse.Namespace) -> int:
    from mockserver.server import create_app
    from mockserver.server.serving import make_server, share_the_interpreter_finely

    settings = settings_from(args)
    try:
        app = create_app(settings)
    except (ContractError, SurfaceError) as exc:
        print(f"aistats-mock: {exc}", file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"aistats-mock: cannot bind {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    if settings.framework == "async":
        share_the_interpreter_finely()
    server = make_server(app, log_level=args.log_level, on_ready=lambda: _print_banner(app, settings, port))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0


def _print_banner(app, settings: Settings, port: int) -> None:
    """Printed once the socket accepts connections: a client may connect as soon as it reads it."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    if settings.surface == "providers":
        _print_provider_banner(f"http://{host}:{port}")
    else:
        print(f"aistats-mock serving the {app.runtime.surface.index.title or 'gateway'} contract", flush=True)
        print(f"Base URL: http://{host}:{port}/v1", flush=True)
        print(f"Spec: http://{host}:{port}/v1/openapi.json  UI: http://{host}:{port}/v1/ui/", flush=True)
    if settings.admin != "off":
        reach = "loopback clients only" if settings.admin == "loopback" else "any client"
        print(f"Admin: http://{host}:{port}/__mock/ ({reach})", flush=True)


#: What each SDK takes as its base URL, below the server's origin.
PROVIDER_BASE_PATHS = (
    ("OpenAI", "/openai/v1"),
    ("Anthropic", "/anthropic"),
    ("Google AI Studio", "/google"),
    ("OpenAI-compatible", "/compat/v1"),
)


def _print_provider_banner(origin: str) -> None:
    print("aistats-mock serving the provider surfaces", flush=True)
    print(f"Base URL: {origin}", flush=True)
    for name, path in PROVIDER_BASE_PATHS:
        print(f"  {name}: {origin}{path}", flush=True)
    print(f"Spec: {origin}/openapi.json", flush=True)


def _extra_commands():
    """Sub-commands contributed by other packages (``conform`` from the conformance suite)."""
    try:
        from conformance.cli import register_command
    except ImportError:
        return []
    return [register_command]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
