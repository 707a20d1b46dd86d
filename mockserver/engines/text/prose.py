"""Plausible English prose from Faker, deterministic per seed.

Sentences come from templates filled with Faker's English parts of speech, people,
places and companies, and with a topic taken from the prompt, so an answer reads like
an assistant talking about what it was asked, not like lorem ipsum.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from mockserver.enrichment.usage import estimate_tokens, text_slices

if TYPE_CHECKING:
    from faker import Faker

_TEMPLATES = (
    "The short answer is that {topic} depends on {noun} more than on {noun2}.",
    "In practice, most teams {verb} {topic} by starting with a {adj} {noun}.",
    "A good first step is to {verb} the {noun} and check how it affects {topic}.",
    "{Name} from {company} found that {topic} improved by {percent}% once the {noun} was {adj}.",
    "Keep in mind that {topic} can {adv} {verb} when the {noun} changes.",
    "For example, in {city} a {adj} {noun} helped {verb} {topic} within {number} weeks.",
    "There are {number} common ways to {verb} {topic}: {noun}, {noun2} and {noun3}.",
    "Since {year}, the usual approach to {topic} has been to {verb} a {adj} {noun}.",
    "If the {noun} is {adj}, {topic} tends to {verb} {adv}.",
    "It also helps to compare {topic} with a {adj} {noun2} before deciding.",
    "The main trade-off is between a {adj} {noun} and a {adj2} {noun2}.",
    "Many people {adv} {verb} the {noun}, which makes {topic} harder to reason about.",
    "To summarise, {topic} works best with a {adj} {noun} and a clear {noun2}.",
    "One caveat: the {noun} should not {verb} the {noun2} without a review.",
    "{Name} usually recommends to {verb} the {noun} first and to revisit {topic} later.",
    "As a rule of thumb, allow about {number} minutes to {verb} each {noun}.",
    "The {adj} part of {topic} is the {noun}, not the {noun2}.",
    "You can {verb} {topic} {adv} if the {noun} is already {adj}.",
)
_OPENERS = (
    "Here is a quick overview of {topic}.",
    "Good question about {topic}.",
    "Let me walk through {topic} step by step.",
    "Sure, here is what matters for {topic}.",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_STOPWORDS = {
    "what",
    "which",
    "where",
    "when",
    "there",
    "their",
    "about",
    "would",
    "could",
    "should",
    "please",
    "answer",
    "explain",
    "tell",
    "give",
    "with",
    "from",
    "that",
    "this",
    "have",
    "into",
    "your",
    "them",
    "they",
    "does",
    "make",
    "using",
    "short",
    "sentence",
    "reply",
    "right",
    "now",
}


def topic_of(prompt: str, faker: Faker) -> str:
    """A salient phrase of the prompt (its longest uncommon word), or a Faker noun."""
    best = ""
    for part in text_slices(prompt or ""):
        for word in _WORD.findall(part):
            if len(word) > len(best) and word.lower() not in _STOPWORDS:
                best = word.lower()
    return best or "the " + faker.word(part_of_speech="noun")


def sentence(faker: Faker, rng: random.Random, topic: str, templates=_TEMPLATES) -> str:
    template = rng.choice(templates)
    fill = {
        "topic": topic,
        "noun": faker.word(part_of_speech="noun"),
        "noun2": faker.word(part_of_speech="noun"),
        "noun3": faker.word(part_of_speech="noun"),
        "verb": faker.word(part_of_speech="verb"),
        "adj": faker.word(part_of_speech="adjective"),
        "adj2": faker.word(part_of_speech="adjective"),
        "adv": faker.word(part_of_speech="adverb"),
        "Name": faker.first_name(),
        "company": faker.company(),
        "city": faker.city(),
        "year": str(rng.randint(2012, 2025)),
        "number": str(rng.randint(2, 9)),
        "percent": str(rng.randint(5, 60)),
    }
    text = template.format(**fill)
    return text[0].upper() + text[1:]


def prose(faker: Faker, rng: random.Random, prompt: str, target_tokens: int) -> str:
    """Paragraphs of at least ``target_tokens`` tokens (whole sentences) about the prompt."""
    topic = topic_of(prompt, faker)
    parts = [sentence(faker, rng, topic, _OPENERS)]
    tokens = estimate_tokens(parts[0])
    since_break = 1
    while tokens < target_tokens:
        joiner = "\n\n" if since_break >= rng.randint(3, 5) else " "
        since_break = 0 if joiner != " " else since_break + 1
        piece = joiner + sentence(faker, rng, topic)
        parts.append(piece)
        tokens += estimate_tokens(piece)
    return "".join(parts)


def reasoning_prose(faker: Faker, rng: random.Random, prompt: str, target_tokens: int) -> str:
    """A model's visible reasoning: first-person planning sentences."""
    topic = topic_of(prompt, faker)
    steps = (
        "The user is asking about {topic}.",
        "I should consider the {noun} and the {noun2}.",
        "A {adj} {noun} is probably the key point.",
        "Let me check whether the {noun} could {verb} it.",
        "I will keep the answer focused on {topic}.",
        "An example with a {adj} {noun} would help.",
    )
    parts: list[str] = []
    tokens = 0
    while tokens < target_tokens:
        piece = (" " if parts else "") + sentence(faker, rng, topic, steps)
        parts.append(piece)
        tokens += estimate_tokens(piece)
    return "".join(parts)
