"""The pieces of state a fleet of processes shares beyond the store, by protocol: the journal's
record log, the scenario, reply and per-seed counters, the rules added at run time, and the
media files. :func:`mockserver.state.factory.open_shared_pieces` gives the Redis ones with
``--state redis://...`` (``mockserver.pipeline.sharing`` picks in-memory or SQLite ones otherwise)."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.state.blobs import BlobStore
from mockserver.state.counters import Counters
from mockserver.state.journal_log import RecordLog
from mockserver.state.shared_rules import RuleSets


@dataclass(frozen=True)
class SharedLimits:
    journal_size: int
    journal_max_bytes: int
    #: Request seeds whose occurrence counts are kept.
    occurrence_limit: int
    media_items: int
    media_bytes: int
    #: A media file not downloaded for this long expires (an abandoned namespace empties itself).
    media_ttl_seconds: float


@dataclass(frozen=True)
class SharedPieces:
    journal: RecordLog
    scenario_counters: Counters
    reply_counters: Counters
    occurrence_counters: Counters
    rule_sets: RuleSets
    media: BlobStore
