"""A scripted two-turn tool loop (a tool call, then the final text after the tool result),
run unmodified through the openai and anthropic SDKs, plain and streamed, against the
``aistats_mock`` fixture: the scripted call and text arrive as scripted, usage is counted
from the scripted content, the pricing lines add up to the total, and the wallet is
debited exactly what the answers were priced at."""

from __future__ import annotations

import json

import anthropic
import httpx
import openai
import pytest

from mockserver.enrichment.usage import estimate_tokens

FINAL = "It is 18 °C and sunny in Paris, a fine day for a walk along the Seine."
CALL = {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}
PARAMETERS = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["city"],
    "additionalProperties": False,
}
OPENAI_TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": PARAMETERS}}]
ANTHROPIC_TOOLS = [{"name": "get_weather", "description": "Weather now", "input_schema": PARAMETERS}]
QUESTION = "What is the weather in Paris?"
#: Routed to an OpenAI-compatible provider, whose chat streams end on a priced usage chunk.
CHAT_MODEL = "mistral/mistral-small-2506"
CLAUDE = "anthropic/claude-sonnet-4.5"


@pytest.fixture
def scripted(aistats_mock):
    aistats_mock.reply(name="ask-weather", tool_result=False, user="weather", tool_calls=[CALL])
    aistats_mock.reply(name="final-answer", tool_result=True, text=FINAL)
    return aistats_mock


def _oai(mock) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.base_url, api_key=mock.api_key, max_retries=0, timeout=20)


def _claude(mock) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        base_url=mock.origin, api_key="unused", default_headers=mock.headers, max_retries=0, timeout=20
    )


def _spent(mock) -> int:
    answer = httpx.get(f"{mock.base_url}/credits", headers=mock.headers, timeout=10)
    return answer.json()["credits"]["thirty_day_usage"]


def _adds_up(pricing: dict) -> int:
    assert pricing["lines"] and sum(line["line_nanos"] for line in pricing["lines"]) == pricing["total_nanos"]
    return pricing["total_nanos"]


def _tool_turn(call_id: str) -> list[dict]:
    return [
        {"role": "user", "content": QUESTION},
        {
            "role": "assistant",
            "content": "",  # the gateway's contract refuses a null content
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": json.dumps(CALL["arguments"])},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": '{"temperature": 18, "sky": "sunny"}'},
    ]


def test_openai_chat_tool_loop_plain(scripted):
    with _oai(scripted) as client:
        first = client.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}], tools=OPENAI_TOOLS
        )
        (call,) = first.choices[0].message.tool_calls
        assert first.choices[0].finish_reason == "tool_calls"
        assert call.function.name == "get_weather" and json.loads(call.function.arguments) == CALL["arguments"]
        second = client.chat.completions.create(model=CHAT_MODEL, messages=_tool_turn(call.id), tools=OPENAI_TOOLS)
    assert second.choices[0].message.content == FINAL and second.choices[0].finish_reason == "stop"
    assert second.usage.completion_tokens == estimate_tokens(FINAL)
    assert second.usage.total_tokens == second.usage.prompt_tokens + second.usage.completion_tokens
    arguments = json.dumps(CALL["arguments"], separators=(",", ":"))
    assert first.usage.completion_tokens == estimate_tokens("get_weather") + estimate_tokens(arguments)
    priced = _adds_up(first.usage.model_extra["pricing"]) + _adds_up(second.usage.model_extra["pricing"])
    assert _spent(scripted) == priced
    assert [entry["reply"] for entry in scripted.requests(operation="createChatCompletion")] == [
        "ask-weather",
        "final-answer",
    ]


