"""``POST /chat/completions``: an OpenAI chat completion, or its chunk stream (§4-5).

Non-stream: one ``chat.completion`` with priced ``usage`` (``meta`` only with
``meta: true``, ``service_tier`` only when asked). Stream: a role chunk, content (or
reasoning, or tool-call) chunks, a chunk with the ``finish_reason``, then the ending of
the provider the request is routed to (:mod:`mockserver.engines.text.endings`): a
``chat.completion`` snapshot (OpenAI) or a ``choices: []`` chunk with the priced usage,
followed by ``data: [DONE]`` only for the Google and Bedrock executors.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from mockserver.encoding.body import sse_frame
from mockserver.encoding.sse import DONE_FRAME
from mockserver.engines.text.endings import chat_ending
from mockserver.engines.text.generation import Generation, openai_call_id, paced, prepare, reply_delay
from mockserver.engines.text.request import CHAT
from mockserver.enrichment.usage import chat_usage, estimate_tokens, pieces
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length", "tool_calls": "tool_calls"}


@generator("createChatCompletion")
def chat_completion(ctx: SynthesisContext) -> MockReply:
    gen = prepare(ctx, CHAT, openai_call_id)
    usage = _usage(gen)
    if gen.request.stream:
        meta = gen.meta(streamed=True, routing=True)
        reply = MockReply(
            stream=_stream(gen, usage, meta if gen.request.meta else None), media_type="text/event-stream"
        )
    else:
        meta = gen.meta(streamed=False, routing=True)
        reply = MockReply(body=_completion(gen, usage, meta if gen.request.meta else None), delay=reply_delay(gen))
    reply.summary = gen.summary(usage, usage["pricing"], meta, "completed")
    return reply


def _usage(gen: Generation) -> dict[str, Any]:
    outcome = gen.outcome
    return chat_usage(
        outcome.input_tokens,
        outcome.output_tokens,
        gen.rules,
        reasoning_tokens=outcome.reasoning_tokens,
        input_images=outcome.input_images,
    )


def _message(gen: Generation) -> dict[str, Any]:
    outcome = gen.outcome
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if outcome.tool_calls else outcome.text,
        "refusal": None,
        "annotations": [],
    }
    if outcome.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json},
            }
            for call in outcome.tool_calls
        ]
    if outcome.reasoning_text:
        message["reasoning_content"] = outcome.reasoning_text
    return message


def _completion(gen: Generation, usage: dict[str, Any], meta: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": gen.id,
        "nativeResponseId": gen.native_id,
        "object": "chat.completion",
        "created": gen.created,
        "model": gen.route.model_id,
        "choices": [
            {
                "index": 0,
                "message": _message(gen),
                "logprobs": _logprobs(gen),
                "finish_reason": FINISH[gen.outcome.finish],
            }
        ],
        "usage": usage,
    }
    if meta is not None:
        body["meta"] = meta
    if "service_tier" in gen.request.body:
        body["service_tier"] = gen.request.body["service_tier"]
    return body


def _logprobs(gen: Generation) -> dict[str, Any] | None:
    """Per-token log probabilities when asked for (``logprobs: true``)."""
    if gen.request.body.get("logprobs") is not True or gen.outcome.tool_calls:
        return None
    rng = gen.ctx.fork("logprobs")
    alternatives = int(gen.request.body.get("top_logprobs") or 0)
    entries = []
    for token in pieces(gen.outcome.text):
        logprob = round(math.log(rng.uniform(0.35, 1.0)), 6)
        top = [{"token": token, "logprob": logprob, "bytes": list(token.encode())}]
        for _ in range(max(0, alternatives - 1)):
            other = gen.ctx.faker.word()
            top.append(
                {
                    "token": " " + other,
                    "logprob": round(logprob - rng.uniform(0.5, 6.0), 6),
                    "bytes": list((" " + other).encode()),
                }
            )
        entries.append(
            {
                "token": token,
                "logprob": logprob,
                "bytes": list(token.encode()),
                "top_logprobs": top[:alternatives],
            }
        )
    return {"content": entries, "refusal": None}


# --------------------------------------------------------------------------- stream


def _chunk(gen: Generation, delta: dict[str, Any], finish: str | None = None) -> bytes:
    return sse_frame(
        {
            "id": gen.id,
            "object": "chat.completion.chunk",
            "created": gen.created,
            "model": gen.route.provider_model,
            "nativeResponseId": gen.native_id,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
    )


def _stream(gen: Generation, usage: dict[str, Any], meta: dict[str, Any] | None) -> Iterator:
    return paced(gen, _frames(gen, usage, meta))


def _frames(gen: Generation, usage: dict[str, Any], meta: dict[str, Any] | None):
    outcome = gen.outcome
    yield _chunk(gen, {"role": "assistant", "content": ""}), 0
    if outcome.reasoning_text:
        for group in gen.groups(pieces(outcome.reasoning_text)):
            yield _chunk(gen, {"reasoning_content": "".join(group)}), len(group)
    if outcome.tool_calls:
        yield from _tool_call_frames(gen)
    else:
        for group in gen.groups(pieces(outcome.text)):
            yield _chunk(gen, {"content": "".join(group)}), len(group)
    yield _chunk(gen, {}, FINISH[outcome.finish]), 0
    ending = chat_ending(gen.route.provider)
    last = _completion(gen, usage, meta) if ending.snapshot else _usage_chunk(gen, usage, meta)
    yield sse_frame(last), 0
    if ending.done:
        yield DONE_FRAME, 0


def _usage_chunk(gen: Generation, usage: dict[str, Any], meta: dict[str, Any] | None) -> dict[str, Any]:
    """The OpenAI-compatible closing chunk: no choices, the priced usage."""
    last: dict[str, Any] = {
        "id": gen.id,
        "object": "chat.completion.chunk",
        "created": gen.created,
        "model": gen.route.provider_model,
        "nativeResponseId": gen.native_id,
        "choices": [],
        "usage": usage,
    }
    if meta is not None:
        last["meta"] = meta
    return last


def _tool_call_frames(gen: Generation):
    for index, call in enumerate(gen.outcome.tool_calls):
        head = {
            "index": index,
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield _chunk(gen, {"tool_calls": [head]}), estimate_tokens(call.name)
        for group in gen.groups(pieces(call.arguments_json)):
            yield (
                _chunk(gen, {"tool_calls": [{"index": index, "function": {"arguments": "".join(group)}}]}),
                len(group),
            )
