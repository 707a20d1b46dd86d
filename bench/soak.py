"""Soak: mixed traffic against one ``aistats-mock serve --state FILE`` for minutes, watching memory.

    python bench/soak.py                       # 10 minutes at ~50 req/s (the issue's figure)
    python bench/soak.py --minutes 1 --rate 30 # a short look

Every ``--sample-seconds`` (30) it prints the server's RSS (``/proc/PID/status``), the size of
the state file (with its WAL) and the counts so far. The traffic mixes what a day of client use
sends: chat (plain and streamed), responses, messages, embeddings, moderations, images, speech,
the catalogue, management keys created then deleted, credits, activity, generations, video
jobs created then polled, scenario failures, bad input and admin journal reads. Each request
has the statuses it may get; anything else, a connection error or a timeout is a failure.

The server runs with small row caps (``--max-generations`` 5,000, ``--max-jobs`` 500, the soak's
own defaults) so that a 10-minute run reaches them and shows the state file levelling off.
Exit 0 when there were no failures and RSS stayed under ``--max-rss-mb`` (200), else 1.
Load goes to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payloads import MODEL, auth_headers  # noqa: E402
from bench.servers import ServerProcess, start_ours  # noqa: E402

UNPACED = {"X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}


@dataclass(frozen=True)
class Call:
    """One kind of request of the mix: ``weight`` out of the sum, ``ok`` the statuses it may get."""

    name: str
    weight: int
    method: str
    path: str
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)


def _chat(text: str, **extra: object) -> dict:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], **extra}


MIX = [
    Call("chat", 20, "POST", "/chat/completions", _chat("How do glaciers move?")),
    Call("chat stream", 8, "POST", "/chat/completions", _chat("Tell me about rivers", stream=True)),
    Call("responses", 6, "POST", "/responses", {"model": MODEL, "input": "Hello there"}),
    Call(
        "messages",
        6,
        "POST",
        "/messages",
        {"model": "anthropic/claude-haiku-4-5", "max_tokens": 128, "messages": [{"role": "user", "content": "Hi"}]},
    ),
    Call("embeddings", 6, "POST", "/embeddings", {"model": "openai/text-embedding-3-small", "input": ["a", "b c"]}),
    Call("moderations", 4, "POST", "/moderations", {"model": "openai/omni-moderation-latest", "input": "kind words"}),
    Call(
        "image",
        2,
        "POST",
        "/images/generations",
        {"model": "openai/gpt-image-1", "prompt": "a lighthouse", "size": "256x256"},
    ),
    Call(
        "speech",
        2,
        "POST",
        "/audio/speech",
        {"model": "openai/gpt-4o-mini-tts", "input": "Good morning", "voice": "alloy"},
    ),
    Call("models", 6, "GET", "/gateway/models?limit=50"),
    Call("credits", 3, "GET", "/credits"),
    Call("activity", 2, "GET", "/activity"),
    Call("bad input", 4, "POST", "/chat/completions", {"model": MODEL, "messages": "not a list"}, ok=(400,)),
    Call("unknown model", 2, "POST", "/chat/completions", _chat("Hi") | {"model": "nobody/none"}, ok=(400,)),
    Call(
        "scenario 429",
        2,
        "POST",
        "/chat/completions",
        _chat("Hi"),
        {"X-Mock-Scenario": "upstream_rate_limited"},
        ok=(429,),
    ),
]


class Soak:
    def __init__(self, server: ServerProcess, state_file: Path, rng: random.Random):
        self.base = f"{server.origin}{server.prefix}"
        self.origin = server.origin
        self.server = server
        self.state_file = state_file
        self.rng = rng
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        self.samples: list[dict] = []
        self.client = httpx.AsyncClient(timeout=30, headers={**auth_headers(), **UNPACED})

    async def one(self, call: Call) -> None:
        try:
            response = await self.client.request(
                call.method, self.base + call.path, json=call.body, headers=call.headers
            )
            await response.aread()
        except httpx.HTTPError as error:
            self._fail(f"{call.name}: {type(error).__name__} {error}")
            return
        self.counts[call.name] += 1
        if response.status_code not in call.ok:
            self._fail(f"{call.name}: {response.status_code} {response.text[:200]}")

    async def key_round_trip(self) -> None:
        """Create a management key, use it, delete it (state that grows unless pruned)."""
        try:
            made = await self.client.post(self.base + "/management/keys", json={"name": "soak"})
            key = made.json()["key"]
            used = await self.client.get(self.base + "/credits", headers={"Authorization": f"Bearer {key['key']}"})
            gone = await self.client.delete(f"{self.base}/management/keys/{key['id']}")
        except (httpx.HTTPError, KeyError, ValueError) as error:
            self._fail(f"keys: {type(error).__name__} {error}")
            return
        self.counts["keys"] += 1
        if (made.status_code, used.status_code) != (201, 200) or gone.status_code not in (200, 204):
            self._fail(f"keys: {made.status_code}/{used.status_code}/{gone.status_code}")

    async def video_job(self) -> None:
        try:
            made = await self.client.post(self.base + "/videos", json={"model": "openai/sora-2", "prompt": "a cat"})
            polled = await self.client.get(f"{self.base}/videos/{made.json()['id']}")
        except (httpx.HTTPError, KeyError, ValueError) as error:
            self._fail(f"video: {type(error).__name__} {error}")
            return
        self.counts["video"] += 1
        if (made.status_code, polled.status_code) != (200, 200):
            self._fail(f"video: {made.status_code}/{polled.status_code}")

    async def generation_lookup(self) -> None:
        """A chat, then its generation record by id (what a billing dashboard does)."""
        try:
            chat = await self.client.post(self.base + "/chat/completions", json=_chat("Hi"))
            record = await self.client.get(self.base + "/generations", params={"id": chat.json()["id"]})
        except (httpx.HTTPError, KeyError, ValueError) as error:
            self._fail(f"generations: {type(error).__name__} {error}")
            return
        self.counts["generations"] += 1
        if (chat.status_code, record.status_code) != (200, 200):
            self._fail(f"generations: {chat.status_code}/{record.status_code} {record.text[:200]}")

    async def journal(self) -> None:
        try:
            response = await self.client.get(self.origin + "/__mock/journal", params={"limit": 50})
        except httpx.HTTPError as error:
            self._fail(f"journal: {type(error).__name__} {error}")
            return
        self.counts["journal"] += 1
        if response.status_code != 200:
            self._fail(f"journal: {response.status_code}")

    def _fail(self, what: str) -> None:
        self.failures.append(what)
        if len(self.failures) <= 20:
            print(f"  FAILURE {what}", flush=True)

    def pick(self):
        roll = self.rng.random()
        if roll < 0.03:
            return self.key_round_trip()
        if roll < 0.05:
            return self.video_job()
        if roll < 0.06:
            return self.journal()
        if roll < 0.08:
            return self.generation_lookup()
        return self.one(self.rng.choices(MIX, weights=[c.weight for c in MIX])[0])

    def sample(self, started: float) -> dict:
        state_bytes = sum(p.stat().st_size for p in self.state_file.parent.glob(self.state_file.name + "*"))
        row = {
            "seconds": round(time.monotonic() - started),
            "rss_mb": round(rss_mb(self.server.process.pid), 1),
            "state_mb": round(state_bytes / 2**20, 2),
            "requests": sum(self.counts.values()),
            "failures": len(self.failures),
        }
        self.samples.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        return row

    async def run(self, seconds: float, rate: float, sample_every: float, max_in_flight: int = 64) -> None:
        started = time.monotonic()
        next_sample = started
        pending: set[asyncio.Task] = set()
        for number in itertools.count():
            now = time.monotonic()
            if now - started >= seconds:
                break
            if now >= next_sample:
                self.sample(started)
                next_sample += sample_every
            due = started + number / rate
            if due > now:
                await asyncio.sleep(due - now)
            if len(pending) >= max_in_flight:
                self._fail(f"overload: more than {max_in_flight} requests in flight")
                await asyncio.wait(set(pending), return_when=asyncio.FIRST_COMPLETED)
            task = asyncio.ensure_future(self.pick())
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending, timeout=60)
        self.sample(started)
        await self.client.aclose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/soak.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    parser.add_argument("--sample-seconds", type=float, default=30.0)
    parser.add_argument("--max-rss-mb", type=float, default=200.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-generations", type=int, default=5000, help="the server's row cap (default 5000)")
    parser.add_argument("--max-jobs", type=int, default=500, help="the server's job cap (default 500)")
    parser.add_argument("--json", type=Path, help="write the samples and totals here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aistats-soak-") as folder:
        state_file = Path(folder) / "state.sqlite"
        server_args = ["--state", str(state_file), "--job-seconds", "2", "--latency", "0"]
        server_args += ["--max-generations", str(args.max_generations), "--max-jobs", str(args.max_jobs)]
        with start_ours(seed=args.seed, extra_args=server_args) as server:
            soak = Soak(server, state_file, random.Random(args.seed))
            asyncio.run(soak.run(args.minutes * 60, args.rate, args.sample_seconds))
    peak = max(row["rss_mb"] for row in soak.samples)
    total = sum(soak.counts.values())
    print(f"\n{total} requests, {len(soak.failures)} failures, peak RSS {peak} MB (limit {args.max_rss_mb})")
    print("by kind: " + ", ".join(f"{name} {count}" for name, count in soak.counts.most_common()))
    if args.json:
        args.json.write_text(json.dumps({"samples": soak.samples, "counts": soak.counts, "failures": soak.failures}))
    return 0 if not soak.failures and peak <= args.max_rss_mb else 1


if __name__ == "__main__":
    sys.exit(main())
