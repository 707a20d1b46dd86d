"""``POST /messages``: an Anthropic message, or its event stream (§4-5).

Non-stream: ``id`` is the gateway request id; content blocks are ``thinking`` (when
thinking is on or the model shows its reasoning), ``text`` (``citations: null``) and
``tool_use``; usage is Anthropic-shaped plus ``total_tokens`` and ``pricing_breakdown``.
Stream: ``message_start`` (the provider's id, token counts only), ``ping``, per block
``content_block_start`` / ``content_block_delta`` … / ``content_block_stop`` (a
``tool_use`` block arrives whole in its start event), ``message_delta`` with the stop
reason and unpriced usage, ``message_stop``.
"""

from __future__ import annotations

from typing import Any

from mockserver.encoding.sse import named_frame
from mockserver.engines.text.generation import Generation, anthropic_tool_id, paced, prepare, reply_delay
from mockserver.engines.text.request import MESSAGES
from mockserver.enrichment.usage import (
    anthropic_service_tier,
    anthropic_stream_usage,
    anthropic_usage,
    pieces,
)
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

STOP_REASON = {
    "stop": "end_turn",
    "stop_sequence": "stop_sequence",
    "length": "max_tokens",
    "tool_calls": "tool_use",
}


@generator("createAnthropicMessage")
def create_message(ctx: SynthesisContext) -> MockReply:
    gen = prepare(ctx, MESSAGES, anthropic_tool_id)
    outcome = gen.outcome
    tier = anthropic_service_tier(gen.plan)
    usage = anthropic_usage(
        outcome.input_tokens,
        outcome.output_tokens,
        gen.rules,
        service_tier=tier,
        reasoning_tokens=outcome.reasoning_tokens,
    )
    meta = gen.meta(streamed=gen.request.stream, routing=False)
    if gen.request.stream:
        reply = MockReply(stream=paced(gen, _events(gen, tier)), media_type="text/event-stream")
    else:
        reply = MockReply(body=_message(gen, usage), delay=reply_delay(gen))
    reply.summary = gen.summary(usage, usage["pricing_breakdown"], meta, "completed")
    return reply


def _blocks(gen: Generation) -> list[dict[str, Any]]:
    outcome = gen.outcome
    blocks: list[dict[str, Any]] = []
    if outcome.reasoning_text:
        blocks.append({"type": "thinking", "thinking": outcome.reasoning_text, "signature": ""})
    if outcome.text or not outcome.tool_calls:
        blocks.append({"type": "text", "text": outcome.text, "citations": None})
    for call in outcome.tool_calls:
        blocks.append({"type": "tool_use", "id": call.call_id, "name": call.name, "input": call.arguments})
    return blocks


def _message(gen: Generation, usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": gen.id,
        "type": "message",
        "role": "assistant",
        "content": _blocks(gen),
        "model": gen.route.model_id,
        "stop_reason": STOP_REASON[gen.outcome.finish],
        "stop_sequence": gen.outcome.stop_sequence,
        "usage": usage,
    }


def _events(gen: Generation, tier: str):
    outcome = gen.outcome
    start: dict[str, Any] = {
        "id": gen.native_id,
        "type": "message",
        "role": "assistant",
        "model": gen.route.model_id,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": outcome.input_tokens, "output_tokens": 1},
    }
    yield named_frame("message_start", {"message": start}), 0
    yield named_frame("ping", {}), 0
    for index, block in enumerate(_blocks(gen)):
        yield from _block_events(gen, index, block)
    delta = {"stop_reason": STOP_REASON[outcome.finish], "stop_sequence": outcome.stop_sequence}
    usage = anthropic_stream_usage(outcome.input_tokens, outcome.output_tokens, tier)
    yield named_frame("message_delta", {"delta": delta, "usage": usage}), 0
    yield named_frame("message_stop", {}), 0


def _block_events(gen: Generation, index: int, block: dict[str, Any]):
    kind = block["type"]
    if kind == "tool_use":
        call = next(call for call in gen.outcome.tool_calls if call.call_id == block["id"])
        tokens = len(pieces(call.name)) + len(pieces(call.arguments_json))
        yield named_frame("content_block_start", {"index": index, "content_block": block}), tokens
    else:
        field, delta_type = ("thinking", "thinking_delta") if kind == "thinking" else ("text", "text_delta")
        empty = {"type": kind, field: ""}
        if kind == "text":
            empty["citations"] = None
        else:
            empty["signature"] = ""
        yield named_frame("content_block_start", {"index": index, "content_block": empty}), 0
        for group in gen.groups(pieces(block[field])):
            yield (
                named_frame(
                    "content_block_delta",
                    {"index": index, "delta": {"type": delta_type, field: "".join(group)}},
                ),
                len(group),
            )
    yield named_frame("content_block_stop", {"index": index}), 0
