"""Token counts and the usage objects each surface sends (GATEWAY-BEHAVIOUR §4).

The estimator is offline and deterministic: text is cut into BPE-like pieces (a word
with its leading space, long words split every few letters, digits in threes, each run
of punctuation), and the number of pieces is the token count. ``"".join(pieces(t)) ==
t`` always holds, so streamed deltas built from pieces add up to the counted text.

Shapers build the usage object of each surface from counts and a price card:
:func:`chat_usage` (``prompt_tokens`` … ``pricing``), :func:`generic_usage`
(``input_tokens`` … ``pricing_breakdown``), :func:`anthropic_usage` and
:func:`anthropic_stream_usage`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mockserver.enrichment.pricing import price_usage

_PIECE = re.compile(r" ?[A-Za-z]+| ?\d{1,3}| ?[^\sA-Za-z\d]+|\s+")
_WORD_CHUNK = 5
#: Chat formatting overhead (role markers) per message, and for priming the answer.
PER_MESSAGE = 4
PRIMING = 3
#: Tokens an attached image costs (a low-detail tile).
PER_IMAGE = 85


_LONG_WORD = _WORD_CHUNK + 2


def pieces(text: str) -> list[str]:
    """Token-sized pieces of ``text``; they join back to exactly ``text``."""
    found = _PIECE.findall(text or "")
    if all(len(piece) <= _LONG_WORD for piece in found):
        return found
    out: list[str] = []
    for piece in found:
        if len(piece) > _LONG_WORD:
            out.extend(_split_long_word(piece))
        else:
            out.append(piece)
    return out


def _split_long_word(piece: str) -> list[str]:
    """A word longer than ``_LONG_WORD`` letters cut every ``_WORD_CHUNK`` (no 1-letter tail)."""
    core = piece.lstrip(" ")
    if not (core.isalpha() and len(core) > _LONG_WORD):
        return [piece]
    parts = [core[i : i + _WORD_CHUNK] for i in range(0, len(core), _WORD_CHUNK)]
    if len(parts[-1]) < 2 and len(parts) > 1:
        tail = parts.pop()
        parts[-1] += tail
    parts[0] = piece[: len(piece) - len(core)] + parts[0]
    return parts


def estimate_tokens(text: str) -> int:
    """Deterministic token estimate of ``text`` (no tokenizer download); ``len(pieces(text))``.

    This runs over every prompt, and clients resend the same system prompt, tools and
    history turn after turn: counts of texts up to ``_MEMO_CHARS`` are remembered.
    """
    if text and len(text) <= _MEMO_CHARS:
        return _remembered_count(text)
    return _count(text)


_MEMO_CHARS = 16 * 1024


@functools.lru_cache(maxsize=1024)
def _remembered_count(text: str) -> int:
    return _count(text)


def _count(text: str) -> int:
    """``len(pieces(text))`` without building the pieces of short matches, slice by slice."""
    return sum(_count_slice(part) for part in text_slices(text or ""))


def _count_slice(text: str) -> int:
    found = _PIECE.findall(text)
    return len(found) + sum(len(_split_long_word(piece)) - 1 for piece in found if len(piece) > _LONG_WORD)


#: Texts longer than this are scanned slice by slice (see :func:`text_slices`).
SLICE_CHARS = 64 * 1024


def text_slices(text: str, size: int = SLICE_CHARS) -> Iterator[str]:
    """``text`` in consecutive slices of about ``size`` characters, each cut at a lone space.

    A space with a non-space on each side starts a piece in every scan (no piece, and no
    word of a ``[A-Za-z]...`` pattern, reaches across its left edge), so scanning slice by
    slice finds exactly what one scan of the whole text finds. It lets other threads, such
    as the server's event loop, run between slices: one regex scan of a 24 MB prompt holds
    the interpreter for over a second.
    """
    start = 0
    while len(text) - start > size:
        cut = _lone_space(text, start + size)
        if cut < 0:
            break
        yield text[start:cut]
        start = cut
    yield text[start:]


def _lone_space(text: str, position: int) -> int:
    while True:
        found = text.find(" ", position)
        if found < 0 or found + 1 >= len(text):
            return -1
        if not text[found - 1].isspace() and not text[found + 1].isspace():
            return found
        position = found + 1


def estimate_value(value: Any) -> int:
    """Tokens of any JSON value (tool schemas, arguments): its compact JSON text."""
    if isinstance(value, str):
        return estimate_tokens(value)
    return estimate_tokens(json.dumps(value, separators=(",", ":"), sort_keys=True))


def conversation_tokens(turns: Iterable[str], images: int = 0, extra: int = 0) -> int:
    """Prompt tokens of a conversation: each turn's text plus per-message overhead."""
    texts = list(turns)
    return sum(estimate_tokens(text) + PER_MESSAGE for text in texts) + PRIMING + images * PER_IMAGE + extra


