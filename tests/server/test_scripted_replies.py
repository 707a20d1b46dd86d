"""Scripted replies in-process: reply files and /__mock/replies, what each answer kind gives on
each surface (bodies and streams checked against the contract), tool-call arguments checked
against the tool's schema, strict mode, header scoping, the journal, the wallet and reset."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mockserver.enrichment.usage import estimate_tokens
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, contract_checker, parse_sse

LOCAL = ("127.0.0.1", 50124)
PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city"],
    "additionalProperties": False,
}
CHAT_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": PARAMETERS}},
    {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}},
]
TWO_CALLS = [
    {"name": "get_weather", "arguments": {"city": "Oslo", "days": 2}},
    {"name": "get_time", "arguments": {}},
]
REPLY_FILE = "\n".join(
    [
        "- name: greeting",
        '  match: {operation: createChatCompletion, user: {regex: "^(hi|hello)\\\\b"}}',
        '  reply: {text: "Hello from the script."}',
        "- name: two-tools",
        "  match: {tools: [get_weather, get_time], tool_result: false}",
        '  reply: {text: "Checking both.", tool_calls: ' + json.dumps(TWO_CALLS) + "}",
    ]
)


def client(**settings) -> TestClient:
    app = create_app(Settings.of(ttft_ms=0, tokens_per_second=0, latency="0", **settings))
    return TestClient(app, raise_server_exceptions=False, client=LOCAL)


@pytest.fixture(scope="module")
def mock(tmp_path_factory):
    path = tmp_path_factory.mktemp("replies") / "replies.yaml"
    path.write_text(REPLY_FILE)
    with client(replies_files=(path,)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh(mock):
    mock.post("/__mock/reset")
    yield


def admin(mock, method, path, **kwargs):
    return contract_checker("admin").check(mock.request(method, f"/__mock{path}", **kwargs))


def chat(mock, content, *, headers=None, **body):
    payload = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": content}], **body}
    return contract_checker().check(
        mock.post("/v1/chat/completions", json=payload, headers={**AUTH, **(headers or {})})
    )


def test_a_reply_file_answers_text_with_usage_counted_from_it(mock):
    answer = chat(mock, "hello there").json()
    assert answer["choices"][0]["message"]["content"] == "Hello from the script."
    usage = answer["usage"]
    assert usage["completion_tokens"] == estimate_tokens("Hello from the script.")
    assert sum(line["line_nanos"] for line in usage["pricing"]["lines"]) == usage["pricing"]["total_nanos"]
    assert chat(mock, "say hello").json()["choices"][0]["message"]["content"] != "Hello from the script."
    listed = admin(mock, "GET", "/replies").json()["replies"]
    assert [(rule["name"], rule["source"], rule["fired"]) for rule in listed] == [
        ("greeting", "file", 1),
        ("two-tools", "file", 0),
    ]


def test_several_tool_calls_stream_with_their_index(mock):
    answer = chat(mock, "weather and time?", tools=CHAT_TOOLS).json()
    plain = answer["choices"][0]
    # Chat sends no text beside tool calls, and counts none: the calls' names and arguments only.
    compact = [json.dumps(call["arguments"], separators=(",", ":")) for call in TWO_CALLS]
    counted = sum(
        estimate_tokens(call["name"]) + estimate_tokens(args) for call, args in zip(TWO_CALLS, compact, strict=True)
    )
    assert answer["usage"]["completion_tokens"] == counted
    calls = plain["message"]["tool_calls"]
    assert plain["finish_reason"] == "tool_calls" and plain["message"]["content"] is None
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        (call["name"], call["arguments"]) for call in TWO_CALLS
    ]
    streamed = chat(mock, "weather and time?", tools=CHAT_TOOLS, stream=True)
    rebuilt: dict[int, dict] = {}
    for event in parse_sse(streamed.content):
        frame = json.loads(event["data"])
        for choice in frame.get("choices") or []:
            for delta in (choice.get("delta") or {}).get("tool_calls") or []:
                call = rebuilt.setdefault(delta["index"], {"name": "", "arguments": ""})
                call["name"] += delta.get("function", {}).get("name") or ""
                call["arguments"] += delta.get("function", {}).get("arguments") or ""
    assert [(c["name"], json.loads(c["arguments"])) for c in rebuilt.values()] == [
        (call["name"], call["arguments"]) for call in TWO_CALLS
    ]
    assert list(rebuilt) == [0, 1]


def test_messages_stream_gives_the_text_then_each_tool_use_block(mock):
    tools = [
        {"name": "get_weather", "input_schema": PARAMETERS},
        {"name": "get_time", "input_schema": {"type": "object"}},
    ]
    body = {"model": "anthropic/claude-sonnet-4.5", "max_tokens": 300, "tools": tools, "stream": True}
    body["messages"] = [{"role": "user", "content": "weather and time?"}]
    streamed = contract_checker().check(mock.post("/v1/messages", json=body, headers=AUTH))
    events = [(e["event"], json.loads(e["data"])) for e in parse_sse(streamed.content)]
    starts = [data["content_block"] for name, data in events if name == "content_block_start"]
    assert [block["type"] for block in starts] == ["text", "tool_use", "tool_use"]
    text = "".join(
        d["delta"].get("text", "") for name, d in events if name == "content_block_delta" and d["index"] == 0
    )
    assert text == "Checking both."
    assert [data["index"] for name, data in events if name == "content_block_start"] == [0, 1, 2]
    assert events[-1][0] == "message_stop"
    delta = next(data for name, data in events if name == "message_delta")
    assert delta["delta"]["stop_reason"] == "tool_use"


def test_arguments_that_break_the_tool_schema_are_refused_naming_the_rule_and_field(mock):
    bad = {"name": "bad-args", "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": 7}}]}}
    admin(mock, "POST", "/replies", json=bad)
    refused = chat(mock, "anything", tools=CHAT_TOOLS[:1])
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "scripted_reply_invalid"
    assert body["details"][0]["path"] == ["reply", "bad-args", "tool_calls", 0, "arguments", "city"]
    assert "bad-args" in body["details"][0]["message"]
    missing_tool = chat(mock, "anything", tools=[{"type": "function", "function": {"name": "other", "parameters": {}}}])
    assert missing_tool.status_code == 400 and "does not offer" in missing_tool.json()["description"]


def test_structured_json_embeddings_and_error_scenarios(mock):
    admin(
        mock,
        "POST",
        "/replies",
        json={
            "replies": [
                {"name": "structured", "match": {"user": "json please"}, "reply": {"json": {"answer": 42}}},
                {"name": "vector", "match": {"operation": "createEmbedding"}, "reply": {"embedding": [0.6, 0.8]}},
                {
                    "name": "broken",
                    "match": {"user": "fail"},
                    "reply": {"scenario": "upstream_error", "params": {"status": 503}},
                },
            ]
        },
    )
    structured = chat(mock, "json please", response_format={"type": "json_object"}).json()
    assert json.loads(structured["choices"][0]["message"]["content"]) == {"answer": 42}
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    wrong = chat(
        mock, "json please", response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    )
    assert wrong.status_code == 400
    assert wrong.json()["details"][0]["path"] == ["reply", "structured", "json", "answer"]
    vectors = mock.post(
        "/v1/embeddings", json={"model": "openai/text-embedding-3-small", "input": ["a", "b"]}, headers=AUTH
    )
    assert [item["embedding"] for item in contract_checker().check(vectors).json()["data"]] == [[0.6, 0.8]] * 2
    failed = chat(mock, "fail now")
    assert failed.status_code == 503
    entries = admin(mock, "GET", "/requests").json()["requests"]
    assert [(e["operation_id"], e["reply"], e["scenario"]) for e in entries] == [
        ("createChatCompletion", "structured", "scripted_reply"),
        ("createChatCompletion", "structured", "scripted_reply"),  # the refused one names its rule too
        ("createEmbedding", "vector", "scripted_reply"),
        ("createChatCompletion", "broken", "upstream_error"),
    ]


def test_a_sequence_over_successive_matches_and_a_header_scope(mock):
    rule = {
        "name": "scoped",
        "match": {"headers": {"X-Mock-Context": "test-a"}},
        "replies": [{"text": "first"}, {"text": "second"}],
    }
    admin(mock, "POST", "/replies", json=rule)
    scoped = {"X-Mock-Context": "test-a"}
    texts = [chat(mock, "q", headers=scoped).json()["choices"][0]["message"]["content"] for _ in range(3)]
    assert texts == ["first", "second", "second"]
    other = chat(mock, "q", headers={"X-Mock-Context": "test-b"}).json()["choices"][0]["message"]["content"]
    assert other not in ("first", "second")
    assert admin(mock, "GET", "/requests/count", params={"header": "x-mock-context:test-a"}).json() == {"count": 3}


def test_an_x_mock_scenario_header_wins_over_a_reply(mock):
    answer = chat(mock, "hello", headers={"X-Mock-Scenario": "upstream_rate_limited"})
    assert answer.status_code == 429


def test_the_token_cap_applies_to_scripted_text(mock):
    admin(mock, "POST", "/replies", json={"match": {"user": "long"}, "reply": {"text": "word " * 50}})
    answer = chat(mock, "long one", max_tokens=5).json()
    assert answer["choices"][0]["finish_reason"] == "length" and answer["usage"]["completion_tokens"] == 5


def test_the_wallet_is_debited_what_the_scripted_answer_cost(mock):
    before = mock.get("/v1/credits", headers=AUTH).json()["credits"]
    cost = chat(mock, "hello").json()["usage"]["pricing"]["total_nanos"]
    after = mock.get("/v1/credits", headers=AUTH).json()["credits"]
    assert before["remaining"] - after["remaining"] == cost > 0


def test_reset_removes_the_replies_added_at_run_time_and_delete_removes_any(mock):
    admin(mock, "POST", "/replies", json={"reply": {"text": "x"}})
    assert len(admin(mock, "GET", "/replies").json()["replies"]) == 3
    admin(mock, "POST", "/reset")
    assert [rule["source"] for rule in admin(mock, "GET", "/replies").json()["replies"]] == ["file", "file"]
    admin(mock, "POST", "/replies", json={"reply": {"text": "x"}})
    assert admin(mock, "DELETE", "/replies", params={"source": "admin"}).json() == {"cleared": 1}


@pytest.mark.parametrize(
    "body, named",
    [
        ({"reply": {"text": 3}}, "text must be a string"),
        ({"match": {"turn": "first"}, "reply": {"text": "x"}}, "match.turn"),
        ("[1", "not valid JSON"),
    ],
)
def test_a_malformed_reply_rule_is_a_400_naming_it(mock, body, named):
    sent = body if isinstance(body, str) else json.dumps(body)
    refused = admin(mock, "POST", "/replies", content=sent, headers={"Content-Type": "application/json"})
    assert refused.status_code == 400 and named in refused.json()["message"]


def test_strict_mode_refuses_what_no_rule_answers(tmp_path):
    path = tmp_path / "replies.json"
    path.write_text(json.dumps([{"match": {"user": "known"}, "reply": {"text": "yes"}}]))
    with client(replies_files=(path,), replies_strict=True) as strict:
        refused = chat(strict, "something else")
        assert refused.status_code == 400 and refused.json()["error"] == "no_scripted_reply"
        assert chat(strict, "a known question").json()["choices"][0]["message"]["content"] == "yes"
        assert strict.get("/v1/gateway/models", headers=AUTH).status_code == 200
