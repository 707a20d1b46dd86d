"""LiteLLM's proxy, a real third-party gateway, checked offline against the mock as its upstream.

The openai SDK talks to LiteLLM; LiteLLM routes each model alias to the mock (``aistats-mock serve``,
a process) and the mock's verify API (``/__mock/requests``) shows what LiteLLM sent upstream. One
mock and one proxy serve the whole module (the proxy takes ~5 s to start).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.support import KEY, mock_process
from tests.support.litellm_proxy import MASTER_KEY, Deployment, litellm_config, litellm_proxy

PRIMARY, BACKUP = "openai/gpt-5-nano", "openai/gpt-4o-mini"
EMBEDDER = "openai/text-embedding-3-small"
HELLO = [{"role": "user", "content": "Say hello to the team."}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """The mock's origin (its admin and verify API)."""
    with mock_process("--seed", "17") as base_url:
        yield base_url.removesuffix("/v1")


@pytest.fixture(scope="module")
def proxy(upstream: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = upstream + "/v1"
    deployments = [
        Deployment("chat", "openai/" + PRIMARY, base, KEY),
        Deployment("chat-backup", "openai/" + BACKUP, base, KEY),
        Deployment("embed", "openai/" + EMBEDDER, base, KEY),
    ]
    config = litellm_config(deployments, fallbacks={"chat": ["chat-backup"]})
    with litellm_proxy(config, tmp_path_factory.mktemp("litellm")) as origin:
        yield origin


@pytest.fixture
def client(proxy: str, upstream: str) -> Iterator[openai.OpenAI]:
    """The openai SDK pointed at LiteLLM, after the mock's journal and rules were reset."""
    httpx.post(upstream + "/__mock/reset", timeout=5).raise_for_status()
    httpx.delete(upstream + "/__mock/rules", params={"source": "admin"}, timeout=5).raise_for_status()
    with openai.OpenAI(base_url=proxy + "/v1", api_key=MASTER_KEY, max_retries=0, timeout=30) as sdk:
        yield sdk


def sent_upstream(upstream: str, **filters: str) -> list[dict[str, Any]]:
    """The requests the mock received that match ``filters`` (the verify API), oldest first."""
    answer = httpx.get(upstream + "/__mock/requests", params=filters, timeout=5)
    answer.raise_for_status()
    return list(answer.json()["requests"])


def count_upstream(upstream: str, **filters: str) -> int:
    answer = httpx.get(upstream + "/__mock/requests/count", params=filters, timeout=5)
    answer.raise_for_status()
    return int(answer.json()["count"])


def test_plain_chat_is_routed_to_the_alias_upstream(client: openai.OpenAI, upstream: str) -> None:
    completion = client.chat.completions.create(model="chat", messages=HELLO)
    assert completion.choices[0].message.content
    [sent] = sent_upstream(upstream, operation="createChatCompletion")
    assert sent["json"]["model"] == PRIMARY
    assert sent["json"]["messages"] == HELLO
    assert sent["status"] == 200
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0


def test_tool_call_comes_back_with_arguments_that_fit_the_schema(client: openai.OpenAI, upstream: str) -> None:
    completion = client.chat.completions.create(
        model="chat",
        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[WEATHER_TOOL],
        tool_choice="required",
    )
    [call] = completion.choices[0].message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather"
    assert isinstance(json.loads(call.function.arguments)["city"], str)
    [sent] = sent_upstream(upstream, operation="createChatCompletion")
    assert sent["json"]["tools"][0]["function"]["name"] == "get_weather"
    assert sent["json"]["tool_choice"] == "required"


def test_embeddings_are_routed_to_the_embedding_model(client: openai.OpenAI, upstream: str) -> None:
    vectors = client.embeddings.create(model="embed", input=["offline gateways", "provider mocks"])
    assert [len(item.embedding) for item in vectors.data] == [1536, 1536]
    assert count_upstream(upstream, operation="createEmbedding", model=EMBEDDER) == 1


def test_a_503_from_the_first_upstream_falls_back_to_the_second(client: openai.OpenAI, upstream: str) -> None:
    rule = {"path": "/v1/chat/completions", "model": PRIMARY, "times": 1, "scenario": "upstream_error"}
    httpx.post(upstream + "/__mock/rules", json={**rule, "params": {"status": "503"}}, timeout=5).raise_for_status()
    answer = client.chat.completions.with_raw_response.create(model="chat", messages=HELLO)
    completion = answer.parse()
    assert completion.choices[0].message.content
    assert answer.headers["x-litellm-attempted-fallbacks"] == "1"
    sent = sent_upstream(upstream, operation="createChatCompletion")
    assert [(entry["json"]["model"], entry["status"]) for entry in sent] == [(PRIMARY, 503), (BACKUP, 200)]
    assert count_upstream(upstream, operation="createChatCompletion", status="503") == 1
