"""The OpenAI and OpenAI-compatible provider surfaces in-process: native shapes, ids, usage,
headers, stream endings, auth and validation errors, scenarios in OpenAI's own terms."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.support import mock_app, parse_sse

HEADERS = {"Authorization": "Bearer sk-anything"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 12}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(mock_app(surface="providers"), raise_server_exceptions=False)


@pytest.mark.parametrize("prefix", ["/openai/v1", "/compat/v1"])
def test_chat_answers_in_openai_shape_without_gateway_keys(client: TestClient, prefix: str) -> None:
    response = client.post(f"{prefix}/chat/completions", json=CHAT, headers=HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("chatcmpl-") and body["object"] == "chat.completion"
    assert body["model"] == "gpt-4o-mini"
    assert not {"nativeResponseId", "provider", "meta"} & set(body)
    usage = body["usage"]
    assert "pricing" not in usage
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert response.headers["x-ratelimit-limit-requests"].isdigit()
    assert response.headers["x-request-id"].startswith("req_")
    assert "x-gateway-error-attribution" not in response.headers


def test_same_request_same_answer(client: TestClient) -> None:
    first = client.post("/openai/v1/chat/completions", json=CHAT, headers={**HEADERS, "X-Mock-Seed": "7"})
    again = client.post("/openai/v1/chat/completions", json=CHAT, headers={**HEADERS, "X-Mock-Seed": "7"})
    assert first.json()["choices"] == again.json()["choices"]


def test_tool_calls(client: TestClient) -> None:
    body = {**CHAT, "tools": TOOLS, "tool_choice": "required"}
    answer = client.post("/openai/v1/chat/completions", json=body, headers=HEADERS).json()
    call = answer["choices"][0]["message"]["tool_calls"][0]
    assert answer["choices"][0]["finish_reason"] == "tool_calls"
    assert call["function"]["name"] == "get_weather" and "city" in json.loads(call["function"]["arguments"])


@pytest.mark.parametrize("include_usage", [True, False])
def test_stream_ends_with_done_and_usage_chunk_only_when_asked(client: TestClient, include_usage: bool) -> None:
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": include_usage}}
    response = client.post("/compat/v1/chat/completions", json=body, headers=HEADERS)
    events = parse_sse(response.content)
    assert events[-1]["data"] == "[DONE]"
    frames = [json.loads(event["data"]) for event in events[:-1]]
    assert all(frame["object"] == "chat.completion.chunk" for frame in frames)
    assert len({frame["id"] for frame in frames}) == 1 and frames[0]["id"].startswith("chatcmpl-")
    usage_chunks = [frame for frame in frames if frame["choices"] == []]
    if include_usage:
        assert usage_chunks == [frames[-1]] and "pricing" not in frames[-1]["usage"]
    else:
        assert usage_chunks == [] and all("usage" not in frame for frame in frames)


def test_missing_key_is_openai_401(client: TestClient) -> None:
    response = client.post("/openai/v1/chat/completions", json=CHAT)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and "API key" in error["message"]


def test_bad_body_is_openai_400_naming_the_field(client: TestClient) -> None:
    response = client.post("/openai/v1/chat/completions", json={**CHAT, "messages": []}, headers=HEADERS)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "messages" and error["type"] == "invalid_request_error"
    missing = client.post("/openai/v1/chat/completions", json={"messages": CHAT["messages"]}, headers=HEADERS)
    assert missing.status_code == 400 and "model" in missing.json()["error"]["message"]


def test_unknown_model_is_model_not_found(client: TestClient) -> None:
    response = client.post("/openai/v1/chat/completions", json={**CHAT, "model": "no-such-model"}, headers=HEADERS)
    assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"


def test_rate_limit_scenario_has_retry_after_and_exhausted_limits(client: TestClient) -> None:
    headers = {**HEADERS, "X-Mock-Scenario": "upstream_rate_limited"}
    response = client.post("/openai/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_scenarios(client: TestClient, status: int) -> None:
    headers = {**HEADERS, "X-Mock-Scenario": f"upstream_error; status={status}"}
    response = client.post("/openai/v1/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == status and response.json()["error"]["type"] == "server_error"


def test_interrupted_stream_ends_with_an_error_frame_and_no_done(client: TestClient) -> None:
    headers = {**HEADERS, "X-Mock-Scenario": "stream_interrupted; after=2"}
    response = client.post("/openai/v1/chat/completions", json={**CHAT, "stream": True}, headers=headers)
    events = parse_sse(response.content)
    assert json.loads(events[-1]["data"])["error"]["message"] == "stream_error"
    assert all(event["data"] != "[DONE]" for event in events)


def test_embeddings_float_and_base64(client: TestClient) -> None:
    body = {"model": "text-embedding-3-small", "input": ["a", "b"], "dimensions": 4}
    floats = client.post("/openai/v1/embeddings", json=body, headers=HEADERS).json()
    assert [item["index"] for item in floats["data"]] == [0, 1] and len(floats["data"][0]["embedding"]) == 4
    assert floats["usage"]["prompt_tokens"] == floats["usage"]["total_tokens"] > 0
    packed = client.post("/openai/v1/embeddings", json={**body, "encoding_format": "base64"}, headers=HEADERS)
    assert isinstance(packed.json()["data"][0]["embedding"], str)


def test_responses_have_native_ids_everywhere(client: TestClient) -> None:
    body = {"model": "gpt-4o-mini", "input": "Say hi", "max_output_tokens": 16}
    answer = client.post("/openai/v1/responses", json=body, headers=HEADERS)
    assert answer.json()["id"].startswith("resp_") and "G-" not in answer.text
    assert "pricing_breakdown" not in answer.text and "nativeResponseId" not in answer.text
    stream = client.post("/openai/v1/responses", json={**body, "stream": True}, headers=HEADERS)
    events = parse_sse(stream.content)
    assert events[0]["event"] == "response.created" and events[-1]["event"] in (
        "response.completed",
        "response.incomplete",
    )
    assert "G-" not in stream.text and "pricing_breakdown" not in stream.text
