"""Work that leaves the event loop: what a large body or a heavy operation costs.

One event loop serves every client of an AsyncApp server, so a request that spends
100 ms of CPU on it (hashing a 24 MB body, parsing it, synthesising 2,048 vectors,
encoding FLAC) makes every other client wait as long. Such work runs in a worker thread
instead; small requests, most of the traffic, stay on the loop, where they are cheapest
(a thread hand-off costs about as much as a small chat's validation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

#: Bodies above this size are hashed, parsed, validated and answered in a worker thread.
OFFLOAD_BODY_BYTES = 64 * 1024

T = TypeVar("T")


async def run_off_loop_if(heavy: bool, func: Callable[..., T], *args) -> T:
    """``func(*args)``: in a worker thread when ``heavy``, else right here on the loop."""
    if heavy:
        return await run_in_threadpool(func, *args)
    return func(*args)


def is_large(body: bytes) -> bool:
    return len(body) > OFFLOAD_BODY_BYTES
