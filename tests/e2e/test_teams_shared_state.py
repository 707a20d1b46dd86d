"""Teams across two ``aistats-mock serve`` processes sharing one ``--state`` file: a key minted
by team A on one process authenticates as team A on the other and spends team A's wallet,
while team B, on either process, sees none of A's keys, generations or spend."""

from __future__ import annotations

import time

import httpx

from tests.support import mock_process

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello there"}]}
ACME = {"Authorization": "Bearer aistats_v1_sk_acme.k1_acme-secret"}
GLOBEX = {"Authorization": "Bearer aistats_v1_sk_globex.k1_globex-secret"}


def _ready(base: str) -> str:
    """``base`` once it accepts connections (the URL may be printed just before it listens)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(f"{base}/health")
            return base
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _remaining(base: str, auth: dict[str, str]) -> int:
    return httpx.get(f"{base}/credits", headers=auth).json()["credits"]["remaining"]


def test_two_processes_keep_teams_apart(tmp_path):
    state = str(tmp_path / "state.sqlite")
    options = ("--state", state, "--credits", "10")
    with mock_process(*options) as first_url, mock_process(*options) as second_url:
        first, second = _ready(first_url), _ready(second_url)
        created = httpx.post(f"{first}/management/keys", json={"name": "ci"}, headers=ACME).json()["key"]
        minted = {"Authorization": f"Bearer {created['key']}"}
        assert httpx.get(f"{second}/credits?team_id=team_acme", headers=minted).status_code == 200
        answer = httpx.post(f"{second}/chat/completions", json=CHAT, headers=minted)
        assert answer.status_code == 200
        cost = answer.json()["usage"]["pricing"]["total_nanos"]
        assert _remaining(first, ACME) == 10_000_000_000 - cost, "debited from acme's wallet, seen by both"
        assert _remaining(second, GLOBEX) == 10_000_000_000 and _remaining(first, GLOBEX) == 10_000_000_000
        for base in (first, second):
            assert httpx.get(f"{base}/management/keys", headers=GLOBEX).json()["total"] == 0
            hidden = httpx.get(f"{base}/management/keys/{created['id']}", headers=GLOBEX)
            assert hidden.status_code == 404 and hidden.json() == {"ok": False, "error": "Key not found"}
            record = httpx.get(f"{base}/generations?id={answer.json()['id']}", headers=GLOBEX)
            assert record.status_code == 404
        own = httpx.get(f"{first}/generations?id={answer.json()['id']}", headers=ACME).json()
        assert own["team_id"] == "team_acme" and own["key_id"] == created["id"]
