"""What the Redis repositories share: the client, the key prefix, scripts, and JSON rows
updated under ``WATCH`` (optimistic transactions, retried when another writer got there first)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis

from mockserver.state.interface import StateUnavailable

#: The first part of the keys of what the processes of a fleet share beyond the store
#: (journal, rule counters, run-time rules, media: :mod:`.shared`), which the store's reset leaves.
SHARED = "shared"

#: A row's fate in :meth:`Namespace.transact`: ``keep`` it, ``set`` it to ``value``, or ``delete`` it.
KEEP, SET, DELETE = "keep", "set", "delete"


@dataclass(frozen=True)
class Edit:
    action: str = KEEP
    value: dict[str, Any] | None = None


class Namespace:
    """A Redis client and the prefix every key of this mock lives under."""

    def __init__(self, client: redis.Redis, prefix: str):
        self.client = client
        self.prefix = prefix

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def script(self, source: str) -> Callable[..., Any]:
        """A registered Lua script; call it with its ARGV after the prefix."""
        registered = self.client.register_script(source)

        def run(*args: Any) -> Any:
            return registered(keys=[], args=[self.prefix, *args])

        return run

    def load(self, key: str) -> dict[str, Any] | None:
        text = self.client.get(key)
        return None if text is None else json.loads(text)

    def transact(
        self,
        key: str,
        decide: Callable[[dict[str, Any] | None], Edit],
        extra: Callable[[redis.client.Pipeline, Edit], None] | None = None,
    ) -> Edit:
        """Read the JSON row at ``key``, let ``decide`` what becomes of it, and write that in one
        transaction (with ``extra``'s commands), retrying when the row changed meanwhile."""
        with self.client.pipeline() as pipe:
            while True:
                try:
                    watch(pipe, key)
                    text = pipe.get(key)
                    edit = decide(None if text is None else json.loads(text))
                    if edit.action == KEEP:
                        pipe.unwatch()
                        return edit
                    pipe.multi()
                    if edit.action == SET:
                        pipe.set(key, json.dumps(edit.value, separators=(",", ":")), keepttl=True)
                    else:
                        pipe.delete(key)
                    if extra is not None:
                        extra(pipe, edit)
                    pipe.execute()
                    return edit
                except redis.WatchError:
                    continue


def watch(pipe: redis.client.Pipeline, *keys: str) -> None:
    """``WATCH keys`` on ``pipe`` (redis-py leaves this method untyped)."""
    pipe.watch(*keys)  # type: ignore[no-untyped-call]


def texts(values: Any) -> list[str]:
    """A redis-py list reply as the strings it holds (the client decodes responses)."""
    return [str(value) for value in values]


def scored(values: Any) -> list[tuple[str, float]]:
    """A redis-py ``WITHSCORES`` reply as (member, score) pairs."""
    return [(str(member), float(score)) for member, score in values]


def seq_member(seq: str, ident: str) -> str:
    return f"{seq}|{ident}"


def member_id(member: str) -> str:
    """The id part of a ``seq|id`` member."""
    return member.split("|", 1)[1]


@contextlib.contextmanager
def reachable(what: str) -> Iterator[None]:
    """Turn a lost Redis into :class:`StateUnavailable` naming ``what`` (for the callers outside the
    gateway's error handling: the journal, the media route)."""
    try:
        yield
    except redis.RedisError as exc:
        raise StateUnavailable(f"{what}: Redis did not answer ({exc})") from None
