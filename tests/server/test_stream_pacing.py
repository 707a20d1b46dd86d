"""Paced streams keep their schedule: the time spent producing frames does not add to the delays."""

from __future__ import annotations

import asyncio
import time

from mockserver.model import Chunk, MockReply
from mockserver.server.responses import _paced_async, _paced_sync

FRAMES, DELAY, WORK = 10, 0.05, 0.03


def _slow_reply() -> MockReply:
    """Ten frames 50 ms apart, each taking 30 ms of the server's time to produce."""

    def frames():
        for index in range(FRAMES):
            time.sleep(WORK)
            yield Chunk(f"data: {index}\n\n".encode(), delay=DELAY)

    return MockReply(stream=frames(), media_type="text/event-stream")


def test_async_pacing_follows_a_schedule_not_a_sleep_after_each_frame():
    async def drain() -> tuple[float, list[bytes]]:
        started = time.perf_counter()
        got = [data async for data in _paced_async(_slow_reply())]
        return time.perf_counter() - started, got

    elapsed, got = asyncio.run(drain())
    assert len(got) == FRAMES
    # On schedule: the delays' sum (0.5 s), not delays plus production (0.8 s).
    assert FRAMES * DELAY <= elapsed < FRAMES * DELAY + 0.2


def test_sync_pacing_follows_the_same_schedule():
    started = time.perf_counter()
    got = list(_paced_sync(_slow_reply()))
    elapsed = time.perf_counter() - started
    assert len(got) == FRAMES
    assert FRAMES * DELAY <= elapsed < FRAMES * DELAY + 0.2
