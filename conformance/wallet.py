"""The key's wallet as the gateway reports it (``GET /credits``), in nanos of USD.

The spend a run reports, and the live profile's spend cap, rest on the wallet where the key
can read it: the ``pricing`` answers report misses charges made later (a video or music job
is charged when it completes) and charges no answer reports at all.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from mockserver.enrichment.pricing import NANOS_PER_USD

#: The gateway refuses priced calls (402 insufficient_funds) below this balance.
MINIMUM_BALANCE_NANOS = NANOS_PER_USD


class WalletMeter:
    """Reads ``credits.remaining`` through ``GET /credits``; ``None`` where the key cannot."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float = 10.0):
        self.base_url = base_url
        self.headers = headers
        self.timeout = timeout
        self.readable = True

    def read(self) -> int | None:
        if not self.readable:
            return None
        try:
            response = httpx.get(self.base_url + "/credits", headers=self.headers, timeout=self.timeout)
        except httpx.HTTPError:
            return None
        remaining = _remaining(response)
        if remaining is None and response.status_code in (401, 403, 404):
            self.readable = False
        return remaining

    def settled(self, wait_s: float = 5.0, interval_s: float = 0.3) -> int | None:
        """A reading that stays put for ``interval_s`` (background job charges landed), within ``wait_s``."""
        deadline = time.monotonic() + wait_s
        last = self.read()
        while last is not None and time.monotonic() < deadline:
            time.sleep(interval_s)
            now = self.read()
            if now == last:
                return now
            last = now
        return last


def _remaining(response: Any) -> int | None:
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    credits = body.get("credits") if isinstance(body, dict) else None
    value = credits.get("remaining") if isinstance(credits, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
