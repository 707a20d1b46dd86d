"""Command-line options of the server process and its own protection (``aistats-mock serve``).

What they set is applied by mockserver/server/serving.py (header timeout, connection cap),
mockserver/server/edge.py (body timeout, body cap) and workers.py; ``--public-url`` by the
media generators.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from mockserver.settings import ServingSettings

#: More processes than this on one machine is a typing mistake rather than a plan.
MAX_WORKERS = 256


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be a positive number, not {text!r}")
        return value

    return parse


def _origin(text: str) -> str:
    parsed = urlsplit(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise argparse.ArgumentTypeError(f"must be an http(s) URL such as http://mock.internal:8080, not {text!r}")
    return text.rstrip("/")


def _workers(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be auto or a whole number from 1 to {MAX_WORKERS}, not {text!r}")
    return value


def add_serving_arguments(serve: argparse.ArgumentParser) -> None:
    defaults = ServingSettings()
    serve.add_argument("--host", default=defaults.host, help="interface to bind (default: %(default)s)")
    serve.add_argument(
        "--port", type=int, default=defaults.port, help="port to bind; 0 picks a free one (default: %(default)s)"
    )
    serve.add_argument(
        "--framework",
        choices=("async", "flask"),
        default=defaults.framework,
        help="Connexion AsyncApp (default, faster) or FlaskApp",
    )
    serve.add_argument(
        "--max-body-mb",
        type=float,
        default=defaults.max_body_bytes / 1024 / 1024,
        help="bodies larger than this get 413 (default: %(default)s)",
    )
    serve.add_argument(
        "--workers",
        type=_workers,
        default=defaults.workers,
        metavar="N",
        help="server processes answering on one port, sharing their state through the --state file "
        "(a temporary one when not given); auto = one per core (default: %(default)s)",
    )
    serve.add_argument(
        "--header-timeout",
        type=_positive(float),
        default=defaults.header_timeout_s,
        metavar="SECONDS",
        help="time a client has to send a request's headers (a new connection too); then 408 "
        "or close (default: %(default)s)",
    )
    serve.add_argument(
        "--body-timeout",
        type=_positive(float),
        default=defaults.body_timeout_s,
        metavar="SECONDS",
        help="time a client has to send a request's body; then 408 (default: %(default)s)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive(int),
        default=defaults.max_connections,
        metavar="N",
        help="connections held open at once; above it idle ones are closed first (default: %(default)s)",
    )
    serve.add_argument(
        "--public-url",
        type=_origin,
        default=defaults.public_url,
        metavar="URL",
        help="origin that media download URLs are built on, e.g. behind a proxy "
        "(default: the address the client connected to)",
    )


def serving_settings(args: argparse.Namespace) -> ServingSettings:
    return ServingSettings(
        host=args.host,
        port=args.port,
        framework=args.framework,
        max_body_bytes=int(args.max_body_mb * 1024 * 1024),
        header_timeout_s=args.header_timeout,
        body_timeout_s=args.body_timeout,
        max_connections=args.max_connections,
        public_url=args.public_url,
        workers=args.workers,
    )
