"""``aistats-mock serve --workers N``: N server processes answering on one port.

The process model (ARCHITECTURE.md): the supervisor binds the one listening socket, creates
the shared state file (a temporary one, deleted at exit, unless ``--state PATH``), then
forks N workers. Each worker inherits the socket and builds its own app and its own guarded
uvicorn server (:func:`~mockserver.server.serving.make_server`: header and body deadlines,
connection cap), and the kernel hands each new connection to one of the workers waiting in
``accept``. Why one inherited socket rather than ``SO_REUSEPORT`` (one socket per worker):
it works on every platform that forks, a port 0 picks one free port for all, and no other
process can join the port; it is what uvicorn's and gunicorn's supervisors do.

Workers are forked before any app is built (the supervisor holds no SQLite connection and
no thread across the fork). Each reports when its server accepts connections; the
``Base URL:`` banner is printed once, when all of them have. SIGINT and SIGTERM stop every
worker (SIGTERM, then SIGKILL after the grace period). A worker that dies is reported on
stderr and the whole server stops with exit status 3: the state it shares with the others
is kept, but a load test should see the loss rather than a silently smaller server.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mockserver.settings import Settings
from mockserver.state.shared_db import open_shared

#: How long a worker may take to build its app and start answering.
START_SECONDS = 120.0
#: Exit status when a worker died.
WORKER_DIED = 3
STATE_FILE = "state.sqlite3"

#: Builds and runs one worker's server on ``sock``, calling ``ready(banner)`` once it answers; its exit status.
WorkerMain = Callable[[Settings, socket.socket, Callable[[str], None]], int]


class Supervisor:
    def __init__(self, settings: Settings, sock: socket.socket, worker_main: WorkerMain, grace_seconds: float = 5.0):
        self.settings = settings
        self.sock = sock
        self.worker_main = worker_main
        self.grace_seconds = grace_seconds
        self.processes: list[Any] = []
        self.stopping = False

    def run(self, on_ready: Callable[[str], None]) -> int:
        """Start the workers, call ``on_ready(banner)`` once all answer, and supervise them until a
        signal or a worker's death; the exit status."""
        previous = {sig: signal.signal(sig, self._stop_asked) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            with tempfile.TemporaryDirectory(prefix="aistats-mock-") as scratch:
                settings = self._shared_settings(Path(scratch))
                if settings.state.state_path is not None:
                    open_shared(settings.state.state_path).close()  # tables made once, before any worker
                banner = self._start(settings)
                if banner is None:
                    return WORKER_DIED if not self.stopping else 0
                on_ready(banner)
                return self._watch()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _shared_settings(self, scratch: Path) -> Settings:
        if self.settings.state.state_url:  # on Redis: the workers share it as any fleet does
            return self.settings.with_(launch_id=uuid.uuid4().hex)
        state = self.settings.state.state_path or scratch / STATE_FILE
        return self.settings.with_(state_path=state, launch_id=uuid.uuid4().hex)

    def _start(self, settings: Settings) -> str | None:
        context = multiprocessing.get_context("fork")
        waiting: dict[Any, Any] = {}
        for index in range(settings.serving.workers):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker,
                args=(self.worker_main, settings, self.sock, writer),
                name=f"aistats-mock-worker-{index}",
            )
            process.start()
            writer.close()
            self.processes.append(process)
            waiting[reader] = process
        banner = ""
        deadline = time.monotonic() + START_SECONDS
        while waiting and not self.stopping and time.monotonic() < deadline:
            for ready in multiprocessing.connection.wait(list(waiting), timeout=0.2):
                process = waiting.pop(ready)
                try:
                    banner = str(waiting_pipe(ready).recv())
                except EOFError:
                    _report(f"worker pid {process.pid} exited before it answered ({_how(process)})")
                    return None
        if waiting:
            if not self.stopping:
                _report(f"{len(waiting)} worker(s) did not start within {START_SECONDS:g} s")
            return None
        return banner

    def _watch(self) -> int:
        while not self.stopping:
            by_sentinel = {process.sentinel: process for process in self.processes}
            ended = multiprocessing.connection.wait(list(by_sentinel), timeout=0.5)
            if ended and not self.stopping:
                dead = by_sentinel[ended[0]]
                dead.join(2)  # its pipes close a moment before it can be reaped
                _report(f"worker pid {dead.pid} died ({_how(dead)}); stopping the server")
                return WORKER_DIED
        return 0

    def _stop_asked(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        alive = [process for process in self.processes if process.is_alive()]
        for process in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for process in alive:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)


def _worker(worker_main: WorkerMain, settings: Settings, sock: socket.socket, ready_pipe: Any) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def ready(banner: str) -> None:
        ready_pipe.send(banner)
        ready_pipe.close()

    raise SystemExit(worker_main(settings, sock, ready))


def waiting_pipe(ready: Any) -> Connection:
    """What ``multiprocessing.connection.wait`` returned for a pipe: the pipe."""
    pipe: Connection = ready
    return pipe


def _how(process: Any) -> str:
    code = process.exitcode
    if code is None:
        return "still running"
    if code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"exit status {code}"


def _report(message: str) -> None:
    print(f"aistats-mock: {message}", file=sys.stderr, flush=True)
