"""OCR output: lines of text laid out top to bottom on one or more pages."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker


def read_pages(rng: random.Random, faker: Faker, pages: int = 1) -> list[dict[str, Any]]:
    """Pages with blocks (text, bounding box as page fractions, confidence)."""
    out = []
    for index in range(pages):
        blocks: list[dict[str, Any]] = []
        y = round(rng.uniform(0.03, 0.08), 4)
        for _ in range(rng.randint(3, 9)):
            text = _line(rng, faker)
            height = round(rng.uniform(0.02, 0.045), 4)
            if y + height > 0.97:
                break
            width = round(min(0.9, 0.018 * len(text) + rng.uniform(0.0, 0.05)), 4)
            x = round(rng.uniform(0.04, max(0.05, 0.96 - width)), 4)
            blocks.append(
                {
                    "text": text,
                    "bbox": {"x": x, "y": y, "width": width, "height": height},
                    "confidence": round(rng.uniform(0.86, 0.995), 3),
                }
            )
            y = round(y + height + rng.uniform(0.015, 0.08), 4)
        out.append({"index": index, "text": "\n".join(block["text"] for block in blocks), "blocks": blocks})
    return out


def page_count(image: str) -> int:
    """PDFs (by data URL type or file name) read as several pages; images as one."""
    head = image[:64].lower()
    if head.startswith("data:application/pdf") or image.lower().split("?")[0].endswith(".pdf"):
        return 2 + len(image) % 3
    return 1


def _line(rng: random.Random, faker: Faker) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return faker.company().upper()
    if kind == 1:
        return f"{faker.word().capitalize()} {faker.word()} {rng.randint(1, 99)}.{rng.randint(0, 99):02d}"
    if kind == 2:
        return faker.street_address()
    if kind == 3:
        return faker.date(pattern="%d/%m/%Y") + " " + faker.time(pattern="%H:%M")
    return faker.sentence(nb_words=rng.randint(3, 8)).rstrip(".")
