"""POST /__mock/reset forgets stateful resources, not just the journal."""

from __future__ import annotations

from tests.support import AUTH, make_client


def _balance(client) -> int:
    return client.get("/v1/credits", headers=AUTH).json()["credits"]["remaining"]


def test_reset_restores_wallets_and_forgets_keys_and_jobs():
    client = make_client(admin="any")
    start = _balance(client)
    chat = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "hello"}]}
    assert client.post("/v1/chat/completions", json=chat, headers=AUTH).status_code == 200
    assert _balance(client) < start
    created = client.post("/v1/management/keys", json={"name": "ci"}, headers=AUTH).json()["key"]
    job = client.post("/v1/videos", json={"model": "openai/sora-2", "prompt": "a cat"}, headers=AUTH).json()

    assert client.post("/__mock/reset").status_code == 200
    assert client.get("/__mock/journal").json()["entries"] == []

    assert _balance(client) == start
    assert client.get(f"/v1/management/keys/{created['id']}", headers=AUTH).status_code == 404
    assert client.get(f"/v1/videos/{job['id']}", headers=AUTH).status_code == 404
