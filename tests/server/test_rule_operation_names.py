"""A rule's ``operation`` names the operation served or the contract's that answers it
(provider mode's ``openaiCreateChatCompletion`` as the journal shows it, or
``createChatCompletion``); one that names neither is refused when the rules are loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.replies.rules import ReplyRuleError
from mockserver.scenarios.rules import RuleError
from tests.support import AUTH, mock_app

OPENAI = {"Authorization": "Bearer sk-x"}
ANTHROPIC = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Weather in Paris?"}], "max_tokens": 30}
MESSAGE = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 30}


def local_client(**settings) -> TestClient:
    return TestClient(mock_app(**settings), client=("127.0.0.1", 50000))


@pytest.mark.parametrize("operation", ["openaiCreateChatCompletion", "createChatCompletion"])
def test_a_scenario_rule_fires_by_either_operation_id(operation: str) -> None:
    client = local_client(surface="providers")
    rule = {"operation": operation, "times": 1, "scenario": "upstream_error", "params": {"status": "503"}}
    assert client.post("/__mock/rules", json=rule).status_code in (200, 201)
    statuses = [client.post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI).status_code for _ in range(2)]
    assert statuses == [503, 200]
    # the provider's id names only that provider: Anthropic's messages are not matched by it
    if operation.startswith("openai"):
        assert client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC).status_code == 200


def test_the_journal_id_is_what_a_rule_can_name() -> None:
    client = local_client(surface="providers")
    client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC)
    journaled = client.get("/__mock/journal").json()["entries"][-1]["operation_id"]
    client.post("/__mock/rules", json={"operation": journaled, "status": 429})
    assert client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC).status_code == 429


@pytest.mark.parametrize("operation", ["openaiCreateChatCompletion", "createChatCompletion"])
def test_a_reply_rule_matches_by_either_operation_id(operation: str) -> None:
    client = local_client(surface="providers")
    rule = {"name": "sunny", "match": {"operation": operation}, "reply": {"text": "Sunny."}}
    assert client.post("/__mock/replies", json=rule).status_code in (200, 201)
    chat = client.post("/openai/v1/chat/completions", json=CHAT, headers=OPENAI).json()
    assert chat["choices"][0]["message"]["content"] == "Sunny."
    assert client.get("/__mock/journal").json()["entries"][-1]["reply"] == "sunny"


def test_an_openai_id_does_not_match_anthropic_messages() -> None:
    client = local_client(surface="providers")
    rule = {"match": {"operation": "openaiCreateChatCompletion"}, "reply": {"text": "Sunny."}}
    client.post("/__mock/replies", json=rule)
    message = client.post("/anthropic/v1/messages", json=MESSAGE, headers=ANTHROPIC).json()
    assert message["content"][0]["text"] != "Sunny."


@pytest.mark.parametrize("surface", ["providers", "gateway"])
def test_admin_rules_naming_no_operation_are_refused(surface: str) -> None:
    client = local_client(surface=surface)
    refused = client.post("/__mock/rules", json={"name": "typo", "operation": "createChatCompletions", "status": 429})
    assert refused.status_code == 400
    assert "'typo'" in refused.text and "operation 'createChatCompletions'" in refused.text
    assert "createChatCompletion'" in refused.text  # the suggestion
    reply = {"name": "typo-reply", "match": {"operation": ["createEmbedding", "chat"]}, "reply": {"text": "x"}}
    refused = client.post("/__mock/replies", json=reply)
    assert refused.status_code == 400
    assert "'typo-reply'" in refused.text and "match.operation 'chat'" in refused.text


def test_rule_files_naming_no_operation_fail_at_start(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("- {name: late, operation: openaiCreateChat, status: 429}\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"rule 1 \('late'\): operation 'openaiCreateChat'"):
        mock_app(surface="providers", scenarios_file=rules)
    replies = tmp_path / "replies.yaml"
    replies.write_text("- {name: r, match: {operation: anthropicCreateMessages}, reply: {text: x}}\n", encoding="utf-8")
    with pytest.raises(ReplyRuleError, match=r"reply rule 'r': match.operation 'anthropicCreateMessages'"):
        mock_app(surface="providers", replies_files=(replies,))
    # the gateway's own contract knows no provider operation
    gateway_rules = tmp_path / "gateway.yaml"
    gateway_rules.write_text("- {operation: openaiCreateChatCompletion, status: 429}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="openaiCreateChatCompletion"):
        mock_app(scenarios_file=gateway_rules)


def test_gateway_rules_keep_matching_by_operation_id() -> None:
    client = local_client()
    client.post("/__mock/rules", json={"operation": "createChatCompletion", "status": 429})
    body = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "hi"}]}
    assert client.post("/v1/chat/completions", json=body, headers=AUTH).status_code == 429
