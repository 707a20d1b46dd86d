"""The text engine: what a model answers to a :class:`TextRequest`, surface-neutral.

It decides between tool calls and text, writes the text (prose, JSON mode or a
structured output valid against the requested schema), applies stop sequences and the
token cap, spends reasoning tokens on reasoning models, and counts every token with the
offline estimator. Surface encoders (chat, responses, messages) only reshape the
:class:`TextOutcome`.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.engines.text.json_values import valid_value
from mockserver.engines.text.prose import prose, reasoning_prose, topic_of
from mockserver.engines.text.request import MESSAGES, TextRequest, ToolSpec
from mockserver.enrichment.usage import conversation_tokens, estimate_tokens, estimate_value, pieces

if TYPE_CHECKING:
    from faker import Faker

#: Reasoning tokens spent per effort (low, high bounds).
_EFFORT_TOKENS = {
    "none": (0, 0),
    "minimal": (0, 8),
    "low": (8, 48),
    "medium": (32, 160),
    "high": (96, 400),
    "xhigh": (200, 600),
    "max": (200, 600),
}
_NATURAL_TOKENS = (16, 96)


@dataclass
class ToolCall:
    call_id: str
    name: str
    arguments: Any

    @functools.cached_property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments, separators=(",", ":"), ensure_ascii=False)


@dataclass
class TextOutcome:
    text: str
    #: ``stop`` (natural end), ``length`` (token cap), ``stop_sequence`` or ``tool_calls``.
    finish: str
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int = 0
    reasoning_text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_sequence: str | None = None
    input_images: int = 0

    def text_pieces(self) -> list[str]:
        return pieces(self.text)


def answer(
    request: TextRequest,
    model: Any,
    rng: random.Random,
    faker: Faker,
    new_call_id: Callable[[random.Random], str],
) -> TextOutcome:
    """The whole answer of ``model`` to ``request``, deterministic for a given ``rng``/``faker``."""
    input_tokens = prompt_tokens(request)
    budget = request.max_output
    reasoning_text, reasoning_tokens = _reasoning(request, model, rng, faker, budget)
    remaining = None if budget is None else max(0, budget - reasoning_tokens)
    calls = _tool_calls(request, rng, faker, new_call_id)
    call_tokens = sum(estimate_tokens(call.name) + estimate_tokens(call.arguments_json) for call in calls)
    if calls and (remaining is None or call_tokens <= remaining):
        preface = (
            prose(faker, rng, request.last_user_text, 1).split(".")[0] + "." if request.surface == MESSAGES else ""
        )
        return TextOutcome(
            text=preface,
            finish="tool_calls",
            input_tokens=input_tokens,
            output_tokens=reasoning_tokens + call_tokens + estimate_tokens(preface),
            reasoning_tokens=reasoning_tokens,
            reasoning_text=reasoning_text,
            tool_calls=calls,
            input_images=request.images,
        )
    text = _draft(request, rng, faker)
    text, finish, sequence = cut_text(text, request.stop, remaining)
    return TextOutcome(
        text=text,
        finish=finish,
        input_tokens=input_tokens,
        output_tokens=reasoning_tokens + estimate_tokens(text),
        reasoning_tokens=reasoning_tokens,
        reasoning_text=reasoning_text,
        stop_sequence=sequence,
        input_images=request.images,
    )


def prompt_tokens(request: TextRequest) -> int:
    extra = estimate_tokens(request.tool_tokens_text)
    if request.output_schema is not None:
        extra += estimate_value(request.output_schema)
    return conversation_tokens(request.turns, request.images, extra)


def _reasoning(
    request: TextRequest, model: Any, rng: random.Random, faker: Faker, budget: int | None
) -> tuple[str | None, int]:
    extra = getattr(model, "extra", {}) or {}
    thinking = request.surface == MESSAGES and request.thinking_budget is not None
    if not (extra.get("reasoning") or thinking):
        return None, 0
    low, high = _EFFORT_TOKENS.get(request.reasoning_effort or "medium", _EFFORT_TOKENS["medium"])
    tokens = rng.randint(low, high)
    if thinking and request.thinking_budget is not None:
        tokens = min(tokens, request.thinking_budget)
    if budget is not None:
        tokens = min(tokens, budget // 2)
    if tokens <= 0:
        return None, 0
    if not (thinking or extra.get("visible_reasoning")):
        return None, tokens
    text = "".join(pieces(reasoning_prose(faker, rng, request.last_user_text, tokens))[:tokens])
    return text, estimate_tokens(text)


def _wants_call(request: TextRequest) -> bool:
    if not request.tools or request.tool_choice == "none":
        return False
    if request.tool_choice in ("required", "named"):
        return True
    return not request.after_tool_result


def _tool_calls(
    request: TextRequest, rng: random.Random, faker: Faker, new_call_id: Callable[[random.Random], str]
) -> list[ToolCall]:
    if not _wants_call(request):
        return []
    chosen: list[ToolSpec]
    if request.tool_choice == "named":
        chosen = [tool for tool in request.tools if tool.name == request.forced_tool][:1]
    else:
        chosen = [rng.choice(request.tools)]
        others = [tool for tool in request.tools if tool is not chosen[0]]
        if request.parallel_tool_calls and others and rng.random() < 0.25:
            chosen.append(rng.choice(others))
    return [ToolCall(new_call_id(rng), tool.name, valid_value(tool.parameters, rng, faker)) for tool in chosen]


def _draft(request: TextRequest, rng: random.Random, faker: Faker) -> str:
    if request.output_schema is not None:
        return json.dumps(valid_value(request.output_schema, rng, faker), ensure_ascii=False)
    if request.json_mode:
        topic = topic_of(request.last_user_text, faker)
        value = {
            "answer": prose(faker, rng, request.last_user_text, 12).split("\n")[0],
            "topic": topic,
            "confidence": round(rng.uniform(0.55, 0.99), 2),
        }
        return json.dumps(value, ensure_ascii=False)
    return prose(faker, rng, request.last_user_text, rng.randint(*_NATURAL_TOKENS))


def cut_text(text: str, stops: list[str], remaining: int | None) -> tuple[str, str, str | None]:
    """Apply the earliest stop sequence, then the token cap."""
    finish, sequence = "stop", None
    hits = [(text.find(stop), stop) for stop in stops if stop in text]
    if hits:
        index, sequence = min(hits)
        text, finish = text[:index], "stop_sequence"
    if remaining is not None:
        parts = pieces(text)
        if len(parts) > remaining:
            return "".join(parts[:remaining]), "length", None
    return text, finish, sequence
