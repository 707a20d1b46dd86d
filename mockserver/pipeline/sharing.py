"""What one process keeps for itself, or shares with the other workers of ``serve --workers N``.

:func:`sharing_for` is called by the assembly only: with one worker every piece is the
in-memory one (today's speed); with more, every piece lives in the shared SQLite state
file (``Settings.state_path``, which the supervisor points at a temporary file when no
``--state`` was given): the journal, the rule and error-rate counters, the rules added at
run time, the per-seed occurrence counts behind generation ids, and the media files. The
protocols (mockserver/state/journal_log.py, counters.py, shared_rules.py, blobs.py) say what
another engine's implementation must do. With ``--state redis://...`` every piece is on that
Redis (mockserver/state/redis/shared.py) whatever the number of workers, so every process of a
fleet, on any machine, shares them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver import ids
from mockserver.scenarios.journal import Journal
from mockserver.scenarios.shared_journal import AnyJournal, SharedJournal
from mockserver.settings import Settings
from mockserver.state.blobs import BlobStore, SqliteBlobs
from mockserver.state.counters import CountedOccurrences, Counters, MemoryCounters, SqliteCounters
from mockserver.state.factory import open_shared_pieces
from mockserver.state.journal_log import SqliteRecordLog
from mockserver.state.media import DEFAULT_MAX_BYTES, DEFAULT_MAX_ITEMS, MediaStore
from mockserver.state.shared_db import open_shared
from mockserver.state.shared_pieces import SharedLimits
from mockserver.state.shared_rules import MemoryRuleSets, RuleSets, SqliteRuleSets

#: Request seeds whose occurrence counts are kept (as ``ids.Occurrences`` keeps in memory).
OCCURRENCE_LIMIT = 50_000


@dataclass(frozen=True)
class Sharing:
    journal: AnyJournal
    #: Scenario rules' and the error rate's counters.
    scenario_counters: Counters
    reply_counters: Counters
    rule_sets: RuleSets
    occurrences: ids.Occurrences | CountedOccurrences
    media: BlobStore


def sharing_for(settings: Settings) -> Sharing:
    fleet = open_shared_pieces(settings.state, _limits(settings))
    if fleet is not None:
        return Sharing(
            journal=SharedJournal(fleet.journal, settings.scenarios.journal_body_bytes),
            scenario_counters=fleet.scenario_counters,
            reply_counters=fleet.reply_counters,
            rule_sets=fleet.rule_sets,
            occurrences=CountedOccurrences(fleet.occurrence_counters),
            media=fleet.media,
        )
    if settings.serving.workers <= 1 or settings.state.state_path is None:
        return Sharing(
            journal=Journal(
                settings.scenarios.journal_size,
                settings.scenarios.journal_max_bytes,
                settings.scenarios.journal_body_bytes,
            ),
            scenario_counters=MemoryCounters(),
            reply_counters=MemoryCounters(),
            rule_sets=MemoryRuleSets(),
            occurrences=ids.Occurrences(OCCURRENCE_LIMIT),
            media=MediaStore(),
        )
    db = open_shared(settings.state.state_path)
    log = SqliteRecordLog(db, settings.scenarios.journal_size, settings.scenarios.journal_max_bytes)
    return Sharing(
        journal=SharedJournal(log, settings.scenarios.journal_body_bytes),
        scenario_counters=SqliteCounters(db, "scenario-rules"),
        reply_counters=SqliteCounters(db, "reply-rules"),
        rule_sets=SqliteRuleSets(db, settings.serving.launch_id),
        occurrences=CountedOccurrences(SqliteCounters(db, "occurrences", OCCURRENCE_LIMIT)),
        media=SqliteBlobs(db, DEFAULT_MAX_ITEMS, DEFAULT_MAX_BYTES),
    )


def _limits(settings: Settings) -> SharedLimits:
    return SharedLimits(
        journal_size=settings.scenarios.journal_size,
        journal_max_bytes=settings.scenarios.journal_max_bytes,
        occurrence_limit=OCCURRENCE_LIMIT,
        media_items=DEFAULT_MAX_ITEMS,
        media_bytes=DEFAULT_MAX_BYTES,
        media_ttl_seconds=settings.state.bounds.job_ttl_seconds,
    )
