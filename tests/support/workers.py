"""Work run in separate processes by the state tests (kept light: imports only the store)."""

from __future__ import annotations

from mockserver.state import Store


def spend_in_process(path: str, count: int, amount: int) -> None:
    store = Store(path, credits_usd=10)
    for _ in range(count):
        store.ledger.debit("team_p", amount, None, store.now_ms())
    store.close()
