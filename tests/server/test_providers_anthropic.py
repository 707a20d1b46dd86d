"""The Anthropic provider surface in-process: native messages, the seven stream event types,
tool_use blocks, x-api-key / anthropic-version errors, 429 and 529 in Anthropic's shapes."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.support import mock_app, parse_sse

HEADERS = {"x-api-key": "sk-ant-anything", "anthropic-version": "2023-06-01"}
MESSAGE = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 40}
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
URL = "/anthropic/v1/messages"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(mock_app(surface="providers"), raise_server_exceptions=False)


def test_message_in_anthropic_shape(client: TestClient) -> None:
    response = client.post(URL, json=MESSAGE, headers=HEADERS)
    body = response.json()
    assert response.status_code == 200 and body["type"] == "message" and body["id"].startswith("msg_01")
    assert body["model"] == "claude-haiku-4-5" and body["content"][0]["type"] == "text"
    assert set(body["usage"]) <= {
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "service_tier",
    }
    assert response.headers["anthropic-ratelimit-requests-limit"].isdigit()
    assert response.headers["request-id"].startswith("req_01")


def test_tool_use_block(client: TestClient) -> None:
    body = {**MESSAGE, "tools": [TOOL], "tool_choice": {"type": "tool", "name": "get_weather"}}
    answer = client.post(URL, json=body, headers=HEADERS).json()
    blocks = [block for block in answer["content"] if block["type"] == "tool_use"]
    assert answer["stop_reason"] == "tool_use" and blocks[0]["name"] == "get_weather"
    assert isinstance(blocks[0]["input"], dict) and blocks[0]["id"].startswith("toolu_")


def test_stream_has_all_seven_event_types(client: TestClient) -> None:
    response = client.post(URL, json={**MESSAGE, "stream": True}, headers=HEADERS)
    events = parse_sse(response.content)
    names = [event["event"] for event in events]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    assert set(names) == {
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }
    start = json.loads(events[0]["data"])["message"]
    assert start["id"].startswith("msg_01") and start["model"] == "claude-haiku-4-5"
    assert all(json.loads(event["data"])["type"] == event["event"] for event in events)


@pytest.mark.parametrize(
    ("headers", "status", "kind"),
    [
        ({"anthropic-version": "2023-06-01"}, 401, "authentication_error"),
        ({"x-api-key": "k"}, 400, "invalid_request_error"),
    ],
)
def test_missing_headers_are_native_errors(client: TestClient, headers: dict, status: int, kind: str) -> None:
    response = client.post(URL, json=MESSAGE, headers=headers)
    assert response.status_code == status
    assert response.json() == {"type": "error", "error": {"type": kind, "message": response.json()["error"]["message"]}}
    if status == 400:
        assert "anthropic-version" in response.json()["error"]["message"]


def test_bad_body_names_the_field(client: TestClient) -> None:
    response = client.post(URL, json={**MESSAGE, "max_tokens": 0}, headers=HEADERS)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("max_tokens")


def test_overloaded_is_529(client: TestClient) -> None:
    headers = {**HEADERS, "X-Mock-Scenario": "upstream_error; status=503"}
    response = client.post(URL, json=MESSAGE, headers=headers)
    assert response.status_code == 529 and response.json()["error"]["type"] == "overloaded_error"


def test_rate_limited_has_anthropic_headers(client: TestClient) -> None:
    response = client.post(URL, json=MESSAGE, headers={**HEADERS, "X-Mock-Scenario": "upstream_rate_limited"})
    assert response.status_code == 429 and response.json()["error"]["type"] == "rate_limit_error"
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert response.headers["retry-after"] == "1"
