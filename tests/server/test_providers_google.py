"""The Google AI Studio provider surface in-process: generateContent, the SSE stream,
function calls, embeddings, key checks and Google's error shape."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.support import mock_app, parse_sse

HEADERS = {"x-goog-api-key": "anything"}
BASE = "/google/v1beta/models/gemini-2.5-flash"
ASK = {"contents": [{"role": "user", "parts": [{"text": "Say hi"}]}], "generationConfig": {"maxOutputTokens": 40}}
TOOLS = [
    {
        "functionDeclarations": [
            {
                "name": "get_weather",
                "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]},
            }
        ]
    }
]
FORCED = {"functionCallingConfig": {"mode": "ANY"}}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(mock_app(surface="providers"), raise_server_exceptions=False)


def test_generate_content(client: TestClient) -> None:
    body = client.post(f"{BASE}:generateContent", json=ASK, headers=HEADERS).json()
    candidate = body["candidates"][0]
    assert candidate["content"]["role"] == "model" and candidate["content"]["parts"][0]["text"]
    usage = body["usageMetadata"]
    assert usage["totalTokenCount"] == (
        usage["promptTokenCount"] + usage["candidatesTokenCount"] + usage.get("thoughtsTokenCount", 0)
    )
    assert body["modelVersion"] == "gemini-2.5-flash" and candidate["finishReason"] in ("STOP", "MAX_TOKENS")


def test_key_in_query_is_accepted(client: TestClient) -> None:
    assert client.post(f"{BASE}:generateContent?key=abc", json=ASK).status_code == 200


def test_function_call(client: TestClient) -> None:
    body = client.post(f"{BASE}:generateContent", json={**ASK, "tools": TOOLS, "toolConfig": FORCED}, headers=HEADERS)
    call = body.json()["candidates"][0]["content"]["parts"][-1]["functionCall"]
    assert call["name"] == "get_weather" and isinstance(call["args"]["city"], str)


@pytest.mark.parametrize("tools", [False, True])
def test_stream_ends_with_finish_and_usage(client: TestClient, tools: bool) -> None:
    body = {**ASK, "tools": TOOLS, "toolConfig": FORCED} if tools else ASK
    response = client.post(f"{BASE}:streamGenerateContent?alt=sse", json=body, headers=HEADERS)
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [json.loads(event["data"]) for event in parse_sse(response.content)]
    assert all("candidates" in frame for frame in frames)
    assert "finishReason" in frames[-1]["candidates"][0] and "usageMetadata" in frames[-1]
    if tools:
        assert frames[-1]["candidates"][0]["content"]["parts"][0]["functionCall"]["name"] == "get_weather"


def test_embeddings(client: TestClient) -> None:
    url = "/google/v1beta/models/gemini-embedding-001"
    one = client.post(f"{url}:embedContent", json={"content": {"parts": [{"text": "hi"}]}}, headers=HEADERS)
    assert isinstance(one.json()["embedding"]["values"][0], float)
    requests = [{"content": {"parts": [{"text": text}]}, "outputDimensionality": 8} for text in ("a", "b")]
    batch = client.post(f"{url}:batchEmbedContents", json={"requests": requests}, headers=HEADERS).json()
    assert [len(item["values"]) for item in batch["embeddings"]] == [8, 8]


@pytest.mark.parametrize(
    ("headers", "body", "status", "name"),
    [
        ({}, ASK, 403, "PERMISSION_DENIED"),
        (HEADERS, {"contents": []}, 400, "INVALID_ARGUMENT"),
        ({**HEADERS, "X-Mock-Scenario": "upstream_rate_limited"}, ASK, 429, "RESOURCE_EXHAUSTED"),
        ({**HEADERS, "X-Mock-Scenario": "upstream_error; status=503"}, ASK, 503, "UNAVAILABLE"),
    ],
)
def test_errors_in_google_shape(client: TestClient, headers: dict, body: dict, status: int, name: str) -> None:
    response = client.post(f"{BASE}:generateContent", json=body, headers=headers)
    error = response.json()["error"]
    assert response.status_code == status and error["code"] == status and error["status"] == name
    if status == 400:
        assert "contents" in error["message"]


def test_unknown_model_is_not_found(client: TestClient) -> None:
    response = client.post("/google/v1beta/models/no-such:generateContent", json=ASK, headers=HEADERS)
    assert response.status_code == 404 and response.json()["error"]["status"] == "NOT_FOUND"
