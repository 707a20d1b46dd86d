"""The mock's state: keys, wallets, jobs and generation records, in embedded SQLite (the default)
or on Redis, behind one interface (:mod:`mockserver.state.interface`)."""

from mockserver.auth import DEFAULT_TEAM
from mockserver.state.store import Store

__all__ = ["DEFAULT_TEAM", "Store"]
