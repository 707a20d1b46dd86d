"""Opening the Redis behind ``--state redis://HOST:PORT/DB`` (or ``rediss://``, ``unix://``).

Every key of the mock lives under one prefix, ``aistats-mock:default:`` (or, with
``?prefix=NAME`` in the URL, ``aistats-mock:NAME:``), so a reset deletes that mock's keys and
never anyone else's. The clock is the Redis server's (``TIME``, read at start and every minute, kept as an
offset to the local clock), so every process of a fleet computes job lifecycles from the same
time. A standalone Redis (or a primary) is expected: scripts build key names from the prefix.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from mockserver.state.interface import StateUnavailable

SCHEMES = ("redis", "rediss", "unix")
ROOT_PREFIX = "aistats-mock:"
DEFAULT_NAMESPACE = "default"
CLOCK_RESYNC_SECONDS = 60.0
#: A request never waits on a lost Redis for long: (connect or reply timeout + backoff) x (1 + retries),
#: about 16 s at worst, then the gateway's 500 ``gateway_context_failed``. Debits resent by a retry
#: apply once (scripts.APPLIED_TTL_MS).
CONNECT_TIMEOUT_S, REPLY_TIMEOUT_S, RETRIES = 2.0, 5.0, 2
_PREFIX_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_GLOB_SPECIALS = re.compile(r"([*?\[\]\\])")


def is_redis_url(text: str) -> bool:
    """Whether ``--state`` names Redis rather than a SQLite file."""
    return text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Target:
    """A parsed ``--state`` URL: what redis-py connects to, and the key prefix."""

    url: str
    prefix: str


def parse_target(url: str) -> Target:
    """The connection URL and key prefix of ``url``, or :class:`StateUnavailable` naming the option."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise StateUnavailable(f"--state {redacted(url)}: the scheme must be one of {', '.join(SCHEMES)}")
    if parts.scheme.lower() != "unix" and not parts.hostname:
        raise StateUnavailable(f"--state {redacted(url)}: no host (redis://HOST:PORT/DB)")
    try:
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        raise StateUnavailable(f"--state {redacted(url)}: the port must be a number") from None
    database = parts.path.strip("/") if parts.scheme.lower() != "unix" else ""
    if database and not database.isdigit():
        raise StateUnavailable(f"--state {redacted(url)}: the database must be a number (redis://HOST:PORT/0)")
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [value for name, value in query if name == "prefix"]
    if names and not _PREFIX_NAME.fullmatch(names[-1]):
        raise StateUnavailable(f"--state {redacted(url)}: prefix must be 1-64 of A-Z a-z 0-9 _ . -")
    prefix = f"{ROOT_PREFIX}{names[-1] if names else DEFAULT_NAMESPACE}:"
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    base = url.split("?", 1)[0].split("#", 1)[0]  # not urlunsplit: it turns unix:///path into unix:/path
    return Target(f"{base}?{rest}" if rest else base, prefix)


def connect(url: str) -> tuple[redis.Redis, str]:
    """A client that answered PING, and the key prefix; :class:`StateUnavailable` otherwise."""
    target = parse_target(url)
    try:
        client = redis.Redis.from_url(
            target.url,
            decode_responses=True,
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
