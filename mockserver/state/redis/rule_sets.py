"""The rules added at run time, and which loaded files were cleared, on Redis
(:class:`~mockserver.state.shared_rules.RuleSets`), as every process of a fleet sees them.

Layout under ``<prefix>shared:rules:``: ``version`` (``INCR``ed by every change, read by each
process before it uses its parsed rules), ``ids`` (``INCR``, a set's id), ``sets:<kind>`` a list
of ``<id>:<start>:<payload JSON>`` in the order added, ``dropped:<kind>`` the launch whose file
rules were dropped. Each change is one Lua script (the change and the version move together).
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.state import shared_rules
from mockserver.state.redis.base import SHARED, Namespace, reachable

#: ARGV: prefix, kind, start, payload. The new set's id.
ADD = """
local P = ARGV[1] .. 'rules:'
local id = redis.call('INCR', P .. 'ids')
redis.call('RPUSH', P .. 'sets:' .. ARGV[2], id .. ':' .. ARGV[3] .. ':' .. ARGV[4])
redis.call('INCR', P .. 'version')
return id
"""

#: ARGV: prefix, kind, drop the added sets ('1'/'0'), drop the files' rules ('1'/'0'), launch.
CLEAR = """
local P = ARGV[1] .. 'rules:'
if ARGV[3] == '1' then redis.call('DEL', P .. 'sets:' .. ARGV[2]) end
if ARGV[4] == '1' then redis.call('SET', P .. 'dropped:' .. ARGV[2], ARGV[5]) end
redis.call('INCR', P .. 'version')
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisRuleSets:
    """Rule sets under ``<prefix>shared:rules:``; ``launch`` names the start of the fleet whose
    file rules a ``clear(kind, "file")`` drops (see :mod:`mockserver.pipeline.sharing`)."""

    def __init__(self, space: Namespace, launch: str):
        self.space = Namespace(space.client, space.key(SHARED, ""))
        self.launch = launch
        self._add = self.space.script(ADD)
        self._clear = self.space.script(CLEAR)

    @reachable("the shared rules")
    def version(self) -> int:
        return int(self.space.client.get(self.space.key("rules", "version")) or 0)

    @reachable("the shared rules")
    def add(self, kind: str, start: int, payload: Any) -> int:
        text = json.dumps(payload, separators=(",", ":"))
        if len(text) > shared_rules.MAX_PAYLOAD_BYTES:
            raise ValueError(f"a rule set may hold at most {shared_rules.MAX_PAYLOAD_BYTES} bytes of JSON")
        return int(self._add(kind, int(start), text))

    @reachable("the shared rules")
    def admin_sets(self, kind: str) -> list[tuple[int, int, Any]]:
        found = []
        for item in self.space.client.lrange(self.space.key("rules", "sets", kind), 0, -1):
            set_id, start, text = _text(item).split(":", 2)
            found.append((int(set_id), int(start), json.loads(text)))
        return found

    @reachable("the shared rules")
    def clear(self, kind: str, source: str | None) -> None:
        admin, files = source in (None, "admin"), source in (None, "file")
        self._clear(kind, "1" if admin else "0", "1" if files else "0", self.launch)

    @reachable("the shared rules")
    def files_dropped(self, kind: str) -> bool:
        value = self.space.client.get(self.space.key("rules", "dropped", kind))
        return value is not None and _text(value) == self.launch
