"""Everything gateway mode has, in provider mode: seeds, scripted replies (including a
provider's own error scripted), rules, timeouts, broken streams, the journal and verify API
(which show the request as the provider received it)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.support import mock_app, parse_sse

OPENAI = {"Authorization": "Bearer sk-x"}
ANTHROPIC = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Weather in Paris?"}], "max_tokens": 30}
MESSAGE = {
    "model": "claude-haiku-4-5",
    "messages": [{"role": "user", "content": "Weather in Paris?"}],
    "max_tokens": 30,
}


def local_client(**settings) -> TestClient:
    """An in-process client the admin API accepts (a loopback address)."""
    return TestClient(mock_app(surface="providers", **settings), client=("127.0.0.1", 50000))


@pytest.fixture
def client() -> TestClient:
    return local_client()


def test_same_seed_same_bytes_across_servers() -> None:
    first = local_client(seed=5).post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI)
    second = local_client(seed=5).post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI)
    other = local_client(seed=6).post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI)
    assert first.content == second.content and first.json()["choices"] != other.json()["choices"]


def test_scripted_replies_answer_every_provider(client: TestClient) -> None:
    rules = [
        {"match": {"user": "Paris"}, "reply": {"text": "It is sunny in Paris."}},
    ]
    assert client.post("/__mock/replies", json=rules).status_code in (200, 201)
    chat = client.post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI).json()
    assert chat["choices"][0]["message"]["content"] == "It is sunny in Paris."
    message = client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC).json()
    assert message["content"][0]["text"] == "It is sunny in Paris."
    ask = {"contents": [{"role": "user", "parts": [{"text": "Weather in Paris?"}]}]}
    google = client.post(
        "/google/v1beta/models/gemini-2.5-flash:generateContent", json=ask, headers={"x-goog-api-key": "k"}
    )
    assert google.json()["candidates"][0]["content"]["parts"] == [{"text": "It is sunny in Paris."}]


def test_a_rule_fails_twice_then_the_provider_answers(client: TestClient) -> None:
    rule = {"path": "/anthropic/v1/messages", "times": 2, "scenario": "upstream_error", "params": {"status": "503"}}
    client.post("/__mock/rules", json=rule)
    statuses = [client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC).status_code for _ in range(3)]
    assert statuses == [529, 529, 200]


def test_timeout_scenario_is_a_late_504(client: TestClient) -> None:
    headers = {**OPENAI, "X-Mock-Scenario": "upstream_timeout; delay_ms=50"}
    response = client.post("/openai/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 504 and response.json()["error"]["type"] == "server_error"


def test_stalled_stream_still_ends_natively(client: TestClient) -> None:
    headers = {**OPENAI, "X-Mock-Scenario": "stream_stalled; after=1; stall_ms=10"}
    response = client.post("/openai/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers)
    assert parse_sse(response.content)[-1]["data"] == "[DONE]"


def test_journal_and_verify_show_the_native_request(client: TestClient) -> None:
    client.post("/anthropic/v1/messages", json={**MESSAGE, "metadata": {"user_id": "u-9"}}, headers=ANTHROPIC)
    entry = client.get("/__mock/journal").json()["entries"][-1]
    assert entry["path"] == "/anthropic/v1/messages" and entry["operation_id"] == "anthropicCreateMessage"
    assert json.loads(entry["body"]["text"])["metadata"] == {"user_id": "u-9"}  # as sent, not as mapped
    headers = dict(entry["headers"])
    assert headers["anthropic-version"] == "2023-06-01" and headers["x-api-key"] == "[redacted]"
    count = client.get("/__mock/requests/count", params={"operation": "anthropicCreateMessage"}).json()["count"]
    assert count == 1


def test_the_admin_api_grants_no_cors_preflight_on_a_root_surface(client: TestClient) -> None:
    preflight = {"Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST"}
    response = client.options("/__mock/rules", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    provider = client.options("/openai/v1/chat/completions", headers=preflight)
    assert provider.status_code == 204 and provider.headers["access-control-allow-origin"] == "*"


def test_prefer_code_answers_the_providers_own_words(client: TestClient) -> None:
    response = client.post("/openai/v1/chat/completions", json=CHAT, headers={**OPENAI, "Prefer": "code=429"})
    error = response.json()["error"]
    assert response.status_code == 429 and error["code"] == "rate_limit_exceeded"
    assert "Rate limit reached" in error["message"] and "daily_request" not in error["message"]
    google = client.post(
        "/google/v1beta/models/gemini-2.5-flash:generateContent",
        json={"contents": [{"parts": [{"text": "hi"}]}]},
        headers={"x-goog-api-key": "k", "X-Mock-Scenario": "all_providers_failed"},
    )
    assert google.status_code == 502 and google.json()["error"] == {
        "code": 502,
        "message": "Bad gateway.",
        "status": "UNAVAILABLE",
    }


def test_flask_serves_the_providers_too() -> None:
    client = TestClient(mock_app(surface="providers", framework="flask"))
    chat = client.post("/compat/v1/chat/completions", json={**CHAT, "stream": True}, headers=OPENAI)
    assert parse_sse(chat.content)[-1]["data"] == "[DONE]"
    message = client.post("/anthropic/v1/messages", json=MESSAGE, headers={"anthropic-version": "2023-06-01"})
    assert message.status_code == 401 and message.json()["error"]["type"] == "authentication_error"