# --------------------------------------------------------------------------- meters


def text_meters(input_tokens: int, output_tokens: int, cached_tokens: int = 0) -> dict[str, int]:
    """Metered quantities of a text generation: cached prompt tokens are read from cache."""
    cached = max(0, min(cached_tokens, input_tokens))
    return {
        "input_text_tokens": input_tokens - cached,
        "cached_read_text_tokens": cached,
        "output_text_tokens": output_tokens,
    }


def plan_for(body: Any) -> str:
    """The pricing plan a request selects: priority, flex, batch or standard (§4)."""
    body = body if isinstance(body, Mapping) else {}
    explicit = body.get("pricing_plan")
    if isinstance(explicit, str) and explicit:
        return explicit
    tier = body.get("service_tier")
    if body.get("speed") == "fast" or tier == "priority":
        return "priority"
    if isinstance(tier, str) and tier in ("flex", "batch"):
        return tier
    return "standard"


def price_rules(model: Any, plan: str = "standard") -> Mapping[str, Any]:
    """The model's price card for ``plan`` (standard when the model has no such plan)."""
    plans: Mapping[str, Mapping[str, Any]] = (getattr(model, "extra", None) or {}).get("pricing_plans") or {}
    if plan != "standard" and plan in plans:
        return plans[plan]
    return getattr(model, "pricing", None) or {}


# --------------------------------------------------------------------------- shapes


def chat_usage(
    prompt_tokens: int,
    completion_tokens: int,
    rules: Mapping[str, Any],
    *,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
    input_images: int = 0,
) -> dict[str, Any]:
    """``/chat/completions`` usage: OpenAI counts, detail objects and ``pricing``."""
    prompt_details: dict[str, int] = {"cached_tokens": cached_tokens}
    if input_images:
        prompt_details["input_images"] = input_images
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": prompt_details,
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "pricing": price_usage(text_meters(prompt_tokens, completion_tokens, cached_tokens), rules),
    }


def generic_usage(
    input_tokens: int,
    output_tokens: int,
    rules: Mapping[str, Any],
    *,
    quantities: Mapping[str, int | float] | None = None,
    cached_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Usage on every other surface: ``input_tokens`` … ``pricing_breakdown``.

    ``quantities`` replaces the default text meters (media surfaces meter images,
    seconds, pages...); ``extra`` adds keys such as ``embedding_tokens``.
    """
    usage: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        **extra,
    }
    if cached_tokens is not None:
        usage["input_tokens_details"] = {"cached_tokens": cached_tokens}
    if reasoning_tokens is not None:
        usage["output_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    meters = quantities if quantities is not None else text_meters(input_tokens, output_tokens, cached_tokens or 0)
    usage["pricing_breakdown"] = price_usage(meters, rules)
    return usage


def anthropic_stream_usage(
    input_tokens: int, output_tokens: int, service_tier: str | None = "standard"
) -> dict[str, Any]:
    """Anthropic-shaped usage, unpriced (the ``message_delta`` stream event)."""
    return {
        "cache_creation": None,
        "cache_creation_input_tokens": None,
        "cache_read_input_tokens": None,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "server_tool_use": None,
        "service_tier": service_tier,
    }


def anthropic_usage(
    input_tokens: int,
    output_tokens: int,
    rules: Mapping[str, Any],
    *,
    service_tier: str | None = "standard",
    reasoning_tokens: int = 0,
) -> dict[str, Any]:
    """Non-stream ``/messages`` usage: Anthropic fields plus totals and ``pricing_breakdown``."""
    usage = anthropic_stream_usage(input_tokens, output_tokens, service_tier)
    usage["total_tokens"] = input_tokens + output_tokens
    usage["input_tokens_details"] = {"cached_tokens": 0}
    if reasoning_tokens:
        usage["output_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    usage["pricing_breakdown"] = price_usage(text_meters(input_tokens, output_tokens), rules)
    return usage


def anthropic_service_tier(plan: str) -> str:
    return {"priority": "priority", "batch": "batch"}.get(plan, "standard")
