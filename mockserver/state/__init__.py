"""The mock's state: keys, wallets, jobs and generation records in embedded SQLite."""

from mockserver.state.store import DEFAULT_TEAM, Store

__all__ = ["DEFAULT_TEAM", "Store"]
