"""The verify API: /__mock/requests and /__mock/requests/count select journal entries by
operation, model, header, body, status and seq; every answer is checked against spec/admin."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, contract_checker

LOCAL = ("127.0.0.1", 50125)


@pytest.fixture(scope="module")
def mock():
    app = create_app(Settings.of(ttft_ms=0, tokens_per_second=0, latency="0"))
    with TestClient(app, raise_server_exceptions=False, client=LOCAL) as client:
        client.post("/__mock/reset")
        for model, context in [
            ("openai/gpt-5-nano", "a"),
            ("openai/gpt-5-nano", "b"),
            ("anthropic/claude-sonnet-4.5", "a"),
        ]:
            body = {"model": model, "messages": [{"role": "user", "content": f"question for {context}"}]}
            client.post("/v1/chat/completions", json=body, headers={**AUTH, "X-Mock-Context": context})
        client.post("/v1/embeddings", json={"model": "openai/text-embedding-3-small", "input": "x"}, headers=AUTH)
        client.post("/v1/chat/completions", json={"model": "openai/gpt-5-nano"}, headers=AUTH)  # 400
        yield client


def verify(mock, path="/requests", **params):
    return contract_checker("admin").check(mock.get(f"/__mock{path}", params=params))


@pytest.mark.parametrize(
    "params, count",
    [
        ({}, 5),
        ({"operation": "createChatCompletion"}, 4),
        ({"operation": "createChatCompletion", "model": "openai/gpt-5-nano"}, 3),
        ({"model": "openai/*"}, 4),
        ({"model": "anthropic/*"}, 1),
        ({"header": "x-mock-context:a"}, 2),
        ({"header": ["X-Mock-Context:a", "content-type:application/json"]}, 2),
        ({"body": "question for b"}, 1),
        ({"status": "400"}, 1),
        ({"operation": "createChatCompletion", "status": "200"}, 3),
        ({"operation": "deleteKey"}, 0),
    ],
)
def test_count_and_find_agree(mock, params, count):
    assert verify(mock, "/requests/count", **params).json() == {"count": count}
    found = verify(mock, **params).json()
    assert found["count"] == count == len(found["requests"])


def test_found_requests_carry_their_parsed_body_oldest_first(mock):
    found = verify(mock, operation="createChatCompletion", model="openai/*").json()["requests"]
    assert [entry["json"]["messages"][0]["content"] for entry in found[:2]] == ["question for a", "question for b"]
    assert found[0]["seq"] < found[1]["seq"]
    secret = AUTH["Authorization"].split("_")[-1]
    assert all(secret not in value for entry in found for _, value in entry["headers"]), "keys never kept"


def test_since_and_limit(mock):
    everything = verify(mock).json()["requests"]
    after_second = verify(mock, since=str(everything[1]["seq"])).json()
    assert [e["seq"] for e in after_second["requests"]] == [e["seq"] for e in everything[2:]]
    last_two = verify(mock, limit="2").json()
    assert last_two["count"] == 5 and [e["seq"] for e in last_two["requests"]] == [e["seq"] for e in everything[-2:]]


@pytest.mark.parametrize(
    "path, params, named",
    [
        ("/requests", {"modle": "x"}, "unknown query parameter(s) ['modle']"),
        ("/requests", {"header": "no-colon"}, "header must be name:value"),
        ("/requests/count", {"status": "two hundred"}, "status must be a non-negative integer"),
        ("/requests/count", {"limit": "2"}, "limit does not apply to a count"),
        ("/requests", {"limit": "0"}, "limit must be an integer"),
    ],
)
def test_bad_queries_are_a_400_naming_the_parameter(mock, path, params, named):
    refused = verify(mock, path, **params)
    assert refused.status_code == 400 and named in refused.json()["message"]
