"""What the processes of a fleet on Redis share beyond the store (``--state redis://...``): the
journal's records, the scenario, reply and per-seed counters, the rules added at run time, and
the media files, each under ``<prefix>shared:`` (:mod:`.record_log`, :mod:`.counters`,
:mod:`.rule_sets`, :mod:`.blobs`). The store's reset leaves these keys; what an admin reset
forgets of each is said by its user (``ScenarioControl.reset``, ``Runtime.reset_state``).

The pieces use a client of their own whose replies are bytes (journal bodies and media files
are binary), on the same URL and prefix as the store.
"""

from __future__ import annotations

from mockserver.state.redis.base import Namespace
from mockserver.state.redis.blobs import RedisBlobs
from mockserver.state.redis.connection import connect
from mockserver.state.redis.counters import RedisCounters
from mockserver.state.redis.record_log import RedisRecordLog
from mockserver.state.redis.rule_sets import RedisRuleSets
from mockserver.state.shared_pieces import SharedLimits, SharedPieces

#: The launch a fleet's rule sets belong to: one for the whole fleet, whenever each process
#: started, so a ``DELETE /__mock/rules?source=file`` sent to one process holds for all of
#: them, and for processes started later on the same Redis and prefix.
FLEET_LAUNCH = "fleet"


def redis_pieces(url: str, limits: SharedLimits) -> SharedPieces:
    """The shared pieces on the Redis at ``url`` (:class:`StateUnavailable` when none answers)."""
    client, prefix = connect(url, binary=True)
    space = Namespace(client, prefix)
    return SharedPieces(
        journal=RedisRecordLog(space, limits.journal_size, limits.journal_max_bytes),
        scenario_counters=RedisCounters(space, "scenario-rules"),
        reply_counters=RedisCounters(space, "reply-rules"),
        occurrence_counters=RedisCounters(space, "occurrences", limits.occurrence_limit),
        rule_sets=RedisRuleSets(space, FLEET_LAUNCH),
        media=RedisBlobs(space, limits.media_items, limits.media_bytes, limits.media_ttl_seconds),
    )
