"""``POST /responses``: an OpenAI Responses object, or its named event stream (§4-5).

The body echoes the request's settings and carries ``provider``, ``nativeResponseId``,
``meta`` and ``usage`` with ``pricing_breakdown``. Output items are named as the gateway
names the items it builds: ``reasoning_<id>_0_0``, ``msg_<id>_0``, ``fc_<id>_<n>``.
A stream runs ``response.created`` … ``response.completed``; ``sequence_number`` counts
the events.
"""

from __future__ import annotations

from typing import Any

from mockserver.encoding.sse import named_frame
from mockserver.engines.text.generation import Generation, openai_call_id, paced, prepare, reply_delay
from mockserver.engines.text.request import RESPONSES
from mockserver.enrichment.usage import estimate_tokens, generic_usage, pieces
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator


@generator("createResponse")
def create_response(ctx: SynthesisContext) -> MockReply:
    gen = prepare(ctx, RESPONSES, openai_call_id)
    outcome = gen.outcome
    usage = generic_usage(
        outcome.input_tokens,
        outcome.output_tokens,
        gen.rules,
        cached_tokens=0,
        reasoning_tokens=outcome.reasoning_tokens,
    )
    meta = gen.meta(streamed=gen.request.stream, routing=gen.request.meta)
    body = _response(gen, usage, meta)
    if gen.request.stream:
        final = {key: value for key, value in body.items() if key not in ("provider",)}
        if not gen.request.meta:
            final.pop("meta")
        reply = MockReply(stream=paced(gen, _events(gen, final)), media_type="text/event-stream")
    else:
        reply = MockReply(body=body, delay=reply_delay(gen))
    reply.summary = gen.summary(usage, usage["pricing_breakdown"], meta, body["status"])
    return reply


# --------------------------------------------------------------------------- body


def _items(gen: Generation, *, done: bool = True) -> list[dict[str, Any]]:
    outcome, items = gen.outcome, []
    status = "completed" if done else "in_progress"
    if outcome.reasoning_tokens:
        item: dict[str, Any] = {
            "type": "reasoning",
            "id": f"reasoning_{gen.id}_0_0",
            "status": status,
            "summary": [],
        }
        if outcome.reasoning_text:
            item["content"] = [_text_part(outcome.reasoning_text if done else "")]
        items.append(item)
    if outcome.tool_calls:
        for index, call in enumerate(outcome.tool_calls):
            items.append(
                {
                    "type": "function_call",
                    "id": f"fc_{gen.id}_{index}",
                    "call_id": call.call_id,
                    "name": call.name,
                    "arguments": call.arguments_json if done else "",
                    "status": status,
                }
            )
    else:
        message_status = ("incomplete" if outcome.finish == "length" else "completed") if done else "in_progress"
        items.append(
            {
                "type": "message",
                "id": f"msg_{gen.id}_0",
                "status": message_status,
                "role": "assistant",
                "content": [_text_part(outcome.text)] if done else [],
            }
        )
    return items


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": []}


def _text_echo(body: dict[str, Any]) -> dict[str, Any]:
    text = dict(body.get("text") or {})
    fmt = body.get("response_format")
    if "format" not in text and isinstance(fmt, dict):
        if fmt.get("type") == "json_schema" and isinstance(fmt.get("json_schema"), dict):
            text["format"] = {"type": "json_schema", **fmt["json_schema"]}
        else:
            text["format"] = {"type": fmt.get("type", "text")}
    text.setdefault("format", {"type": "text"})
    text.setdefault("verbosity", "medium")
    return text


def _response(gen: Generation, usage: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    body, outcome = gen.request.body, gen.outcome
    incomplete = outcome.finish == "length"
    reasoning = body.get("reasoning") or {}
    return {
        "id": gen.id,
        "object": "response",
        "created_at": gen.created,
        "status": "incomplete" if incomplete else "completed",
        "completed_at": None if incomplete else gen.completed_at(),
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": gen.request.max_output,
        "max_tool_calls": body.get("max_tool_calls"),
        "model": gen.route.model_id,
        "output": _items(gen),
        "parallel_tool_calls": gen.request.parallel_tool_calls,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "frequency_penalty": 0,
        "presence_penalty": 0,
        "store": body.get("store", False),
        "temperature": body.get("temperature", 1),
        "text": _text_echo(body),
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "top_logprobs": body.get("top_logprobs", 0),
        "top_p": body.get("top_p", 1),
        "truncation": body.get("truncation", "disabled"),
        "usage": usage,
        "user": body.get("user"),
        "background": body.get("background", False),
        "service_tier": body.get("service_tier", "default"),
        "safety_identifier": body.get("safety_identifier"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "metadata": body.get("metadata", {}),
        "nativeResponseId": gen.native_id,
        "provider": gen.route.provider,
        "meta": meta,
    }


# --------------------------------------------------------------------------- stream


def _events(gen: Generation, final: dict[str, Any]):
    """``(frame, tokens)`` pairs of the whole event sequence, numbered as they go."""
    snapshot = {key: value for key, value in final.items() if key not in ("usage", "meta")}
    snapshot.update(status="in_progress", completed_at=None, incomplete_details=None, output=[])
    sequence = 0

    def event(name: str, data: dict[str, Any], tokens: int = 0):
        nonlocal sequence
        frame = named_frame(name, {"sequence_number": sequence, **data})
        sequence += 1
        return frame, tokens

    yield event("response.created", {"response": snapshot})
    yield event("response.in_progress", {"response": snapshot})
    for index, (started, finished) in enumerate(zip(_items(gen, done=False), final["output"], strict=True)):
        yield event("response.output_item.added", {"output_index": index, "item": started})
        for name, data, tokens in _item_events(gen, index, finished):
            yield event(name, data, tokens)
        yield event("response.output_item.done", {"output_index": index, "item": finished})
    yield event("response.completed", {"response": final})


def _item_events(gen: Generation, index: int, item: dict[str, Any]):
    where = {"item_id": item["id"], "output_index": index}
    if item["type"] == "reasoning":
        for group in gen.groups(pieces(gen.outcome.reasoning_text or "")):
            yield (
                "response.reasoning_text.delta",
                {**where, "content_index": 0, "delta": "".join(group)},
                len(group),
            )
    elif item["type"] == "function_call":
        yield from _call_events(gen, where, item)
    else:
        part = item["content"][0]
        yield "response.content_part.added", {**where, "content_index": 0, "part": _text_part("")}, 0
        for group in gen.groups(pieces(part["text"])):
            yield (
                "response.output_text.delta",
                {**where, "content_index": 0, "delta": "".join(group), "logprobs": []},
                len(group),
            )
        yield (
            "response.output_text.done",
            {**where, "content_index": 0, "text": part["text"], "logprobs": []},
            0,
        )
        yield "response.content_part.done", {**where, "content_index": 0, "part": part}, 0


def _call_events(gen: Generation, where: dict[str, Any], item: dict[str, Any]):
    first = True
    for group in gen.groups(pieces(item["arguments"])):
        tokens = len(group) + (estimate_tokens(item["name"]) if first else 0)
        first = False
        yield "response.function_call_arguments.delta", {**where, "delta": "".join(group)}, tokens
    yield (
        "response.function_call_arguments.done",
        {**where, "name": item["name"], "arguments": item["arguments"]},
        0,
    )
