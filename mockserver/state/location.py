"""Where ``--state`` keeps the state: a path (SQLite) or a Redis URL, parsed without importing redis
(the client library is loaded only when a Redis URL is used: it costs start-up time).

Every key of a mock on Redis lives under one prefix, ``aistats-mock:default:`` (or, with
``?prefix=NAME`` in the URL, ``aistats-mock:NAME:``), so a reset deletes that mock's keys and
never anyone else's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.state.interface import StateUnavailable

SCHEMES = ("redis", "rediss", "unix")
ROOT_PREFIX = "aistats-mock:"
DEFAULT_NAMESPACE = "default"
_PREFIX_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


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
