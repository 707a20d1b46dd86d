"""The journal's records on Redis (:class:`~mockserver.state.journal_log.RecordLog`), shared by
every process of a fleet (``--state redis://...``).

Layout under ``<prefix>shared:journal:``: ``seq`` (``INCR``, never reset, so a sequence number
is never reused), ``r:<seq>`` a hash (``size``, ``text``, ``data``, later ``ending``), ``index``
a sorted set of the kept seqs (scored by seq), ``totals`` a hash (``count``, ``bytes``). An
append is one Lua script: it numbers and stores the record, then drops the oldest while more
than ``capacity`` records or ``max_bytes`` bytes are kept (never the one just appended), so
the bounds hold whichever process appends. Reads take one script too (a consistent page).
A lost Redis makes ``append`` and ``finish`` raise :class:`StateUnavailable` (the request is
answered, unjournaled: :class:`~mockserver.scenarios.shared_journal.SharedJournal`).
"""

from __future__ import annotations

from typing import Any

from mockserver.state.redis.base import SHARED, Namespace, reachable

#: ARGV: prefix, size, text, data, capacity, max bytes. The new record's seq.
APPEND = """
local P = ARGV[1] .. 'journal:'
local size = tonumber(ARGV[2])
local seq = redis.call('INCR', P .. 'seq')
redis.call('HSET', P .. 'r:' .. seq, 'size', size, 'text', ARGV[3], 'data', ARGV[4])
redis.call('ZADD', P .. 'index', seq, seq)
local count = redis.call('HINCRBY', P .. 'totals', 'count', 1)
local total = redis.call('HINCRBY', P .. 'totals', 'bytes', size)
local capacity, max_bytes = tonumber(ARGV[5]), tonumber(ARGV[6])
while count > capacity or total > max_bytes do
  local oldest = redis.call('ZRANGE', P .. 'index', 0, 0)[1]
  if oldest == nil or tonumber(oldest) == seq then break end
  local freed = tonumber(redis.call('HGET', P .. 'r:' .. oldest, 'size') or '0')
  redis.call('DEL', P .. 'r:' .. oldest)
  redis.call('ZREM', P .. 'index', oldest)
  count = redis.call('HINCRBY', P .. 'totals', 'count', -1)
  total = redis.call('HINCRBY', P .. 'totals', 'bytes', -freed)
end
return seq
"""

#: ARGV: prefix, seq, ending. A record already dropped stays dropped.
FINISH = """
local key = ARGV[1] .. 'journal:r:' .. ARGV[2]
if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, 'ending', ARGV[3]) end
"""

#: ARGV: prefix, after, limit (0: all). ``{seq, text, data, ending or false, ...}``, oldest first.
READ = """
local P = ARGV[1] .. 'journal:'
local limit = tonumber(ARGV[3])
local seqs
if limit > 0 then
  seqs = redis.call('ZREVRANGEBYSCORE', P .. 'index', '+inf', '(' .. ARGV[2], 'LIMIT', 0, limit)
else
  seqs = redis.call('ZRANGEBYSCORE', P .. 'index', '(' .. ARGV[2], '+inf')
end
local out = {}
local first, last, step = 1, #seqs, 1
if limit > 0 then first, last, step = #seqs, 1, -1 end
for i = first, last, step do
  local fields = redis.call('HMGET', P .. 'r:' .. seqs[i], 'text', 'data', 'ending')
  table.insert(out, seqs[i])
  table.insert(out, fields[1])
  table.insert(out, fields[2])
  table.insert(out, fields[3])
end
return out
"""

#: ARGV: prefix. How many records were dropped.
CLEAR = """
local P = ARGV[1] .. 'journal:'
local seqs = redis.call('ZRANGE', P .. 'index', 0, -1)
for _, seq in ipairs(seqs) do redis.call('DEL', P .. 'r:' .. seq) end
redis.call('DEL', P .. 'index', P .. 'totals')
return #seqs
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisRecordLog:
    """Records under ``<prefix>shared:journal:`` (``space`` holds a client with binary replies)."""

    def __init__(self, space: Namespace, capacity: int, max_bytes: int):
        self.space = Namespace(space.client, space.key(SHARED, ""))
        self.capacity = max(1, capacity)
        self.max_bytes = max(1, max_bytes)
        self._append = self.space.script(APPEND)
        self._finish = self.space.script(FINISH)
        self._read = self.space.script(READ)
        self._clear = self.space.script(CLEAR)

    @reachable("the journal")
    def append(self, size: int, text: str, data: bytes = b"") -> int:
        if size < 0:
            raise ValueError("a record's size cannot be negative")
        return int(self._append(size, text, data, self.capacity, self.max_bytes))

    @reachable("the journal")
    def finish(self, seq: int, ending: str) -> None:
        self._finish(seq, ending)

    @reachable("the journal")
    def read(self, *, after: int = 0, limit: int | None = None) -> list[tuple[int, str, bytes, str | None]]:
        flat = self._read(after, limit or 0)
        records = []
        for at in range(0, len(flat), 4):
            seq, text, data, ending = flat[at : at + 4]
            if text is None:  # dropped between the index and the record (never within one script)
                continue
            records.append((int(seq), _text(text), bytes(data or b""), None if ending is None else _text(ending)))
        return records

    @reachable("the journal")
    def newest(self) -> int:
        found: Any = self.space.client.zrange(self.space.key("journal", "index"), -1, -1)
        return int(found[0]) if found else 0

    @reachable("the journal")
    def stats(self) -> tuple[int, int]:
        count, total = self.space.client.hmget(self.space.key("journal", "totals"), ["count", "bytes"])
        return int(count or 0), int(total or 0)

    @reachable("the journal")
    def clear(self) -> int:
        return int(self._clear())
