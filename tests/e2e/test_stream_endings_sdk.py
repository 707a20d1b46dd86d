"""The official SDKs against every stream ending of GATEWAY-BEHAVIOUR §5, on a live mock.

Chat: OpenAI models end on a ``chat.completion`` snapshot without ``[DONE]``,
OpenAI-compatible providers on a ``choices: []`` usage chunk without ``[DONE]``, Google
and Bedrock on the usage chunk then ``[DONE]``. Responses and Messages streams end on
``response.completed`` / ``message_stop`` for every provider.

What the openai SDK does with the snapshot (measured with openai 3.63): the raw stream
(``create(stream=True)``) yields it as a ``ChatCompletionChunk`` whose ``object`` is
``chat.completion``, whose ``choices[0].delta`` is ``None`` (the frame has ``message``)
and whose ``usage`` is set, so the usual ``chunk.choices[0].delta.content`` loop raises
``AttributeError`` on the last frame. The ``.stream()`` helper drops every frame whose
``object`` is not ``chat.completion.chunk``: it finishes cleanly with the right text and
tool calls, but ``get_final_completion().usage`` is ``None``. A missing ``[DONE]`` is no
problem for either: the SDK stops when the body ends.
"""

from __future__ import annotations

import pytest

from mockserver.catalogue import load_catalogue

HELLO = [{"role": "user", "content": "Tell me about lighthouses."}]
CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
COMPATIBLE = "mistral"


def model_served_by(provider: str) -> str:
    for model in load_catalogue().serving("text.generate"):
        if provider in model.providers:
            return model.model_id
    pytest.skip(f"no text model is served by {provider} in this catalogue")


def routed(provider: str) -> dict:
    return {"model": model_served_by(provider), "extra_body": {"provider": {"only": [provider]}}}


@pytest.mark.parametrize("provider", [COMPATIBLE, "google-ai-studio", "amazon-bedrock"])
def test_raw_chat_stream_with_a_usage_chunk_ending(oai, provider):
    text, usage, finishes = "", None, []
    for chunk in oai.chat.completions.create(**routed(provider), messages=HELLO, stream=True):
        assert chunk.object == "chat.completion.chunk"
        for choice in chunk.choices:
            text += choice.delta.content or ""
            finishes.append(choice.finish_reason)
        usage = chunk.usage or usage
    assert text and finishes[-1] == "stop"
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.model_extra["pricing"]["total_nanos"] > 0


def test_raw_chat_stream_with_the_openai_snapshot_ending(oai):
    chunks = list(oai.chat.completions.create(**routed("openai"), messages=HELLO, stream=True))
    *deltas, snapshot = chunks
    assert all(chunk.object == "chat.completion.chunk" and chunk.usage is None for chunk in deltas)
    text = "".join(choice.delta.content or "" for chunk in deltas for choice in chunk.choices)
    # The last item is the snapshot, typed as a chunk: no delta, the message as an extra key.
    assert snapshot.object == "chat.completion" and snapshot.choices[0].delta is None
    assert snapshot.choices[0].model_extra["message"]["content"] == text
    assert snapshot.usage.model_extra["pricing"]["total_nanos"] > 0
    with pytest.raises(AttributeError):
        for chunk in oai.chat.completions.create(**routed("openai"), messages=HELLO, stream=True):
            _ = chunk.choices[0].delta.content if chunk.choices else None


@pytest.mark.parametrize("provider", ["openai", COMPATIBLE, "google-ai-studio", "amazon-bedrock"])
def test_chat_stream_helper_accumulates_every_ending(oai, provider):
    with oai.chat.completions.stream(**routed(provider), messages=HELLO) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert deltas and "".join(deltas) == final.choices[0].message.content
    assert final.choices[0].finish_reason == "stop"
    if provider == "openai":
        assert final.usage is None  # the helper skips the snapshot, and the usage with it
    else:
        assert final.usage.total_tokens == final.usage.prompt_tokens + final.usage.completion_tokens


@pytest.mark.parametrize("provider", ["openai", "amazon-bedrock"])
def test_chat_stream_helper_tool_calls_on_both_endings(oai, provider):
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": CITY}}]
    with oai.chat.completions.stream(**routed(provider), messages=HELLO, tools=tools, tool_choice="required") as stream:
        final = stream.get_final_completion()
    call = final.choices[0].message.tool_calls[0]
    assert final.choices[0].finish_reason == "tool_calls" and call.function.name == "lookup"
    assert "city" in call.function.arguments


@pytest.mark.parametrize("provider", ["openai", COMPATIBLE, "google-ai-studio", "amazon-bedrock"])
def test_responses_stream_ends_on_response_completed(oai, provider):
    with oai.responses.stream(**routed(provider), input="Tell me about glaciers.") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert final.status == "completed" and "".join(deltas) == final.output_text
    assert final.usage.model_extra["pricing_breakdown"]["total_nanos"] > 0


@pytest.mark.parametrize("provider", ["anthropic", "amazon-bedrock", "google-vertex", COMPATIBLE])
def test_messages_stream_ends_on_message_stop(claude, provider):
    target = routed(provider)
    with claude.messages.stream(
        model=target["model"], extra_body=target["extra_body"], max_tokens=200, messages=HELLO
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and final.content[-1].text == text
    assert final.stop_reason in ("end_turn", "max_tokens") and final.usage.output_tokens > 0
