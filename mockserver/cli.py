"""``aistats-mock``: serve the mock, or check a gateway against the contract."""

from __future__ import annotations

import argparse
import contextlib
import functools
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from mockserver import __version__
from mockserver.contract.loader import CONTRACTS, ContractError
from mockserver.dialects.registry import SurfaceError
from mockserver.enrichment.meta import TPS_HEADER, TTFT_HEADER, PaceError, parse_pace
from mockserver.pipeline.runtime import Runtime
from mockserver.recording.options import RecordingOptionError, add_recording_arguments, recording_settings
from mockserver.replies.options import add_reply_arguments, reply_settings
from mockserver.replies.rules import ReplyRuleError
from mockserver.scenarios.options import add_scenario_arguments, scenario_settings
from mockserver.scenarios.rules import RuleError
from mockserver.serving_options import add_serving_arguments, serving_settings
from mockserver.settings import ApiSettings, PacingSettings, Settings
from mockserver.state.interface import StateUnavailable
from mockserver.state.location import redacted
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
    serve.set_defaults(run=run_serve, surface=ApiSettings.surface)
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
    defaults, pacing = ApiSettings(), PacingSettings()
    serve.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help="seed for generated data: same seed + same request = same bytes (default: %(default)s)",
    )
    serve.add_argument(
        "--contract",
        choices=CONTRACTS,
        default=defaults.contract,
        help="which gateway surface to serve (default: %(default)s)",
    )
    serve.add_argument("--spec", type=Path, help="serve this OpenAPI file instead of the packaged contract")
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        default=defaults.validate_responses,
        help="have Connexion check every JSON answer against the spec (slower)",
    )
    serve.add_argument(
        "--ttft-ms",
        type=_pace(TTFT_HEADER),
        default=pacing.ttft_ms,
        help="time to first token of every stream in ms, overriding each model's profile "
        "(0 = no wait; per request: header X-Mock-TTFT-Ms)",
    )
    serve.add_argument(
        "--tokens-per-second",
        type=_pace(TPS_HEADER),
        default=pacing.tokens_per_second,
        help="stream pace in tokens/s, overriding each model's profile "
        "(0 = as fast as possible; per request: header X-Mock-Tokens-Per-Second)",
    )
    serve.add_argument(
        "--control-secret",
        default=defaults.control_secret,
        metavar="SECRET",
        help="the operator secret the x-control-secret routes (provider derank status, key "
        "cache invalidation) expect; without it they answer 503 control_secret_missing",
    )
    serve.add_argument("--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug"))
    add_serving_arguments(serve)
    add_state_arguments(serve)
    add_scenario_arguments(serve)
    add_reply_arguments(serve)
    add_recording_arguments(serve)


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
    """The settings ``serve`` (or ``providers``) options ask for; each feature's option module
    builds that feature's settings."""
    api = ApiSettings(
        surface=args.surface,
        contract=args.contract,
        spec=args.spec,
        seed=args.seed,
        validate_responses=args.validate_responses,
        control_secret=args.control_secret,
    )
    return Settings(
        api=api,
        serving=serving_settings(args),
        pacing=PacingSettings(ttft_ms=args.ttft_ms, tokens_per_second=args.tokens_per_second),
        state=state_settings(args),
        scenarios=scenario_settings(args),
        replies=reply_settings(args),
        recording=recording_settings(args),
    )


def run_serve(args: argparse.Namespace) -> int:
    from mockserver.server.workers import Supervisor

    try:
        settings = settings_from(args)
    except RecordingOptionError as exc:
        print(f"aistats-mock: error: {exc}", file=sys.stderr)
        return 2
    host, port = settings.serving.host, settings.serving.port
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"aistats-mock: cannot bind {host}:{port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    worker = functools.partial(_serve_worker, port=port, log_level=args.log_level)
    if settings.serving.workers > 1:
        return Supervisor(settings, sock, worker).run(_print_banner)
    return worker(settings, sock, _print_banner)


def _print_banner(text: str) -> None:
    print(text, flush=True)


def _serve_worker(
    settings: Settings, sock: socket.socket, ready: Callable[[str], None], *, port: int, log_level: str
) -> int:
    """Build the app and serve it on ``sock`` (the only process, or one of ``--workers N``);
    ``ready`` gets the banner once the socket answers. The exit status."""
    from mockserver.server import create_app
    from mockserver.server.serving import make_server, share_the_interpreter_finely

    try:
        app = create_app(settings)
    except (StateUnavailable, ContractError, SurfaceError, RuleError, ReplyRuleError) as exc:
        print(f"aistats-mock: error: {exc}", file=sys.stderr)
        return 2
    if settings.serving.framework == "async":
        share_the_interpreter_finely()
    server = make_server(app, log_level=log_level, on_ready=lambda: ready(_banner(app.runtime, settings, port)))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    return 0


def _banner(runtime: Runtime, settings: Settings, port: int) -> str:
    """What is printed once the socket accepts connections (every worker's is the same): a
    client may connect as soon as it reads it."""
    host = f"[{settings.serving.host}]" if ":" in settings.serving.host else settings.serving.host
    recording, admin = settings.recording, settings.scenarios.admin
    lines = []
    if settings.api.surface == "providers":
        lines += _provider_banner(f"http://{host}:{port}")
    else:
        lines.append(f"aistats-mock serving the {runtime.surface.index.title or 'gateway'} contract")
        lines.append(f"Base URL: http://{host}:{port}/v1")
        lines.append(f"Spec: http://{host}:{port}/v1/openapi.json  UI: http://{host}:{port}/v1/ui/")
    if settings.serving.workers > 1:
        state = settings.state
        shared = redacted(state.state_url) if state.state_url else state.state_path
        lines.append(f"Workers: {settings.serving.workers} processes sharing {shared or 'a temporary state file'}")
    if recording.record_dir is not None:
        lines.append(f"Recording: every request goes to {recording.upstream_url}, cassettes in {recording.record_dir}")
    if recording.replay_dir is not None:
        lines.append(
            f"Replaying: {len(runtime.replay.library or ())} cassettes from {recording.replay_dir} "
            f"(a miss: {recording.replay_miss}, streams at the {recording.replay_pace} pace)"
        )
    if admin != "off":
        reach = "loopback clients only" if admin == "loopback" else "any client"
        lines.append(f"Admin: http://{host}:{port}/__mock/ ({reach})")
    return "\n".join(lines)


#: What each SDK takes as its base URL, below the server's origin.
PROVIDER_BASE_PATHS = (
    ("OpenAI", "/openai/v1"),
    ("Anthropic", "/anthropic"),
    ("Google AI Studio", "/google"),
    ("OpenAI-compatible", "/compat/v1"),
)


def _provider_banner(origin: str) -> list[str]:
    return [
        "aistats-mock serving the provider surfaces",
        f"Base URL: {origin}",
        *(f"  {name}: {origin}{path}" for name, path in PROVIDER_BASE_PATHS),
        f"Spec: {origin}/openapi.json",
    ]


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
