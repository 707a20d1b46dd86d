"""Many concurrent paced chat streams on one worker, timed as the clients see them.

    python bench/streams.py [--streams 200] [--ttft-ms 200] [--tokens-per-second 50]
                            [--seconds 3] [--ramp-seconds 2] [--json PATH] [--check]

Starts ``aistats-mock serve`` (one process, one worker) on 127.0.0.1, opens ``--streams``
streamed chat completions (``stream: true``), their starts spread evenly over
``--ramp-seconds``, each paced per request (``X-Mock-TTFT-Ms``, ``X-Mock-Tokens-Per-Second``)
and about ``--seconds`` long (``max_tokens`` = tokens/s x seconds), and reads them all at once
on one event loop (raw sockets: the client's own cost stays small). Each received piece is
only time-stamped while the streams run; the SSE events are parsed afterwards. Per stream:

- **TTFT** (first event): from the request written to the first SSE event, which the mock
  sends after the requested time to first token;
- **TTFT (content)**: to the first event carrying content (one token group later: the
  mock's first event is the role chunk, as OpenAI's is);
- **tokens/s**: the answer's ``completion_tokens`` (its usage chunk) over the time from the
  first event to the last content event, which the pacing makes ``tokens / rate``.

It prints p50/p99 of each beside the requested pacing and the targets of issue 14 (p99
TTFT within 50 ms of the requested one; delivered tokens/s within 5%), and with
``--check`` exits 1 when a target is missed. Loopback only; every stream has a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import auth_headers  # noqa: E402
from bench.servers import ServerProcess, start_ours  # noqa: E402

#: A model without hidden reasoning: every output token is streamed as content (and paced).
MODEL = "openai/gpt-4o-mini"
TTFT_SLACK_MS = 50.0
RATE_TOLERANCE = 0.05


@dataclass
class Stream:
    """One stream's raw bytes as received, each piece with its arrival time."""

    sent_at: float = 0.0
    pieces: list[tuple[float, bytes]] = field(default_factory=list)
    error: str | None = None


class _Reader(asyncio.Protocol):
    def __init__(self, stream: Stream, done: asyncio.Future):
        self.stream, self.done = stream, done

    def data_received(self, data: bytes) -> None:
        self.stream.pieces.append((time.perf_counter(), data))
        if data.endswith(b"0\r\n\r\n") and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc) -> None:
        if not self.done.done():
            self.done.set_result(None)


@dataclass(frozen=True)
class Timing:
    ttft_ms: float
    ttft_content_ms: float
    tokens_per_second: float
    tokens: int


