"""The inference rules of ``build_catalogue.py``: which endpoints a model serves, who
serves it when no price card says so, what a price card's rules come to as flat prices,
and the defaults for what the facts leave open. Pure functions over plain data."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

#: A price card's endpoint → the capability id the mock routes on (``batch`` and
#: ``realtime`` cards add none: a plan and a transport, not capabilities of their own).
CAPABILITY_BY_CARD_ENDPOINT = {
    "chat.completions": "text.generate",
    "responses": "text.generate",
    "embeddings": "text.embed",
    "moderations": "moderation",
    "image.generations": "image.generate",
    "images.generations": "image.generate",
    "image.edits": "image.edit",
    "images.edits": "image.edit",
    "audio.speech": "audio.speech",
    "audio.transcriptions": "audio.transcribe",
    "audio.translations": "audio.translate",
    "video.generations": "video.generate",
}
#: Name patterns (on the part after ``org/``) that say what a model is for, first match
#: wins. Reranking has no endpoint in the contract, so rerankers serve none.
NAME_RULES: list[tuple[str, str, list[str]]] = [
    ("rerank", r"rerank|rerenk", []),
    ("moderation", r"moderation", ["moderation"]),
    ("embedding", r"embed", ["text.embed"]),
    ("ocr", r"ocr", ["ocr"]),
    ("speech", r"tts|^speech-", ["audio.speech"]),
    ("whisper", r"^whisper", ["audio.transcribe", "audio.translate"]),
    ("transcription", r"transcribe", ["audio.transcribe"]),
    ("music", r"^suno|music|lyria", ["music.generate"]),
    ("video", r"^(sora|veo|hailuo|t2v|i2v|s2v)|reel|video", ["video.generate"]),
    ("image editing", r"^(gpt-image|chatgpt-image|dall-e-2)", ["image.generate", "image.edit"]),
    ("image", r"^(dall-e|imagen|image-0)|image-generation|canvas|-image", ["image.generate"]),
]
#: Types a model of each capability takes and gives, when the facts have none.
TYPES_BY_CAPABILITY = {
    "text.generate": (["text"], ["text"]),
    "text.embed": (["text"], ["embedding"]),
    "moderation": (["text"], ["moderation"]),
    "ocr": (["image", "document"], ["text"]),
    "audio.speech": (["text"], ["audio"]),
    "audio.transcribe": (["audio"], ["text"]),
    "music.generate": (["text"], ["audio"]),
    "video.generate": (["text", "image"], ["video"]),
    "image.generate": (["text"], ["image"]),
}
#: First-party API providers of an organisation; open-weight makers without one are
#: served by the open-model hosts.
FIRST_PARTY = {
    "openai": ["openai"],
    "anthropic": ["anthropic"],
    "google": ["google-ai-studio", "google-vertex"],
    "mistral": ["mistral"],
    "cohere": ["cohere"],
    "deepseek": ["deepseek"],
    "x-ai": ["x-ai"],
    "minimax": ["minimax"],
    "moonshotai": ["moonshotai"],
    "suno": ["suno"],
    "ai21": ["ai21"],
    "amazon": ["amazon-bedrock"],
    "qwen": ["alibaba"],
    "meta": ["together", "groq"],
}
OPEN_MODEL_HOSTS = ["together", "deepinfra"]
#: Stream pace of a capability when neither the curated list nor a relative has one.
DEFAULT_SPEED = {
    "text.generate": {"ttft_ms": 600, "tokens_per_second": 90},
    "image.generate": {"ttft_ms": 8000, "tokens_per_second": 0},
    "video.generate": {"ttft_ms": 50000, "tokens_per_second": 0},
    "music.generate": {"ttft_ms": 25000, "tokens_per_second": 0},
    "audio.speech": {"ttft_ms": 450, "tokens_per_second": 0},
    "audio.transcribe": {"ttft_ms": 1000, "tokens_per_second": 0},
    "ocr": {"ttft_ms": 1500, "tokens_per_second": 0},
}
DEFAULT_CONTEXT = {"text.generate": 128000, "text.embed": 8192, "moderation": 32768}
OPENAI_VOICES = ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse"]
DEFAULT_VOICES = ["default"]
_REASONING = re.compile(
    r"^o\d|thinking|reasoning|-r1|magistral|qwq|qvq|deep-research|^gpt-5(?!.*chat)|^gpt-oss|^grok-4(?!.*non)"
    r"|^grok-3-mini|gemini-2-5-(pro|flash)|gemini-3|minimax-m|deepseek-v3-2"
)
_VISIBLE_REASONING = re.compile(r"-r1|qwq|qvq|thinking|grok-3-mini|minimax-m|magistral")
STATUS = {"Available": "active", "Deprecated": "deprecated", "Retired": "retired", "Rumoured": "rumoured"}
STATUS["Announced"] = "announced"


def split_types(value: str | None) -> list[str]:
    """``"text, image"`` → ``["text", "image"]`` (lower case, in order, no repeats)."""
    seen: list[str] = []
    for part in (value or "").split(","):
        part = part.strip().lower()
        if part and part not in seen:
            seen.append(part)
    return seen


def endpoints_by_name(short_id: str) -> tuple[str, list[str]] | None:
    for label, pattern, capabilities in NAME_RULES:
        if re.search(pattern, short_id):
            return label, list(capabilities)
    return None


def endpoints_by_types(inputs: list[str], outputs: list[str]) -> list[str]:
    out = set(outputs)
    if "moderation" in out:
        return ["moderation"]
    if "video" in out:
        return ["video.generate"]
    if out == {"image"}:
        return ["image.generate", "image.edit"] if "image" in inputs else ["image.generate"]
    if out == {"audio"}:
        return ["audio.speech"]
    if inputs == ["audio"] and out == {"text"}:
        return ["audio.transcribe"]
    return ["text.generate"]


def reasoning_flags(short_id: str) -> dict[str, bool]:
    flags = {}
    if _REASONING.search(short_id):
        flags["reasoning"] = True
        if _VISIBLE_REASONING.search(short_id):
            flags["visible_reasoning"] = True
    return flags


# ----------------------------------------------------------------------------- prices


def _per_unit(meter: str, usd_per_unit: float) -> str:
    """A card's price per token or per unit as our fixture's text: per million for token meters."""
    price = Decimal(repr(usd_per_unit))
    if meter.endswith("_tokens"):
        price *= 1_000_000
    return format(price.normalize(), "f")


def _base_rank(rule: dict[str, Any]) -> tuple[int, float]:
    """Which of a meter's rules is its base price: no condition first, then the 5-minute
    cache write, the lowest context tier, a medium 1024x1024 image; ties go to the lower price."""
    match = rule.get("match") or []
    values = {(m["path"], m["op"]): m["value"] for m in match}
    base_condition = (
        values.get(("cache_ttl", "eq")) == "5m"
        or ("input_text_tokens", "lte") in values
        or (values.get(("image_params.quality", "eq")) == "medium" and "1024x1024" in values.values())
    )
    rank = 0 if not match else 1 if base_condition else 2 + len(match)
    return rank, float(rule["price_per_unit"])


def flat_prices(rules: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """A card's rules as ``{plan: {meter: price}}``, one base price per meter and plan.

    ``total_tokens`` (the oldest completion models) is priced as both input and output tokens.
    """
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for rule in rules:
        key = (rule.get("pricing_plan") or "standard", rule["meter"])
        if key not in chosen or _base_rank(rule) < _base_rank(chosen[key]):
            chosen[key] = rule
    plans: dict[str, dict[str, str]] = {}
    for (plan, meter), rule in chosen.items():
        meters = ["input_text_tokens", "output_text_tokens"] if meter == "total_tokens" else [meter]
        for name in meters:
            plans.setdefault(plan, {})[name] = _per_unit(meter, rule["price_per_unit"])
    return plans


def price_weight(prices: dict[str, Any]) -> Decimal:
    """A sort key for picking a median price card: the sum of its flat prices."""
    total = Decimal(0)
    for value in prices.values():
        total += Decimal(str(value["usd"] if isinstance(value, dict) else value))
    return total
