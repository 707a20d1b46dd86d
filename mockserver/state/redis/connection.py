"""Opening the Redis behind ``--state redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``).

Every key lives under the URL's prefix (:mod:`mockserver.state.location`). The clock is the
Redis server's (``TIME``, read at start and every minute, kept as an offset to the local clock),
so every process of a fleet computes job lifecycles from the same time. A standalone Redis
(or a primary) is expected: scripts build key names from the prefix.
"""

from __future__ import annotations

import re
import time

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from mockserver.state.interface import StateUnavailable
from mockserver.state.location import parse_target, redacted

CLOCK_RESYNC_SECONDS = 60.0
#: A request never waits on a lost Redis for long: (connect or reply timeout + backoff) x (1 + retries),
#: about 16 s at worst, then the gateway's 500 ``gateway_context_failed``. Debits resent by a retry
#: apply once (scripts.APPLIED_TTL_MS).
CONNECT_TIMEOUT_S, REPLY_TIMEOUT_S, RETRIES = 2.0, 5.0, 2
_GLOB_SPECIALS = re.compile(r"([*?\[\]\\])")


def connect(url: str, *, binary: bool = False) -> tuple[redis.Redis, str]:
    """A client that answered PING, and the key prefix; :class:`StateUnavailable` otherwise.
    Its replies are text, or bytes when ``binary`` (media files and journal bodies)."""
    target = parse_target(url)
    try:
        client = redis.Redis.from_url(
            target.url,
            decode_responses=not binary,
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_timeout=REPLY_TIMEOUT_S,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), RETRIES),
        )
        client.ping()
    except ValueError as exc:
        raise StateUnavailable(f"--state {redacted(url)}: {exc}") from None
    except TypeError as exc:  # a query option redis-py does not know
        raise StateUnavailable(
            f"--state {redacted(url)}: an option of the URL is not one Redis takes ({exc})"
        ) from None
    except redis.RedisError as exc:
        raise StateUnavailable(f"--state {redacted(url)}: cannot use Redis there ({exc})") from None
    return client, target.prefix


def glob_escaped(prefix: str) -> str:
    """``prefix`` as a literal in a SCAN ``MATCH`` pattern."""
    return _GLOB_SPECIALS.sub(r"\\\1", prefix)


class ServerClock:
    """Unix seconds by the Redis server's clock: the local clock plus an offset, re-read every
    minute (so processes on several machines agree on job lifecycles)."""

    def __init__(self, client: redis.Redis):
        self._client = client
        self._offset = 0.0
        self._synced_at = -CLOCK_RESYNC_SECONDS
        self._sync()

    def _sync(self) -> None:
        before = time.time()
        seconds, micros = self._client.time()
        after = time.time()
        self._offset = seconds + micros / 1e6 - (before + after) / 2
        self._synced_at = time.monotonic()

    def __call__(self) -> float:
        if time.monotonic() - self._synced_at > CLOCK_RESYNC_SECONDS:
            try:
                self._sync()
            except redis.RedisError:
                self._synced_at = time.monotonic()  # keep the last offset; try again later
        return time.time() + self._offset
