"""Helpers for the conformance-suite tests: serve an ASGI app (or the mock as a separate
process) on 127.0.0.1 port 0, and wrap our app so that it breaks the contract one way."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mockserver.server import create_app
from mockserver.settings import Settings
from tests.live_server import serve_app

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(latency="0", ttft_ms=0, tokens_per_second=0, job_seconds=0.3, job_failure_rate=0.0)


def mock_app(**settings: Any):
    return create_app(Settings(**{**FAST, **settings}))


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread; yield its base URL (``.../v1``)."""
    with serve_app(app) as origin:
        yield origin + "/v1"


@contextlib.contextmanager
def mock_process(*args: str) -> Iterator[str]:
    """``aistats-mock serve`` as a separate process; yield its base URL."""
    command = [
        sys.executable,
        "-m",
        "mockserver.cli",
        "serve",
        "--port",
        "0",
        "--latency",
        "0",
        "--ttft-ms",
        "0",
        "--tokens-per-second",
        "0",
        "--job-seconds",
        "0.3",
        "--job-failure-rate",
        "0",
        *args,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        base_url = None
        deadline = time.monotonic() + 30
        while base_url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("Base URL:"):
                base_url = line.split(":", 1)[1].strip()
        assert base_url, "the mock did not start"
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        process.stdout.close()


Rewrite = Callable[[dict, int, list, bytes], tuple[int, list, bytes]]


class Breaker:
    """ASGI wrapper: buffers answers of matching requests and rewrites them with ``rewrite``."""

    def __init__(self, app: Any, matches: Callable[[dict], bool], rewrite: Rewrite):
        self.app = app
        self.matches = matches
        self.rewrite = rewrite

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.matches(scope):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    status, headers, body = self.rewrite(
                        scope, start["status"], list(start["headers"]), b"".join(chunks)
                    )
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def on(method: str, path_suffix: str) -> Callable[[dict], bool]:
    return lambda scope: scope["method"] == method and scope["path"].endswith(path_suffix)


def json_rewrite(change: Callable[[Any], Any], *, statuses: range = range(200, 300)) -> Rewrite:
    def rewrite(scope, status, headers, body):
        content_type = dict(headers).get(b"content-type", b"")
        if status not in statuses or b"json" not in content_type:
            return status, headers, body
        return status, headers, json.dumps(change(json.loads(body))).encode()

    return rewrite
