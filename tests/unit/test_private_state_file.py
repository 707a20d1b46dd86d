"""Without ``--state`` the store lives in a private temporary SQLite file (issue 14: not on
the heap), removed when the store is closed, and by the next server if a signal stopped the
process that made it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mockserver.state import db as state_db
from mockserver.state.store import Store


def test_the_default_store_is_a_private_file_removed_on_close():
    store = Store()
    path = Path(store.db.path)
    assert path.exists() and path.parent.name.startswith(f"{state_db.PRIVATE_PREFIX}{os.getpid()}-")
    assert not store.db.shared and not Path(f"{path}.lock").exists()
    store.ledger.settle({"request_id": "G-1", "team_id": "t", "cost_nanos": 5}, store.now_ms())
    assert store.ledger.generation("t", "G-1")["cost_nanos"] == 5
    store.close()
    assert not path.parent.exists()


def test_directories_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"{state_db.PRIVATE_PREFIX}{dead.stdout.strip()}-abc"
    live = tmp_path / f"{state_db.PRIVATE_PREFIX}{os.getpid()}-def"
    other = tmp_path / "unrelated-dir"
    for directory in (orphan, live, other):
        directory.mkdir()
        (directory / state_db.STATE_FILE).write_bytes(b"")
    state_db._remove_orphans(tmp_path)
    assert not orphan.exists() and live.exists() and other.exists()
