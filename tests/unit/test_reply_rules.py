"""Reply rules, pure: parsing (every mistake named), matching on request facts, n-th match and
sequences, and the facts read from each text surface."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mockserver.engines.script import Script
from mockserver.model import MockRequest
from mockserver.replies.book import ReplyBook
from mockserver.replies.facts import RequestFacts, read_facts
from mockserver.replies.rules import ErrorAnswer, ReplyRuleError, parse_replies

FACTS = RequestFacts(
    operation="createChatCompletion",
    model="openai/gpt-5-nano",
    user="What is the weather in Paris?",
    system="You are a travel agent.",
    tool_result=False,
    turn=0,
    tools=("get_weather", "book_hotel"),
    headers={"x-mock-context": "test-1"},
)


def one(rule: dict):
    (parsed,) = parse_replies(rule)
    return parsed


@pytest.mark.parametrize(
    "match",
    [
        {},
        {"operation": "createChatCompletion"},
        {"operation": ["createResponse", "createChatCompletion"]},
        {"model": "openai/*"},
        {"user": "weather"},
        {"user": {"regex": r"weather in \w+\?$"}},
        {"user": {"equals": "What is the weather in Paris?"}},
        {"system": {"contains": "travel"}},
        {"tool_result": False},
        {"turn": 0},
        {"tools": ["get_weather"]},
        {"headers": {"X-Mock-Context": "test-1"}},
        {"headers": {"x-mock-context": {"regex": "^test-"}}},
    ],
)
def test_each_matcher_matches(match):
    assert one({"match": match, "reply": {"text": "ok"}}).matches(FACTS)


@pytest.mark.parametrize(
    "match",
    [
        {"operation": "createResponse"},
        {"model": "anthropic/*"},
        {"user": "rain"},
        {"user": {"equals": "weather"}},
        {"user": {"regex": "^weather"}},
        {"system": "pirate"},
        {"tool_result": True},
        {"turn": 1},
        {"tools": ["get_weather", "send_email"]},
        {"headers": {"x-mock-context": "test-2"}},
        {"headers": {"x-other": "test-1"}},
    ],
)
def test_each_matcher_refuses(match):
    assert not one({"match": match, "reply": {"text": "ok"}}).matches(FACTS)


def test_answers_of_each_kind():
    text, calls, value, vector, error = parse_replies(
        [
            {"reply": {"text": "hello"}},
            {"reply": {"text": "Let me look.", "tool_calls": [{"name": "a", "arguments": '{"x": 1}'}, {"name": "b"}]}},
            {"reply": {"json": {"answer": 42}}},
            {"reply": {"embedding": [0.6, 0.8]}},
            {"reply": {"scenario": "upstream_error", "params": {"status": 503}}},
        ]
    )
    assert text.answers == (Script(rule="file-reply-1", text="hello"),)
    (script,) = calls.answers
    assert isinstance(script, Script) and [(c.name, c.arguments) for c in script.tool_calls] == [
        ("a", {"x": 1}),
        ("b", {}),
    ]
    assert value.answers[0].has_value and value.answers[0].value == {"answer": 42}
    assert vector.answers[0].embedding == (0.6, 0.8) and vector.fits("createEmbedding")
    assert not vector.fits("createChatCompletion") and not text.fits("createEmbedding")
    assert error.answers == (ErrorAnswer("upstream_error", {"status": "503"}),) and error.fits("createEmbedding")


@pytest.mark.parametrize(
    "rule, named",
    [
        ({"reply": {"text": "x"}, "replies": [{"text": "y"}]}, "exactly one of reply or replies"),
        ({"name": "r", "reply": {"txt": "x"}}, "reply rule 'r': replies[0] has unknown keys ['txt']"),
        ({"reply": {"text": "x", "json": {}}}, "needs one of text"),
        ({"reply": {"scenario": "nope"}}, "unknown scenario 'nope'"),
        ({"reply": {"embedding": []}}, "embedding must be a non-empty list of numbers"),
        ({"reply": {"tool_calls": [{"arguments": {}}]}}, "tool_calls[0] must be a mapping with a tool name"),
        (
            {"reply": {"tool_calls": [{"name": "a", "arguments": "{not json"}]}},
            "arguments is a string that is not JSON",
        ),
        (
            {"match": {"user": {"regex": "("}}, "reply": {"text": "x"}},
            "match.user.regex is not a valid regular expression",
        ),
        ({"match": {"usr": "x"}, "reply": {"text": "x"}}, "match has unknown keys ['usr']"),
        ({"match": {"turn": -1}, "reply": {"text": "x"}}, "match.turn must be an integer >= 0"),
        ({"match": {"nth": [0]}, "reply": {"text": "x"}}, "match.nth must be an integer >= 1"),
        ({"match": {"tool_result": "yes"}, "reply": {"text": "x"}}, "match.tool_result must be a bool"),
        ({"name": "r", "replies": []}, "replies must be a non-empty list"),
    ],
)
def test_mistakes_are_named(rule, named):
    with pytest.raises(ReplyRuleError) as caught:
        parse_replies(rule)
    assert named in str(caught.value)


def test_a_sequence_answers_in_turn_and_its_last_answer_repeats():
    book = ReplyBook(parse_replies({"replies": [{"text": "one"}, {"text": "two"}]}))
    texts = [book.pick(FACTS)[1].text for _ in range(4)]
    assert texts == ["one", "two", "two", "two"]


def test_nth_and_times_count_every_matching_request_and_the_next_rule_gets_the_rest():
    book = ReplyBook(
        parse_replies(
            [
                {"name": "second", "match": {"nth": 2}, "reply": {"text": "second"}},
                {"name": "first-three", "match": {"times": 3}, "reply": {"text": "early"}},
                {"name": "rest", "reply": {"text": "late"}},
            ]
        )
    )
    # Each rule counts every request it matches, answered by it or not (as scenario rules do):
    # "first-three" saw requests 1-3, though "second" answered the second.
    picked = [book.pick(FACTS)[0].name for _ in range(5)]
    assert picked == ["first-three", "second", "first-three", "rest", "rest"]


def test_rules_that_do_not_fit_the_operation_are_skipped_and_reset_forgets_admin_rules():
    book = ReplyBook(parse_replies([{"reply": {"embedding": [1.0]}}], source="file"))
    assert book.pick(FACTS) is None
    book.add_from({"reply": {"text": "added"}})
    assert book.pick(FACTS)[1].text == "added"
    book.reset()
    assert len(book) == 1 and book.snapshot()[0]["calls"] == 0


def _request(operation: str, body: dict, **headers: str) -> MockRequest:
    return MockRequest(
        operation=SimpleNamespace(operation_id=operation), method="POST", path="/", body=body, headers=headers
    )


def test_facts_of_a_chat_tool_loop():
    body = {
        "model": "openai/gpt-5-nano",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "w", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c", "content": "sunny"},
        ],
        "tools": [{"type": "function", "function": {"name": "w", "parameters": {}}}],
    }
    facts = read_facts(_request("createChatCompletion", body))
    assert (facts.user, facts.system, facts.tool_result, facts.turn, facts.tools) == (
        "Weather?",
        "Be brief.",
        True,
        1,
        ("w",),
    )


def test_facts_of_responses_and_messages():
    responses = {
        "model": "openai/gpt-4.1-mini",
        "instructions": "Be kind.",
        "input": [
            {"role": "user", "content": "Hi"},
            {"type": "function_call", "call_id": "c", "name": "w", "arguments": "{}"},
            {"type": "function_call", "call_id": "d", "name": "w", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c", "output": "x"},
        ],
    }
    facts = read_facts(_request("createResponse", responses))
    assert (facts.user, facts.system, facts.tool_result, facts.turn) == ("Hi", "Be kind.", True, 1)
    messages = {
        "model": "anthropic/claude-sonnet-4.5",
        "system": [{"type": "text", "text": "Pirate voice."}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Ahoy"}]}],
    }
    facts = read_facts(_request("createAnthropicMessage", messages))
    assert (facts.user, facts.system, facts.tool_result, facts.turn) == ("Ahoy", "Pirate voice.", False, 0)
    embedding = read_facts(_request("createEmbedding", {"model": "m", "input": ["a", "b"]}))
    assert embedding.user == "b" and embedding.model == "m"


def test_serve_takes_repeatable_reply_files_and_refuses_a_bad_one(tmp_path, capsys):
    from mockserver.cli import build_parser, settings_from

    first, second, bad = tmp_path / "a.yaml", tmp_path / "b.json", tmp_path / "bad.yaml"
    first.write_text("- {reply: {text: a}}\n")
    second.write_text('[{"reply": {"text": "b"}}]')
    bad.write_text("- {reply: {text: a}, match: {usr: x}}\n")
    args = build_parser().parse_args(["serve", "--replies", str(first), "--replies", str(second), "--replies-strict"])
    settings = settings_from(args)
    assert settings.replies.replies_files == (first, second) and settings.replies.replies_strict
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--replies", str(bad)])
    assert "match has unknown keys ['usr']" in capsys.readouterr().err


@pytest.mark.parametrize("nth", [[1, None], [None], [0], [True], ["2"]])
def test_every_nth_entry_of_a_reply_rule_must_be_a_call_number(nth):
    # A null inside the list used to be read as call 1.
    with pytest.raises(ReplyRuleError, match="match.nth must be an integer >= 1"):
        parse_replies([{"name": "r", "reply": {"text": "hi"}, "match": {"nth": nth}}])