def request_bytes(host: str, port: int, path: str, ttft_ms: float, rate: float, seconds: float) -> bytes:
    """The chat request every stream sends: its answer is cut at ``max_tokens`` (rate x seconds).

    A plain prompt gets a natural answer of 16-96 tokens, too short for a stream of a few
    seconds; a structured answer with more strings than ``max_tokens`` holds runs to the cap.
    """
    tokens = max(8, int(rate * seconds))
    strings = {"type": "string", "minLength": 40, "maxLength": 60}
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["paragraphs"],
        "properties": {"paragraphs": {"type": "array", "minItems": tokens // 8 + 2, "items": strings}},
    }
    body = json.dumps(
        {
            "model": MODEL,
            "stream": True,
            "max_tokens": tokens,
            "response_format": {"type": "json_schema", "json_schema": {"name": "story", "schema": schema}},
            "messages": [
                {"role": "user", "content": "Write a story about a lighthouse keeper, paragraph by paragraph."}
            ],
        }
    ).encode()
    headers = {
        **auth_headers(),
        "Host": f"{host}:{port}",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Mock-TTFT-Ms": f"{ttft_ms:g}",
        "X-Mock-Tokens-Per-Second": f"{rate:g}",
        "Connection": "close",
    }
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + body


async def _one(host: str, port: int, raw: bytes, start_at: float, deadline: float) -> Stream:
    stream = Stream()
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    loop = asyncio.get_running_loop()
    done: asyncio.Future = loop.create_future()
    try:
        transport, _ = await loop.create_connection(lambda: _Reader(stream, done), host, port)
    except OSError as exc:
        stream.error = f"connect: {exc}"
        return stream
    stream.sent_at = time.perf_counter()
    transport.write(raw)
    try:
        await asyncio.wait_for(done, timeout=max(0.1, deadline - time.perf_counter()))
    except TimeoutError:
        stream.error = "deadline"
    finally:
        transport.close()
    return stream


def measure(stream: Stream) -> Timing | str:
    """The client's figures for one stream, or why there are none."""
    if stream.error:
        return stream.error
    raw = b"".join(data for _, data in stream.pieces)
    ends, total = [], 0
    for _, data in stream.pieces:
        total += len(data)
        ends.append(total)
    head_end = raw.find(b"\r\n\r\n")
    if not raw.startswith(b"HTTP/1.1 200") or head_end < 0:
        return f"status line {raw[:40]!r}"
    events = list(_events(raw, head_end + 4))
    if not events:
        return "no events"

    def arrival(offset: int) -> float:
        return stream.pieces[bisect_left(ends, offset + 1)][0]

    first = arrival(events[0][0])
    content = [end for end, data in events if _has_content(data)]
    tokens = next((_completion_tokens(data) for _, data in reversed(events) if b'"usage"' in data), 0)
    if not content or not tokens:
        return "no content or no usage"
    span = arrival(content[-1]) - first
    return Timing(
        ttft_ms=(first - stream.sent_at) * 1000,
        ttft_content_ms=(arrival(content[0]) - stream.sent_at) * 1000,
        tokens_per_second=tokens / span if span > 0 else float("inf"),
        tokens=tokens,
    )


def _events(raw: bytes, position: int):
    """(raw offset of the event's last byte, its data) for each SSE event of a chunked body."""
    buffer, offsets = bytearray(), []
    while True:
        line_end = raw.find(b"\r\n", position)
        if line_end < 0:
            break
        size = int(raw[position:line_end].split(b";")[0] or b"0", 16)
        if size == 0:
            break
        start = line_end + 2
        buffer += raw[start : start + size]
        offsets.append((len(buffer), start + size - 1))
        position = start + size + 2
    cursor = 0
    while True:
        cut = buffer.find(b"\n\n", cursor)
        if cut < 0:
            return
        body_end = cut + 2
        index = bisect_left([end for end, _ in offsets], body_end)
        chunk_end, raw_end = offsets[index]
        yield raw_end - (chunk_end - body_end), bytes(buffer[cursor:cut])
        cursor = body_end


def _has_content(event: bytes) -> bool:
    """A delta with text (not the role chunk's empty content, not a closing snapshot)."""
    return b'"delta":{"content":"' in event and b'"delta":{"content":""' not in event


def _completion_tokens(event: bytes) -> int:
    """The streamed (content) tokens the usage counts: completion minus hidden reasoning."""
    data = event.split(b"data: ", 1)[-1]
    try:
        usage = json.loads(data)["usage"]
        hidden = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
        return int(usage["completion_tokens"]) - int(hidden)
    except (ValueError, KeyError, TypeError):
        return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run_streams(origin: str, path: str, args: argparse.Namespace) -> list[Stream]:
    host, port = origin.removeprefix("http://").rsplit(":", 1)
    raw = request_bytes(host, int(port), path, args.ttft_ms, args.tokens_per_second, args.seconds)
    # Warm-up, not measured: a fresh server's first answers build caches (the schema, the catalogue's views).
    unpaced = request_bytes(host, int(port), path, 0, 0, args.seconds)
    for _ in range(3):
        await _one(host, int(port), unpaced, 0.0, time.perf_counter() + 30)
    now = time.perf_counter()
    deadline = now + args.ramp_seconds + args.ttft_ms / 1000 + args.seconds * 3 + 30
    step = args.ramp_seconds / max(1, args.streams - 1) if args.streams > 1 else 0.0
    tasks = [_one(host, int(port), raw, now + i * step, deadline) for i in range(args.streams)]
    return list(await asyncio.gather(*tasks))


def summarise(streams: list[Stream], args: argparse.Namespace, cpu_s: float | None) -> dict:
    results = [measure(stream) for stream in streams]
    timings = [r for r in results if isinstance(r, Timing)]
    failures: dict[str, int] = {}
    for r in results:
        if isinstance(r, str):
            failures[r] = failures.get(r, 0) + 1
    summary: dict = {
        "streams": args.streams,
        "completed": len(timings),
        "failures": failures,
        "requested": {"ttft_ms": args.ttft_ms, "tokens_per_second": args.tokens_per_second},
        "server_cpu_seconds": cpu_s,
    }
    if timings:
        for name in ("ttft_ms", "ttft_content_ms", "tokens_per_second"):
            values = [getattr(t, name) for t in timings]
            summary[name] = {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99), "min": min(values)}
        summary["tokens_per_stream"] = percentile([t.tokens for t in timings], 0.5)
        rate = summary["tokens_per_second"]
        summary["targets"] = {
            "ttft_p99_within_50ms": summary["ttft_ms"]["p99"] - args.ttft_ms <= TTFT_SLACK_MS,
            # The p99 of a rate is its slow tail: the worst 1% of streams is the low end.
            "rate_within_5pct": abs(
                percentile([t.tokens_per_second for t in timings], 0.01) / args.tokens_per_second - 1
            )
            <= RATE_TOLERANCE
            and abs(rate["p50"] / args.tokens_per_second - 1) <= RATE_TOLERANCE,
        }
        summary["tokens_per_second"]["p01"] = percentile([t.tokens_per_second for t in timings], 0.01)
    return summary


