"""Moderation verdicts: a score per category, deterministic per input.

Scores start from a small baseline drawn from a hash of the input; words from a short
lexicon raise their categories' scores. A category is flagged when its score reaches
:data:`FLAG_THRESHOLD`, and a result is flagged when any category is.
"""

from __future__ import annotations

import random
import re

from mockserver.ids import derive_seed

CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
#: Categories that image inputs also contribute to (as in OpenAI's omni-moderation).
IMAGE_CATEGORIES = frozenset(
    {"self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"}
)
FLAG_THRESHOLD = 0.5

_LEXICON: dict[str, dict[str, float]] = {
    "kill": {"violence": 0.85, "harassment/threatening": 0.55, "illicit/violent": 0.3},
    "murder": {"violence": 0.9, "illicit/violent": 0.6},
    "hurt": {"violence": 0.7, "harassment/threatening": 0.35},
    "attack": {"violence": 0.65},
    "blood": {"violence/graphic": 0.6, "violence": 0.4},
    "gore": {"violence/graphic": 0.85},
    "bomb": {"illicit/violent": 0.8, "violence": 0.6},
    "weapon": {"illicit/violent": 0.55, "violence": 0.3},
    "steal": {"illicit": 0.7},
    "drugs": {"illicit": 0.65},
    "hack": {"illicit": 0.55},
    "hate": {"hate": 0.6, "harassment": 0.4},
    "idiot": {"harassment": 0.7},
    "stupid": {"harassment": 0.55},
    "threat": {"harassment/threatening": 0.6},
    "suicide": {"self-harm": 0.85, "self-harm/intent": 0.6},
    "self-harm": {"self-harm": 0.8},
    "cut myself": {"self-harm": 0.85, "self-harm/intent": 0.75},
    "sex": {"sexual": 0.7},
    "nude": {"sexual": 0.75},
    "explicit": {"sexual": 0.55},
}
_WORDS = re.compile(r"[a-z][a-z-]*")


def scores_for(texts: list[str], images: list[str]) -> dict[str, float]:
    """Category scores for one input made of text parts and image URLs."""
    key = "\x00".join(texts) + "\x01" + "\x00".join(images)
    rng = random.Random(derive_seed("moderation", key))
    scores = {name: rng.uniform(0.00001, 0.004) for name in CATEGORIES}
    joined = " ".join(texts).lower()
    words = set(_WORDS.findall(joined))
    for term, bumps in _LEXICON.items():
        if term in words or (" " in term and term in joined):
            for name, value in bumps.items():
                scores[name] = max(scores[name], value + rng.uniform(0.0, 0.08))
    return {name: round(min(score, 0.9999), 6) for name, score in scores.items()}


def verdict(texts: list[str], images: list[str]) -> dict:
    """One ``results[]`` entry: flags, scores and which input types applied."""
    scores = scores_for(texts, images)
    categories = {name: scores[name] >= FLAG_THRESHOLD for name in CATEGORIES}
    kinds = ["text"] if texts or not images else []
    applied = {name: kinds + (["image"] if images and name in IMAGE_CATEGORIES else []) for name in CATEGORIES}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def split_input(value) -> list[tuple[list[str], list[str]]]:
    """The request's ``input`` as units judged separately: each string alone, or all parts together."""
    if isinstance(value, str):
        return [([value], [])]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return [([item], []) for item in value]
    texts, images = [], []
    for part in value or []:
        if isinstance(part, dict) and part.get("type") == "text":
            texts.append(str(part.get("text", "")))
        elif isinstance(part, dict) and part.get("type") == "image_url":
            images.append(str((part.get("image_url") or {}).get("url", "")))
    return [(texts, images)]
