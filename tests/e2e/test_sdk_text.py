"""Official SDKs against a live mock: openai (chat, responses; plain and streamed),
anthropic (messages; plain and streamed) and the gateway's own phaseo SDK."""

from __future__ import annotations

import json

import jsonschema
import openai
import pytest

from tests.support import KEY

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
    },
    "required": ["city", "days"],
    "additionalProperties": False,
}


def test_openai_chat(oai):
    completion = oai.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Explain tides briefly."}]
    )
    assert completion.id.startswith("G-")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.content
    usage = completion.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.model_extra["pricing"]["total_nanos"] > 0


def test_openai_chat_tool_call(oai):
    completion = oai.chat.completions.create(
        model="openai/gpt-4.1",
        messages=[{"role": "user", "content": "Weather in Lisbon this week?"}],
        tools=[{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}],
        tool_choice="required",
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    jsonschema.validate(json.loads(call.function.arguments), WEATHER)


def test_openai_chat_stream(oai):
    # An OpenAI-compatible provider's ending (a `choices: []` usage chunk); OpenAI models end
    # on a chat.completion snapshot instead, which tests/test_stream_endings_sdk.py covers.
    stream = oai.chat.completions.create(
        model="mistral/mistral-small-2506", stream=True, messages=[{"role": "user", "content": "Write about rivers."}]
    )
    text, usage, finishes = "", None, []
    for chunk in stream:
        assert chunk.id.startswith("G-")
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finishes.append(choice.finish_reason)
        usage = chunk.usage or usage
    assert text and finishes[-1] == "stop"
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_openai_chat_stream_helper_accumulates(oai):
    messages = [{"role": "user", "content": "Summarise the history of maps."}]
    with oai.chat.completions.stream(model="mistral/mistral-small-2506", messages=messages) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert "".join(deltas) == final.choices[0].message.content
    with (
        pytest.raises(openai.LengthFinishReasonError) as raised,
        oai.chat.completions.stream(model="mistral/mistral-small-2506", messages=messages, max_tokens=12) as stream,
    ):
        stream.get_final_completion()
    assert raised.value.completion.usage.completion_tokens <= 12


def test_openai_structured_output_parse(oai):
    completion = oai.chat.completions.create(
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": "Forecast please."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "forecast", "schema": WEATHER, "strict": True},
        },
    )
    jsonschema.validate(json.loads(completion.choices[0].message.content), WEATHER)


def test_openai_responses(oai):
    response = oai.responses.create(
        model="openai/gpt-5-nano", input="Name three primary colours.", reasoning={"effort": "low"}
    )
    assert response.id.startswith("G-") and response.status == "completed"
    assert response.output_text
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert response.usage.model_extra["pricing_breakdown"]["lines"]


def test_openai_responses_function_call(oai):
    response = oai.responses.create(
        model="google/gemini-2.5-flash",
        input="Weather in Oslo?",
        tools=[{"type": "function", "name": "get_weather", "parameters": WEATHER, "strict": True}],
    )
    calls = [item for item in response.output if item.type == "function_call"]
    assert calls and calls[0].name == "get_weather"
    jsonschema.validate(json.loads(calls[0].arguments), WEATHER)


def test_openai_responses_stream(oai):
    with oai.responses.stream(model="openai/gpt-4.1-mini", input="Tell me about glaciers.") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert deltas and "".join(deltas) == final.output_text
    assert final.usage.model_extra["pricing_breakdown"]["total_nanos"] > 0


def test_openai_responses_stream_raw_events(oai):
    events = list(oai.responses.create(model="qwen/qwen3-235b-a22b-instruct-2507", input="Hello", stream=True))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    assert [event.sequence_number for event in events] == list(range(len(events)))


def test_anthropic_messages(claude):
    message = claude.messages.create(
        model="anthropic/claude-sonnet-4-5",
        max_tokens=256,
        messages=[{"role": "user", "content": "A synonym for quick?"}],
    )
    assert message.id.startswith("G-") and message.stop_reason == "end_turn"
    assert message.content[0].type == "text" and message.content[0].text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_anthropic_tool_use(claude):
    message = claude.messages.create(
        model="anthropic/claude-haiku-4-5",
        max_tokens=512,
        tools=[{"name": "get_weather", "input_schema": WEATHER}],
        tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Weather in Rome?"}],
    )
    assert message.stop_reason == "tool_use"
    tool_use = next(block for block in message.content if block.type == "tool_use")
    jsonschema.validate(tool_use.input, WEATHER)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_anthropic_tool_loop_sends_the_answer_back(claude, stream):
    """The SDK's own loop: the assistant's content blocks go back as they came, then a tool_result."""
    tools = [{"name": "get_weather", "input_schema": WEATHER}]
    asked = [{"role": "user", "content": "Weather in Rome?"}]
    call = dict(model="anthropic/claude-haiku-4-5", max_tokens=512, tools=tools)
    if stream:
        with claude.messages.stream(**call, tool_choice={"type": "any"}, messages=asked) as events:
            first = events.get_final_message()
    else:
        first = claude.messages.create(**call, tool_choice={"type": "any"}, messages=asked)
    tool_use = next(block for block in first.content if block.type == "tool_use")
    result = {"type": "tool_result", "tool_use_id": tool_use.id, "content": "18 C and sunny"}
    turns = [*asked, {"role": "assistant", "content": first.content}, {"role": "user", "content": [result]}]
    final = claude.messages.create(**call, messages=turns)
    assert final.stop_reason == "end_turn" and final.content[0].type == "text" and final.content[0].text


def test_anthropic_messages_stream(claude):
    with claude.messages.stream(
        model="anthropic/claude-sonnet-4-5",
        max_tokens=1024,
        thinking={"type": "enabled", "budget_tokens": 200},
        messages=[{"role": "user", "content": "Is 221 prime?"}],
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and final.content[-1].text == text
    assert final.content[0].type == "thinking"
    assert final.stop_reason == "end_turn" and final.usage.output_tokens > 0


def test_anthropic_stream_hits_max_tokens(claude):
    with claude.messages.stream(
        model="meta/llama-4-scout",
        max_tokens=5,
        messages=[{"role": "user", "content": "Describe the ocean."}],
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "max_tokens" and final.usage.output_tokens <= 5


def test_phaseo_sdk(live_origin):
    phaseo = pytest.importorskip("phaseo", reason="the phaseo SDK is in the [test] extra")
    client = phaseo.Phaseo(api_key=KEY, base_url=live_origin + "/v1", timeout=20, enable_deprecation_warnings=False)
    chat = client.chat.completions.create(
        {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Hello"}]}
    )
    assert chat["id"].startswith("G-") and chat["choices"][0]["message"]["content"]
    response = client.responses.create({"model": "openai/gpt-5-nano", "input": "Hello"})
    assert response["status"] == "completed"
    message = client.messages.create(
        {
            "model": "anthropic/claude-sonnet-4-5",
            "max_tokens": 64,
            "messages": [{"role": "user", "content": "Hello"}],
        }
    )
    assert message["type"] == "message"
    chunks = list(
        client.chat.completions.create(
            {"model": "openai/gpt-5-nano", "stream": True, "messages": [{"role": "user", "content": "Hello"}]}
        )
    )
    assert chunks
