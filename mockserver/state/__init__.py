"""The mock's state: keys, wallets, jobs and generation records in embedded SQLite."""

from mockserver.auth import DEFAULT_TEAM
from mockserver.state.store import Store

__all__ = ["DEFAULT_TEAM", "Store"]