def test_openai_chat_tool_loop_streamed(scripted):
    with _oai(scripted) as client:
        calls: dict[int, dict] = {}
        usage, finishes = None, []
        for chunk in client.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": QUESTION}], tools=OPENAI_TOOLS, stream=True
        ):
            for choice in chunk.choices:
                finishes.append(choice.finish_reason)
                for delta in choice.delta.tool_calls or []:
                    call = calls.setdefault(delta.index, {"id": delta.id, "name": "", "arguments": ""})
                    call["name"] += delta.function.name or ""
                    call["arguments"] += delta.function.arguments or ""
            usage = chunk.usage or usage
        assert list(calls) == [0] and finishes[-1] == "tool_calls"
        assert calls[0]["name"] == "get_weather" and json.loads(calls[0]["arguments"]) == CALL["arguments"]
        first_cost = _adds_up(usage.model_extra["pricing"])
        with client.chat.completions.stream(
            model=CHAT_MODEL, messages=_tool_turn(calls[0]["id"]), tools=OPENAI_TOOLS
        ) as stream:
            text = "".join(event.delta for event in stream if event.type == "content.delta")
            final = stream.get_final_completion()
    assert text == FINAL == final.choices[0].message.content
    assert final.usage.completion_tokens == estimate_tokens(FINAL)
    assert _spent(scripted) == first_cost + _adds_up(final.usage.model_extra["pricing"])


def test_openai_responses_tool_loop_plain_and_streamed(scripted):
    with _oai(scripted) as client:
        first = client.responses.create(model="openai/gpt-4.1-mini", input=QUESTION, tools=_response_tools())
        (call,) = [item for item in first.output if item.type == "function_call"]
        assert call.name == "get_weather" and json.loads(call.arguments) == CALL["arguments"]
        follow_up = [
            {"role": "user", "content": QUESTION},
            {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
            {"type": "function_call_output", "call_id": call.call_id, "output": '{"temperature": 18}'},
        ]
        with client.responses.stream(model="openai/gpt-4.1-mini", input=follow_up, tools=_response_tools()) as stream:
            text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
            final = stream.get_final_response()
    assert text == FINAL == final.output_text
    assert final.usage.output_tokens == estimate_tokens(FINAL)
    costs = [_adds_up(answer.usage.model_extra["pricing_breakdown"]) for answer in (first, final)]
    assert _spent(scripted) == sum(costs)


def _response_tools() -> list[dict]:
    return [{"type": "function", "name": "get_weather", "parameters": PARAMETERS, "strict": False}]


def _claude_follow_up(tool_use) -> list[dict]:
    return [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": [tool_use.model_dump(include={"type", "id", "name", "input"})]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "18 degrees, sunny"}],
        },
    ]


def test_anthropic_messages_tool_loop_plain_then_streamed(scripted):
    with _claude(scripted) as client:
        first = client.messages.create(
            model=CLAUDE, max_tokens=512, tools=ANTHROPIC_TOOLS, messages=[{"role": "user", "content": QUESTION}]
        )
        (tool_use,) = [block for block in first.content if block.type == "tool_use"]
        assert first.stop_reason == "tool_use"
        assert tool_use.name == "get_weather" and tool_use.input == CALL["arguments"]
        second = client.messages.create(
            model=CLAUDE, max_tokens=512, tools=ANTHROPIC_TOOLS, messages=_claude_follow_up(tool_use)
        )
        assert second.content[0].text == FINAL and second.stop_reason == "end_turn"
        assert second.usage.output_tokens == estimate_tokens(FINAL)
        plain = [_adds_up(answer.usage.model_extra["pricing_breakdown"]) for answer in (first, second)]
        # The same two turns streamed: the same answers and counts, so the same price.
        with client.messages.stream(
            model=CLAUDE, max_tokens=512, tools=ANTHROPIC_TOOLS, messages=[{"role": "user", "content": QUESTION}]
        ) as stream:
            streamed_first = stream.get_final_message()
        (streamed_use,) = [block for block in streamed_first.content if block.type == "tool_use"]
        assert streamed_use.input == CALL["arguments"] and streamed_first.stop_reason == "tool_use"
        with client.messages.stream(
            model=CLAUDE, max_tokens=512, tools=ANTHROPIC_TOOLS, messages=_claude_follow_up(streamed_use)
        ) as stream:
            text = "".join(stream.text_stream)
            streamed_second = stream.get_final_message()
    assert text == FINAL and streamed_second.stop_reason == "end_turn"
    assert streamed_first.usage.output_tokens == first.usage.output_tokens
    assert streamed_second.usage.output_tokens == second.usage.output_tokens
    assert _spent(scripted) == 2 * sum(plain)
    assert scripted.count(operation="createAnthropicMessage") == 4
