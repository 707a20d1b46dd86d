"""Domain generators' answers add up by construction, so the usage-consistency walk skips them.

The synthesis chain marks a generator's reply ``consistent`` and the enricher does not walk
it (issue 14: ~7% of a chat request). These answers are what the generators sent, so the
walk must find nothing to repair in them; answers from schema data are still repaired.
"""

from __future__ import annotations

import copy

import pytest

from bench.payloads import chat_body
from mockserver.enrichment.consistency import make_consistent
from tests.support import AUTH, UNPACED, make_client

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$"}, "count": {"type": "integer"}},
            "required": ["order_id", "count"],
        },
    },
}
MESSAGES = [{"role": "user", "content": "Where is my order? Please check it."}]
REQUESTS = [
    ("/v1/chat/completions", {"model": "openai/gpt-5-nano", "messages": MESSAGES}),
    ("/v1/chat/completions", {"model": "openai/gpt-5-nano", "messages": MESSAGES, "tools": [TOOL]}),
    ("/v1/chat/completions", chat_body()),
    ("/v1/chat/completions", {"model": "anthropic/claude-opus-4-1", "messages": MESSAGES, "max_tokens": 7}),
    ("/v1/responses", {"model": "openai/gpt-5-nano", "input": "Summarise the order status."}),
    (
        "/v1/responses",
        {"model": "openai/gpt-5-nano", "input": "Call the tool.", "tools": [{"type": "function", **TOOL["function"]}]},
    ),
    ("/v1/messages", {"model": "anthropic/claude-opus-4-1", "max_tokens": 64, "messages": MESSAGES}),
    ("/v1/embeddings", {"model": "openai/text-embedding-3-small", "input": ["one", "two words"]}),
    ("/v1/moderations", {"model": "openai/omni-moderation-latest", "input": "hello"}),
]


@pytest.fixture(scope="module")
def client():
    return make_client()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("path", "body"), REQUESTS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(REQUESTS)])
def test_generator_answers_need_no_repair(client, path, body, seed):
    response = client.post(path, headers={**AUTH, **UNPACED, "X-Mock-Seed": str(seed)}, json=body)
    assert response.status_code == 200, response.text
    sent = response.json()
    assert "usage" in sent
    assert make_consistent(copy.deepcopy(sent)) == sent


def test_schema_data_answers_are_still_repaired(client):
    for seed in range(5):
        response = client.post(
            "/v1/chat/completions",
            headers={**AUTH, **UNPACED, "X-Mock-Seed": str(seed), "Prefer": "dynamic=true"},
            json={"model": "openai/gpt-5-nano", "messages": MESSAGES},
        )
        assert response.status_code == 200, response.text
        usage = response.json()["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
