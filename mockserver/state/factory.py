"""Which store ``--state`` names: nothing or a path is SQLite (in memory, or that file), a
``redis://``, ``rediss://`` or ``unix://`` URL is Redis."""

from __future__ import annotations

from mockserver.settings import StateSettings
from mockserver.state.interface import StateStore
from mockserver.state.shared_pieces import SharedLimits, SharedPieces
from mockserver.state.store import Store, store_options


def open_store(settings: StateSettings) -> StateStore:
    """The store the state's ``settings`` ask for; :class:`~mockserver.state.interface.StateUnavailable`
    (naming ``--state``) when a Redis URL is malformed or nothing answers there."""
    url = settings.state_url
    if url:
        # Imported here, not above: the redis client adds ~80 ms to every start-up that does not use it.
        from mockserver.state.redis.store import RedisStore

        return RedisStore.open(url, bounds=settings.bounds, **store_options(settings))
    return Store.from_settings(settings)


def open_shared_pieces(settings: StateSettings, limits: SharedLimits) -> SharedPieces | None:
    """What a fleet shares beyond the store (journal, counters, run-time rules, media) on the
    Redis the state's ``settings`` name; None when the state is not on Redis."""
    url = settings.state_url
    if not url:
        return None
    from mockserver.state.redis.shared import redis_pieces  # (as above: only when on Redis)

    return redis_pieces(url, limits)
