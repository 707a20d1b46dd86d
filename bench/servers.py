"""The servers under test, each a real process on 127.0.0.1: ours and Stoplight Prism.

Ours is ``aistats-mock serve --port 0`` (run as ``python -m mockserver``, one uvicorn
worker). Prism 5.16 is installed on demand with npm into ``bench/.prism/`` (gitignored)
and run as ``prism mock`` (static mode) on our merged contract, written to a temp file.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRISM_HOME = Path(__file__).resolve().parent / ".prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5.16"


class ServerUnavailable(RuntimeError):
    """The server could not be installed or started; the message says why."""


class ServerProcess:
    """A child process serving HTTP; ``origin`` is ``http://127.0.0.1:PORT``, ``prefix`` its base path."""

    def __init__(self, name: str, command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT):
        self.name = name
        #: When the process was started (start-up time is measured from here).
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.origin = ""
        self.prefix = ""
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self) -> None:
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.put(line)

    def wait_until_accepting(self, timeout: float) -> None:
        """Printing the URL can precede ``listen()``: wait until a TCP connection succeeds."""
        host, port = self.origin.removeprefix("http://").rsplit(":", 1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ServerUnavailable(f"{self.name} is not accepting connections on {self.origin}")

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        """The first output line matching ``pattern`` (ANSI colours removed)."""
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            try:
                line = re.sub(r"\x1b\[[0-9;]*m", "", self.lines.get(timeout=0.2))
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        self.stop()
        raise ServerUnavailable(f"{self.name} did not start: {''.join(seen[-5:]).strip() or 'no output'}")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process and its children (the workers of
        ``--workers N``) so far (Linux ``/proc``), else None."""
        total = 0.0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                if pid == self.process.pid:
                    return None
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.pump.join(timeout=5)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    """The pids of a process's children (a kernel without ``/proc/PID/task/PID/children``: none)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_ours(
    seed: int = 0, extra_args: list[str] | None = None, root: Path = ROOT, name: str = "aistats-mock"
) -> ServerProcess:
    """``aistats-mock serve`` from the checkout at ``root`` (another commit's export for an A/B)."""
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--seed",
        str(seed),
        *(extra_args or []),
    ]
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    server = ServerProcess(name, command, env, cwd=root)
    match = server.wait_for_line(r"Base URL: (http://[^/\s]+)(/\S*)", timeout=60)
    server.origin, server.prefix = match.group(1), match.group(2).rstrip("/")
    server.wait_until_accepting(timeout=30)
    return server


def prism_executable(install: bool = True, log=print) -> Path:
    """Prism's CLI under ``bench/.prism``, installed with npm if missing."""
    binary = PRISM_HOME / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if not install or npm is None or shutil.which("node") is None:
        raise ServerUnavailable("npm/node not found: install Node.js 18+ to compare with Stoplight Prism")
    log(f"installing {PRISM_PACKAGE} into {PRISM_HOME} (once) ...")
    PRISM_HOME.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(PRISM_HOME), PRISM_PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not binary.exists():
        raise ServerUnavailable(f"npm install {PRISM_PACKAGE} failed: {done.stderr.strip()[-400:]}")
    return binary


def start_prism(spec: dict, log=print) -> ServerProcess:
    binary = prism_executable(log=log)
    folder = Path(tempfile.mkdtemp(prefix="aistats-bench-prism-"))
    spec_file = folder / "openapi.json"
    spec_file.write_text(json.dumps(spec))
    port = _free_port()
    server = ServerProcess("prism", [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec_file)])
    server.wait_for_line(r"Prism is listening on (http://\S+)", timeout=120)
    server.origin = f"http://127.0.0.1:{port}"
    server.wait_until_accepting(timeout=30)
    server.prefix = _prism_prefix(server.origin, spec)
    return server


def _prism_prefix(origin: str, spec: dict) -> str:
    """Prism matches paths without the ``servers`` base path; check which form it routes."""
    base = (spec.get("servers") or [{}])[0].get("url", "")
    base = base if base.startswith("/") else ""
    for prefix in (base.rstrip("/"), ""):
        try:
            urllib.request.urlopen(f"{origin}{prefix}/health", timeout=10)
            return prefix
        except urllib.error.HTTPError as error:
            if error.code != 404:
                return prefix
        except OSError:
            continue
    return ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
