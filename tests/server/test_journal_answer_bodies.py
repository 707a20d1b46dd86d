"""The journal keeps each answer's body as sent (what the dashboard shows on click), never a secret."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.scenarios.journal import decode_body
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, FRAMEWORKS, UNPACED, contract_checker

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "hello"}]}


def _client(**settings) -> TestClient:
    app = create_app(Settings.of(ttft_ms=0, tokens_per_second=0, **settings))
    return TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 5000))


def _last_entry(client: TestClient) -> dict:
    return contract_checker("admin").check(client.get("/__mock/journal", params={"limit": 1})).json()["entries"][0]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_json_answer_and_a_stream_are_kept_as_the_client_received_them(framework):
    with _client(framework=framework) as client:
        plain = client.post("/v1/chat/completions", json=CHAT, headers={**AUTH, **UNPACED})
        entry = _last_entry(client)
        assert decode_body(entry["response_body"]) == plain.content
        assert entry["response_body_bytes"] == len(plain.content) and not entry["response_body_truncated"]

        streamed = client.post("/v1/chat/completions", json={**CHAT, "stream": True}, headers={**AUTH, **UNPACED})
        entry = _last_entry(client)
        assert streamed.headers["content-type"].startswith("text/event-stream")
        assert decode_body(entry["response_body"]) == streamed.content


def test_a_long_answer_keeps_its_first_journal_body_bytes():
    with _client(journal_body_bytes=100) as client:
        answer = client.post("/v1/chat/completions", json=CHAT, headers={**AUTH, **UNPACED})
        entry = _last_entry(client)
        assert decode_body(entry["response_body"]) == answer.content[:100]
        assert entry["response_body_bytes"] == len(answer.content) and entry["response_body_truncated"]


def test_a_minted_keys_secret_never_reaches_the_journal():
    with _client() as client:
        minted = client.post("/v1/management/keys", json={"name": "ci"}, headers=AUTH)
        assert minted.status_code in (200, 201)
        secret = minted.json()["key"]["key"]
        assert secret.startswith("aistats_v1_sk_")
        page = client.get("/__mock/journal").text
        assert secret not in page and secret.rsplit("_", 1)[-1] not in page
