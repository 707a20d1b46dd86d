"""Named counters on Redis (:class:`~mockserver.state.counters.Counters`), shared by every process
of a fleet: the scenario and reply rules' call counts ("fail twice, then succeed" counted across
processes), the error rate's sequence, how often each request seed was seen.

Layout under ``<prefix>shared:counters:<namespace>``: a hash name → value, and, when the
namespace keeps at most ``max_names``, ``…:touched`` a sorted set name → the tick of its last
bump (``…:tick``, ``INCR``). A bump is one Lua script: ``HINCRBY`` each name, then forget the
least recently bumped names beyond the cap, so concurrent bumps from any process get distinct,
consecutive values.
"""

from __future__ import annotations

from collections.abc import Sequence

from mockserver.state.counters import MAX_NAME
from mockserver.state.redis.base import SHARED, Namespace, reachable

#: ARGV: key of the hash, max names (0: unbounded), then the names. Their new values.
BUMP = """
local hash, max_names = ARGV[2], tonumber(ARGV[3])
local out = {}
for i = 4, #ARGV do
  table.insert(out, redis.call('HINCRBY', hash, ARGV[i], 1))
  if max_names > 0 then redis.call('ZADD', hash .. ':touched', redis.call('INCR', hash .. ':tick'), ARGV[i]) end
end
if max_names > 0 then
  local over = redis.call('ZCARD', hash .. ':touched') - max_names
  if over > 0 then
    local popped = redis.call('ZPOPMIN', hash .. ':touched', over)  -- name, score, name, score...
    for i = 1, #popped, 2 do redis.call('HDEL', hash, popped[i]) end
  end
end
return out
"""

#: ARGV: key of the hash, the prefix of the names forgotten ('' = all).
RESET = """
local hash, prefix = ARGV[2], ARGV[3]
if prefix == '' then
  redis.call('DEL', hash, hash .. ':touched', hash .. ':tick')
  return
end
for _, name in ipairs(redis.call('HKEYS', hash)) do
  if string.sub(name, 1, #prefix) == prefix then
    redis.call('HDEL', hash, name)
    redis.call('ZREM', hash .. ':touched', name)
  end
end
"""


def _checked(names: Sequence[str]) -> Sequence[str]:
    for name in names:
        if not isinstance(name, str) or len(name) > MAX_NAME:
            raise ValueError(f"a counter name must be a string of at most {MAX_NAME} characters")
    return names


class RedisCounters:
    """One ``namespace`` of counters under ``<prefix>shared:counters:``."""

    def __init__(self, space: Namespace, namespace: str, max_names: int | None = None):
        self.space = space
        self.namespace = namespace
        self.max_names = max_names
        self.hash = space.key(SHARED, "counters", namespace)
        self._bump = space.script(BUMP)
        self._reset = space.script(RESET)

    @reachable("the shared counters")
    def bump(self, names: Sequence[str]) -> list[int]:
        names = _checked(names)
        if not names:
            return []
        return [int(value) for value in self._bump(self.hash, self.max_names or 0, *names)]

    @reachable("the shared counters")
    def read(self, names: Sequence[str]) -> list[int]:
        names = _checked(names)
        if not names:
            return []
        return [int(value or 0) for value in self.space.client.hmget(self.hash, list(names))]

    @reachable("the shared counters")
    def reset(self, prefix: str = "") -> None:
        self._reset(self.hash, prefix)
