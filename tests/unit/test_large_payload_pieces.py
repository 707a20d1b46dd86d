"""Large prompts and answers are processed piece by piece, so that the server's event loop
gets the interpreter in between: the pieces must give exactly what one pass gives."""

from __future__ import annotations

import json
import random

from faker import Faker

from mockserver.engines.text.prose import _STOPWORDS, _WORD, topic_of
from mockserver.enrichment.usage import _PIECE, estimate_tokens, pieces, text_slices

ALPHABET = "abcXYZ'-09 \t\n\u00a0\u2003.,!é" + " " * 6


def _texts(count: int = 400) -> list[str]:
    rng = random.Random(12)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 300))) for _ in range(count)]


def test_slices_join_back_and_scan_like_the_whole_text():
    for text in _texts():
        for size in (1, 5, 17, 64):
            slices = list(text_slices(text, size))
            assert "".join(slices) == text
            assert [p for part in slices for p in _PIECE.findall(part)] == _PIECE.findall(text)
            assert [w for part in slices for w in _WORD.findall(part)] == _WORD.findall(text)


def test_long_texts_are_cut_and_counted_like_short_ones():
    text = " ".join(["lighthouse", "harbour", "12345", "ferry,", "tide!!"] * 40_000)
    assert len(list(text_slices(text))) > 10
    assert estimate_tokens(text) == len(pieces(text)) == len(_PIECE.findall(text)) + 40_000  # lighthouse: 2 pieces


def _old_topic(prompt: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(prompt or "") if w.lower() not in _STOPWORDS]
    return max(words, key=lambda w: (len(w), -words.index(w))) if words else None


def test_topic_is_the_first_longest_uncommon_word():
    faker = Faker()
    for text in [*_texts(200), "What about Lighthouses and HARBOURS", "what this that"]:
        expected = _old_topic(text)
        topic = topic_of(text, faker)
        assert topic == expected if expected else topic.startswith("the ")


def test_long_lists_are_encoded_in_batches_to_the_same_bytes():
    import orjson

    from mockserver.encoding.body import LONG_LIST, json_bytes

    value = {
        "object": "list",
        "data": [{"index": i, "embedding": [i / 7, -1.5e-9, 3.0], "name": "é\u2028"} for i in range(LONG_LIST * 3 + 5)],
        "tail": list(range(LONG_LIST + 1)),
        "usage": {"total_tokens": 12},
    }
    assert json_bytes(value) == orjson.dumps(value)
    value["huge"] = 10**30  # beyond orjson: the json fallback, still compact
    assert json.loads(json_bytes(value)) == value
    assert json_bytes(value).endswith(b',"huge":1000000000000000000000000000000}')
