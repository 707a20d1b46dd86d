"""Numbers from schema data fall in realistic ranges when the schema sets no bounds (or
only a type's width, as Zod's ±(2^53 - 1) does), chosen by the field's name."""

from __future__ import annotations

import json
import random

import pytest
from faker import Faker

from mockserver.engines.numbers import STAMP_HIGH, STAMP_LOW, hint, realistic_range
from mockserver.engines.text.json_values import valid_value
from tests.support import AUTH

SAFE = 2**53 - 1
ZOD_INT = {"type": "integer", "minimum": -SAFE, "maximum": SAFE}
EXPECTED = {
    "age": (18, 90),
    "userAge": (18, 90),
    "item_count": (0, 500),
    "max_tokens": (1, 4096),
    "latency_ms": (20, 4000),
    "duration_seconds": (1, 600),
    "created_at": (STAMP_LOW, STAMP_HIGH),
    "year": (2000, 2030),
    "percentage": (0, 100),
    "price": (1, 500),
    "total_cents": (1, 50_000),
}


def values(schema: dict, seeds: int = 40) -> list:
    return [valid_value(schema, random.Random(seed), Faker()) for seed in range(seeds)]


@pytest.mark.parametrize(
    "bounds", [{}, {"minimum": -SAFE, "maximum": SAFE}, {"minimum": -(2**31), "maximum": 2**31 - 1}]
)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unbounded_integers_follow_the_field_name(name, bounds):
    schema = {"type": "object", "properties": {name: {"type": "integer", **bounds}}, "required": [name]}
    low, high = EXPECTED[name]
    drawn = [value[name] for value in values(schema)]
    assert all(low <= number <= high for number in drawn), (name, drawn)
    assert len(set(drawn)) > 5  # a range, not a constant


def test_unnamed_integers_stay_small_and_numbers_follow_their_names():
    schema = {
        "type": "object",
        "properties": {
            "value": ZOD_INT,
            "latitude": {"type": "number"},
            "confidence": {"type": "number"},
            "cost_usd": {"type": "number"},
        },
        "required": ["value", "latitude", "confidence", "cost_usd"],
    }
    for value in values(schema):
        assert 1 <= value["value"] <= 100
        assert -90 <= value["latitude"] <= 90 and 0 <= value["confidence"] <= 1
        assert 0.5 <= value["cost_usd"] <= 500


def test_explicit_bounds_always_win():
    assert realistic_range("age", True, 30, 40, (1, 100)) == (30, 40)
    assert realistic_range("age", True, 100, None, (1, 100)) == (100, 172)  # no overlap: the schema's side
    assert realistic_range("age", True, None, 10, (1, 100)) == (-62, 10)
    assert realistic_range("thing", True, 5_000, 10**12, (1, 100)) == (5_000, 5_099)
    assert realistic_range("age", True, -SAFE, SAFE, (1, 100)) == (18, 90)
    schema = {"type": "integer", "exclusiveMinimum": 90, "maximum": 95}
    assert all(
        91
        <= valid_value(
            {"type": "object", "properties": {"age": schema}, "required": ["age"]}, random.Random(seed), Faker()
        )["age"]
        <= 95
        for seed in range(20)
    )


def test_names_without_a_meaning_have_no_hint():
    assert hint("foo", True) is None and hint(None, True) is None
    assert hint("createdAt", True) == (STAMP_LOW, STAMP_HIGH)


def _integers(value) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _integers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _integers(item)]
    return []


@pytest.mark.parametrize("path", ["/v1/credits", "/v1/activity", "/v1/providers", "/v1/gateway/models"])
def test_schema_generated_answers_have_no_astronomical_integers(client, path):
    for seed in range(4):
        response = client.get(path, headers={**AUTH, "Prefer": "dynamic=true", "X-Mock-Seed": str(seed)})
        assert response.status_code == 200, response.text[:200]
        assert all(abs(n) <= STAMP_HIGH * 1000 for n in _integers(response.json())), path


def test_structured_output_from_a_zod_schema_has_a_human_age(client):
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": ZOD_INT},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    body = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Invent a person."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
    }
    for seed in range(5):
        answer = client.post("/v1/chat/completions", headers={**AUTH, "X-Mock-Seed": str(seed)}, json=body)
        person = json.loads(answer.json()["choices"][0]["message"]["content"])
        assert 18 <= person["age"] <= 90
