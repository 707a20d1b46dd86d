"""Generated media files on Redis (:class:`~mockserver.state.blobs.BlobStore`): a URL minted by one
process of a fleet downloads from any other (``/__mock/media/<name>``).

Layout under ``<prefix>shared:media:``: ``f:<name>`` a hash (``data``, ``type``) that expires
``ttl_ms`` after its last use; ``lru`` a sorted set name → tick of last use (``tick``, ``INCR``);
``sizes`` a hash name → bytes; ``bytes`` their sum. A put or a get is one Lua script: a get
renews the expiry with the tick, so files expire in least-recently-used order, and each script
first sweeps the expired files off the front of ``lru`` (their sizes leave the sum) before it
evicts the least recently used while more than ``max_items`` files or ``max_bytes`` are kept.
"""

from __future__ import annotations

from typing import Any

from mockserver.state.blobs import MAX_NAME, StoredMedia
from mockserver.state.redis.base import SHARED, Namespace, reachable

_COMMON = """
local P = ARGV[1] .. 'media:'
local function drop(name)
  local size = tonumber(redis.call('HGET', P .. 'sizes', name) or '0')
  redis.call('DEL', P .. 'f:' .. name)
  redis.call('ZREM', P .. 'lru', name)
  redis.call('HDEL', P .. 'sizes', name)
  redis.call('DECRBY', P .. 'bytes', size)
end
local function sweep()
  while true do
    local oldest = redis.call('ZRANGE', P .. 'lru', 0, 0)[1]
    if oldest == nil or redis.call('EXISTS', P .. 'f:' .. oldest) == 1 then return end
    drop(oldest)
  end
end
"""

#: ARGV: prefix, name, data, content type, max items, max bytes, ttl ms.
PUT = (
    _COMMON
    + """
local name, size = ARGV[2], string.len(ARGV[3])
sweep()
if redis.call('HEXISTS', P .. 'sizes', name) == 1 then drop(name) end
if size > tonumber(ARGV[6]) then return 0 end
redis.call('HSET', P .. 'f:' .. name, 'data', ARGV[3], 'type', ARGV[4])
redis.call('PEXPIRE', P .. 'f:' .. name, ARGV[7])
redis.call('ZADD', P .. 'lru', redis.call('INCR', P .. 'tick'), name)
redis.call('HSET', P .. 'sizes', name, size)
local total = redis.call('INCRBY', P .. 'bytes', size)
while redis.call('ZCARD', P .. 'lru') > tonumber(ARGV[5]) or total > tonumber(ARGV[6]) do
  local oldest = redis.call('ZRANGE', P .. 'lru', 0, 0)[1]
  if oldest == nil then break end
  drop(oldest)
  total = tonumber(redis.call('GET', P .. 'bytes'))
end
return 1
"""
)

#: ARGV: prefix, name, ttl ms. ``{data, type}``, or nil.
GET = (
    _COMMON
    + """
local name = ARGV[2]
sweep()
local found = redis.call('HMGET', P .. 'f:' .. name, 'data', 'type')
if not found[1] then
  if redis.call('HEXISTS', P .. 'sizes', name) == 1 then drop(name) end  -- expired, not yet swept
  return nil
end
redis.call('PEXPIRE', P .. 'f:' .. name, ARGV[3])
redis.call('ZADD', P .. 'lru', redis.call('INCR', P .. 'tick'), name)
return found
"""
)

#: ARGV: prefix. ``{files, bytes}`` kept.
STATS = (
    _COMMON
    + """
sweep()
return {redis.call('ZCARD', P .. 'lru'), tonumber(redis.call('GET', P .. 'bytes') or '0')}
"""
)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisBlobs:
    """Files under ``<prefix>shared:media:`` (``space`` holds a client with binary replies)."""

    def __init__(self, space: Namespace, max_items: int, max_bytes: int, ttl_seconds: float):
        self.space = Namespace(space.client, space.key(SHARED, ""))
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self._put = self.space.script(PUT)
        self._get = self.space.script(GET)
        self._stats = self.space.script(STATS)

    @reachable("the media store")
    def put(self, name: str, data: bytes, content_type: str) -> None:
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            raise ValueError(f"a media name must be 1 to {MAX_NAME} characters")
        self._put(name, bytes(data), content_type, self.max_items, self.max_bytes, self.ttl_ms)

    @reachable("the media store")
    def get(self, name: str) -> StoredMedia | None:
        if not isinstance(name, str) or not name or len(name) > MAX_NAME:
            return None
        found = self._get(name, self.ttl_ms)
        if not found:
            return None
        data, content_type = found
        return StoredMedia(bytes(data), _text(content_type))

    @reachable("the media store")
    def __len__(self) -> int:
        return int(self._stats()[0])

    @property
    @reachable("the media store")
    def size_bytes(self) -> int:
        return int(self._stats()[1])