def report(summary: dict) -> str:
    want = summary["requested"]
    lines = [
        f"{summary['streams']} streams, requested TTFT {want['ttft_ms']:g} ms and {want['tokens_per_second']:g} "
        f"tokens/s; completed {summary['completed']}, failed {summary['failures'] or 0}",
    ]
    if "ttft_ms" in summary:
        t, c, r = summary["ttft_ms"], summary["ttft_content_ms"], summary["tokens_per_second"]
        lines += [
            f"  TTFT (first event)     p50 {t['p50']:8.1f} ms   p99 {t['p99']:8.1f} ms   (p99 - requested: "
            f"{t['p99'] - want['ttft_ms']:+.1f} ms)",
            f"  TTFT (first content)   p50 {c['p50']:8.1f} ms   p99 {c['p99']:8.1f} ms",
            f"  tokens/s delivered     p50 {r['p50']:8.2f}      slowest 1% {r['p01']:8.2f}  "
            f"({_off(r['p50'], want['tokens_per_second'])} / {_off(r['p01'], want['tokens_per_second'])})",
            f"  tokens per stream (p50) {summary['tokens_per_stream']}",
            f"  targets: p99 TTFT within 50 ms: {_yes(summary['targets']['ttft_p99_within_50ms'])}; "
            f"tokens/s within 5%: {_yes(summary['targets']['rate_within_5pct'])}",
        ]
    if summary["server_cpu_seconds"] is not None:
        lines.append(f"  server CPU during the run: {summary['server_cpu_seconds']:.2f} s")
    if summary.get("client_cpu_seconds") is not None:
        lines.append(f"  client CPU (this script, receiving): {summary['client_cpu_seconds']:.2f} s")
    return "\n".join(lines)


def _off(value: float, wanted: float) -> str:
    return f"{(value / wanted - 1) * 100:+.1f}%"


def _yes(flag: bool) -> str:
    return "met" if flag else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--ttft-ms", type=float, default=200.0)
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=3.0, help="about how long each stream lasts")
    parser.add_argument("--ramp-seconds", type=float, default=2.0, help="stream starts spread over this long")
    parser.add_argument(
        "--url", default=None, help="measure a mock already running at this base URL (http://127.0.0.1:PORT/v1)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the summary here too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.streams < 1 or args.tokens_per_second <= 0 or args.ttft_ms < 0 or args.seconds <= 0:
        parser.error("--streams >= 1, --tokens-per-second > 0, --ttft-ms >= 0 and --seconds > 0")
    if args.url:
        parts = urlsplit(args.url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be a loopback address (this is a load test)")
        origin, prefix = f"http://{parts.hostname}:{parts.port or 80}", parts.path.rstrip("/")
        streams, client_cpu = _timed(origin, prefix, args)
        cpu = None
    else:
        server: ServerProcess = start_ours(extra_args=["--max-connections", str(args.streams + 64)])
        try:
            cpu_before = server.cpu_seconds()
            streams, client_cpu = _timed(server.origin, server.prefix, args)
            cpu_after = server.cpu_seconds()
        finally:
            server.stop()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    summary = summarise(streams, args, cpu)
    summary["client_cpu_seconds"] = client_cpu
    print(report(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    met = summary.get("targets", {})
    return 0 if not args.check or (met and all(met.values()) and not summary["failures"]) else 1


def _timed(origin: str, prefix: str, args: argparse.Namespace) -> tuple[list[Stream], float]:
    """The streams, and the CPU seconds this client spent running them."""
    cpu = time.process_time()
    streams = _event_loop_runner()(run_streams(origin, prefix + "/chat/completions", args))
    return streams, time.process_time() - cpu


def _event_loop_runner():
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


if __name__ == "__main__":
    raise SystemExit(main())
