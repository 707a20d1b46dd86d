"""Stream endings per provider (GATEWAY-BEHAVIOUR §5): what the mock sends for each
routed provider, that the contract and the conformance checks accept each documented
ending, and that a stream which just stops is a breach."""

from __future__ import annotations

import json

import pytest

from conformance import sse
from conformance.checks.stream_endings import chat_ending, terminal_problem
from mockserver.catalogue import load_catalogue
from tests.support import AUTH

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
#: provider → the chat ending §5 documents for its executor.
CHAT_ENDINGS = {
    "openai": "snapshot",
    "google-ai-studio": "usage+[DONE]",
    "google-vertex": "usage+[DONE]",
    "amazon-bedrock": "usage+[DONE]",
    "azure": "usage",
    "mistral": "usage",
    "groq": "usage",
    "anthropic": "usage",
}
HELLO = [{"role": "user", "content": "Hello"}]


def model_served_by(provider: str) -> str:
    """A text model the catalogue lists with ``provider`` (whatever the catalogue holds)."""
    for model in load_catalogue().serving("text.generate"):
        if provider in model.providers:
            return model.model_id
    pytest.skip(f"no text model is served by {provider} in this catalogue")


def post_stream(client, checker, path: str, body: dict) -> sse.Stream:
    response = client.post("/v1" + path, headers=UNPACED, json={**body, "stream": True})
    assert response.status_code == 200, response.text[:300]
    checker.check(response)
    return sse.parse(response.content)


@pytest.mark.parametrize("provider", sorted(CHAT_ENDINGS))
def test_chat_stream_ends_as_its_provider_does(client, checker, provider):
    body = {"model": model_served_by(provider), "provider": {"only": [provider]}, "meta": True, "messages": HELLO}
    stream = post_stream(client, checker, "/chat/completions", body)
    assert chat_ending(stream) == CHAT_ENDINGS[provider]
    assert terminal_problem("chat", stream) is None
    closing = stream.json_frames()[-1][1]
    assert closing["meta"]["routing"]["selected_provider"] == provider
    assert closing["usage"]["pricing"]["total_nanos"] >= 0
    finish = stream.json_frames()[-2][1]
    assert finish["object"] == "chat.completion.chunk" and finish["choices"][0]["finish_reason"] == "stop"
    if CHAT_ENDINGS[provider] == "snapshot":
        deltas = "".join(f["choices"][0]["delta"].get("content") or "" for _, f in stream.json_frames()[:-1])
        assert closing["choices"][0]["message"]["content"] == deltas


def test_one_model_ends_differently_on_different_providers(client, checker):
    """The ending follows the provider a request is routed to, not the model."""
    special = {"openai", "google-ai-studio", "google-vertex", "amazon-bedrock"}
    pairs = [
        (model.model_id, compatible)
        for model in load_catalogue().serving("text.generate")
        if "amazon-bedrock" in model.providers
        for compatible in model.providers
        if compatible not in special
    ]
    if not pairs:
        pytest.skip("no model is served both by Bedrock and by an OpenAI-compatible provider")
    model, compatible = pairs[0]
    endings = {
        provider: chat_ending(
            post_stream(
                client,
                checker,
                "/chat/completions",
                {"model": model, "provider": {"only": [provider]}, "messages": HELLO},
            )
        )
        for provider in (compatible, "amazon-bedrock")
    }
    assert endings == {compatible: "usage", "amazon-bedrock": "usage+[DONE]"}


@pytest.mark.parametrize("provider", ["openai", "google-ai-studio", "amazon-bedrock", "mistral"])
def test_responses_and_messages_streams_end_the_same_for_every_provider(client, checker, provider):
    model, only = model_served_by(provider), {"only": [provider]}
    responses = post_stream(client, checker, "/responses", {"model": model, "provider": only, "input": "Hello"})
    messages = post_stream(
        client, checker, "/messages", {"model": model, "provider": only, "max_tokens": 64, "messages": HELLO}
    )
    assert responses.events[-1].event == "response.completed" and messages.events[-1].event == "message_stop"
    assert not any(event.is_done for event in responses.events + messages.events)
    assert terminal_problem("responses", responses) is None and terminal_problem("messages", messages) is None


# --------------------------------------------------------------------------- the checks' rules


def frames(*items) -> sse.Stream:
    text = ""
    for item in items:
        name, data = item if isinstance(item, tuple) else (None, item)
        payload = data if isinstance(data, str) else json.dumps(data)
        text += (f"event: {name}\n" if name else "") + f"data: {payload}\n\n"
    return sse.parse(text)


def chunk(content: str | None = "Hi", finish: str | None = None) -> dict:
    delta = {} if content is None else {"content": content}
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


USAGE = {"object": "chat.completion.chunk", "choices": [], "usage": {"total_tokens": 3}}
SNAPSHOT = {"object": "chat.completion", "choices": [{"index": 0, "message": {}}], "usage": {"total_tokens": 3}}
ERROR = {"object": "error", "message": "stream_error"}
DONE = "[DONE]"


@pytest.mark.parametrize(
    ("tail", "ending"),
    [
        ([SNAPSHOT], "snapshot"),
        ([USAGE], "usage"),
        ([USAGE, DONE], "usage+[DONE]"),
        ([SNAPSHOT, DONE], "snapshot+[DONE]"),
    ],
)
def test_every_documented_chat_ending_is_accepted(tail, ending):
    stream = frames(chunk(), chunk(None, "stop"), *tail)
    assert chat_ending(stream) == ending
    assert terminal_problem("chat", stream) is None


def test_an_error_frame_ends_a_chat_stream():
    assert terminal_problem("chat", frames(chunk(), ERROR)) is None
    assert terminal_problem("chat", frames(chunk(), ERROR, DONE)) is None


@pytest.mark.parametrize(
    "stopped",
    [
        [chunk()],  # stops mid-answer
        [chunk(), chunk(None, "stop")],  # finish chunk, then neither usage nor [DONE]
        [chunk(), DONE],  # [DONE] without anything finishing
        [DONE],
    ],
)
def test_a_chat_stream_that_just_stops_is_a_breach(stopped):
    problem = terminal_problem("chat", frames(*stopped))
    assert problem is not None and "snapshot" in problem[0]


def test_without_usage_on_request_the_finish_chunk_may_close_the_stream():
    finished = frames(chunk(), chunk(None, "stop"))
    assert terminal_problem("chat", finished, with_usage=False) is None
    assert terminal_problem("chat", frames(chunk(), chunk(None, "stop"), DONE)) is None  # usage: a separate check
    assert terminal_problem("chat", frames(chunk()), with_usage=False) is not None


def test_responses_and_messages_streams_need_their_terminal_event():
    created, delta = ("response.created", {}), ("response.output_text.delta", {"delta": "Hi"})
    assert terminal_problem("responses", frames(created, delta, ("response.completed", {}))) is None
    assert terminal_problem("responses", frames(created, delta, ("error", {"error": {}}))) is None
    assert terminal_problem("responses", frames(created, delta)) is not None
    assert terminal_problem("responses", frames(created, delta, DONE)) is not None
    start, stop = ("message_start", {}), ("message_stop", {})
    block = ("content_block_delta", {"index": 0})
    assert terminal_problem("messages", frames(start, block, ("message_delta", {}), stop)) is None
    assert terminal_problem("messages", frames(start, block, ("message_delta", {}))) is not None
    assert terminal_problem("messages", frames(start, block, DONE)) is not None
