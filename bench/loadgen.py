"""Closed-loop HTTP/1.1 load generators: wrk when it is installed, else raw asyncio sockets.

Both keep ``concurrency`` keep-alive connections busy for ``duration`` seconds, one
request in flight per connection, and report requests/s, p50/p99 latency and how many
answers were not 2xx (or failed outright).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Target:
    """One request to repeat: ``url`` is absolute (``http://host:port/path``)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes = b""

    def raw(self) -> bytes:
        parts = urlsplit(self.url)
        lines = [
            f"{self.method} {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Connection: keep-alive",
        ]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int
    #: CPU seconds the server process used during the run (None where /proc is unavailable).
    server_cpu: float | None = None

    @property
    def cpu_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.requests:
            return None
        return self.server_cpu * 1000 / self.requests

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @classmethod
    def combine(cls, parts: list[Result]) -> Result:
        """Rounds of one cell as one figure: summed counts, request-weighted percentiles."""
        total = sum(p.requests for p in parts) or 1
        return cls(
            requests=sum(p.requests for p in parts),
            seconds=sum(p.seconds for p in parts),
            p50_ms=sum(p.p50_ms * p.requests for p in parts) / total,
            p99_ms=sum(p.p99_ms * p.requests for p in parts) / total,
            failures=sum(p.failures for p in parts),
            server_cpu=None if any(p.server_cpu is None for p in parts) else sum(p.server_cpu for p in parts),
        )


def available_clients() -> list[str]:
    return (["wrk"] if shutil.which("wrk") else []) + ["python"]


def run_load(client: str, target: Target, concurrency: int, duration: float) -> Result:
    if client == "wrk":
        return run_wrk(target, concurrency, duration)
    return run_python(target, concurrency, duration)


# --------------------------------------------------------------------------------- wrk

_WRK_SCRIPT = """
wrk.method = "{method}"
wrk.body = io.open("{body}", "rb"):read("*a")
{headers}
"""


def run_wrk(target: Target, concurrency: int, duration: float) -> Result:
    seconds = max(1, round(duration))
    with tempfile.TemporaryDirectory(prefix="aistats-bench-") as folder:
        body_file = Path(folder) / "body"
        body_file.write_bytes(target.body)
        headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in target.headers.items())
        script = Path(folder) / "request.lua"
        script.write_text(_WRK_SCRIPT.format(method=target.method, body=body_file, headers=headers))
        command = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            target.url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    return parse_wrk(out, seconds)


def parse_wrk(out: str, seconds: float) -> Result:
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    elapsed = _wrk_time(re.search(r"requests in ([\d.]+\w+)", out).group(1)) or seconds
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failures = int(non_2xx.group(1)) if non_2xx else 0
    failures += sum(int(n) for n in errors.groups()) if errors else 0
    return Result(
        requests=requests,
        seconds=elapsed,
        failures=failures,
        p50_ms=_wrk_time(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1)) * 1000,
        p99_ms=_wrk_time(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1)) * 1000,
    )


def _wrk_time(text: str) -> float:
    """``'1.23ms'`` → seconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}[unit]


# ------------------------------------------------------------------------ python (asyncio)


class _Connection(asyncio.Protocol):
    """Sends the request, reads one full answer, records it, sends again until the deadline."""

    def __init__(self, request: bytes, deadline: float, latencies: list[float], failures: list[int]):
        self.request, self.deadline = request, deadline
        self.latencies, self.failures = latencies, failures
        self.buffer = bytearray()
        self.started = 0.0
        self.closed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self._send()

    def _send(self) -> None:
        self.started = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        answer = _complete_answer(self.buffer)
        if answer is None:
            return
        status, used = answer
        now = time.perf_counter()
        del self.buffer[:used]
        self.latencies.append(now - self.started)
        if not 200 <= status < 300:
            self.failures[0] += 1
        if now < self.deadline:
            self._send()
        else:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if self.started and time.perf_counter() < self.deadline:
            self.failures[0] += 1
        if not self.closed.done():
            self.closed.set_result(None)


def _complete_answer(buffer: bytearray) -> tuple[int, int] | None:
    """``(status, bytes used)`` once ``buffer`` holds a whole response, else None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    status = int(head[9:12])
    length = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
    if length:
        used = end + 4 + int(length.group(1))
        return (status, used) if len(buffer) >= used else None
    if b"transfer-encoding: chunked" in head:
        return _chunked_end(buffer, end + 4, status)
    return status, end + 4


def _chunked_end(buffer: bytearray, position: int, status: int) -> tuple[int, int] | None:
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        position = line_end + 2 + size + 2
        if len(buffer) < position:
            return None
        if size == 0:
            return status, position


async def _load(target: Target, concurrency: int, duration: float) -> Result:
    loop = asyncio.get_running_loop()
    parts = urlsplit(target.url)
    request = target.raw()
    latencies: list[float] = []
    failures = [0]
    begin = time.perf_counter()
    deadline = begin + duration

    async def keep_one_busy() -> None:
        while time.perf_counter() < deadline:
            try:
                _, conn = await loop.create_connection(
                    lambda: _Connection(request, deadline, latencies, failures), parts.hostname, parts.port
                )
            except OSError:
                failures[0] += 1
                await asyncio.sleep(0.01)
                continue
            await conn.closed

    workers = [asyncio.ensure_future(keep_one_busy()) for _ in range(concurrency)]
    done, pending = await asyncio.wait(workers, timeout=duration + 10)
    for task in pending:
        task.cancel()
    failures[0] += len(pending)
    elapsed = time.perf_counter() - begin
    return _summarise(latencies, elapsed, failures[0])


def _summarise(latencies: list[float], elapsed: float, failures: int) -> Result:
    ordered = sorted(latencies)

    def percentile(q: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return Result(
        requests=len(ordered), seconds=elapsed, p50_ms=percentile(0.50), p99_ms=percentile(0.99), failures=failures
    )


def run_python(target: Target, concurrency: int, duration: float) -> Result:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_load(target, concurrency, duration))
    return uvloop.run(_load(target, concurrency, duration))
