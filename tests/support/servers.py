"""Real sockets: the mock (or any ASGI app) in a uvicorn thread, or ``aistats-mock serve`` as a process.

    with live_server(seed=7) as origin:            # "http://127.0.0.1:<port>"
        openai.OpenAI(base_url=origin + "/v1", api_key=KEY)

Both bind port 0, wait until the server accepts, and always stop in bounded time when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from mockserver.server import create_app
from mockserver.server.serving import make_server
from mockserver.settings import Settings
from tests.support.constants import ROOT

START_TIMEOUT_S = 10.0
#: Settings of a mock that answers as fast as it can (conformance runs, workflows).
FAST: dict[str, Any] = dict(latency="0", ttft_ms=0, tokens_per_second=0, job_seconds=0.3, job_failure_rate=0.0)
_FAST_ARGS = ["--latency", "0", "--ttft-ms", "0", "--tokens-per-second", "0", "--job-seconds", "0.3"]


def mock_app(**settings: Any) -> Any:
    """The mock's ASGI app with ``FAST`` settings (overridable)."""
    return create_app(Settings.of(**{**FAST, **settings}))


@contextlib.contextmanager
def live_server(framework: str = "async", **settings: Any) -> Iterator[str]:
    """A mock with ``settings`` on a real socket, in a thread; yields its origin."""
    with serve_app(create_app(Settings.of(framework=framework, **settings))) as origin:
        yield origin


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread; yield its base URL (``.../v1``)."""
    with serve_app(app) as origin:
        yield origin + "/v1"


@contextlib.contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Run any ASGI ``app`` with uvicorn in a thread; yield its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = make_server(app, log_level="critical", graceful_seconds=1)  # as `aistats-mock serve` runs
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the live mock server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


@contextlib.contextmanager
def mock_process(*args: str, command_name: str = "serve") -> Iterator[str]:
    """``aistats-mock serve --port 0`` (fast settings, then ``args``) as a process; yield the base URL it prints.

    ``command_name="providers"`` runs ``aistats-mock providers`` instead (its base URL is the origin).
    """
    with mock_process_handle(*args, command_name=command_name) as (base_url, _process):
        yield base_url


@contextlib.contextmanager
def mock_process_handle(
    *args: str, stderr: int | None = subprocess.DEVNULL, command_name: str = "serve"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """:func:`mock_process`, yielding the process too (its exit status, its stderr when piped)."""
    command = [sys.executable, "-m", "mockserver.cli", command_name, "--port", "0", *_FAST_ARGS]
    command += ["--job-failure-rate", "0", *args]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield _base_url_printed_by(process), process
    finally:
        stop_process(process)


def _base_url_printed_by(process: subprocess.Popen) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Base URL:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("the mock did not start")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server process (SIGTERM, then SIGKILL after 10 s) and close its pipes."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()
