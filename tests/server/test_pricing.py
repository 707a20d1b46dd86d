"""Pricing arithmetic to the nano, price plans, the token estimator and the usage shapes."""

from __future__ import annotations

import pytest

from mockserver.catalogue import load_catalogue
from mockserver.enrichment.consistency import make_consistent
from mockserver.enrichment.pricing import price_usage, pricing_problems
from mockserver.enrichment.usage import (
    anthropic_usage,
    chat_usage,
    estimate_tokens,
    generic_usage,
    pieces,
    plan_for,
    price_rules,
)
from tests.support import AUTH

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}


def test_gateway_example_to_the_nano():
    pricing = price_usage(
        {"input_text_tokens": 12, "output_text_tokens": 9},
        {"input_text_tokens": "0.05", "output_text_tokens": "0.40"},
    )
    assert pricing["total_nanos"] == 4200 and pricing["total_usd_str"] == "0.0000042"
    assert pricing["total_cents"] == 0 and pricing["currency"] == "USD"
    first, second = pricing["lines"]
    assert first == {
        "dimension": "input_text_tokens",
        "quantity": 12,
        "billable_units": 0.000012,
        "unit_size": 1000000,
        "unit_price_usd": "0.050000000",
        "line_cost_usd": "0.000000600",
        "line_nanos": 600,
    }
    assert second["line_nanos"] == 3600 and second["line_cost_usd"] == "0.000003600"


def test_rounding_half_up_and_cents_floor():
    pricing = price_usage(
        {"input_text_tokens": 3, "output_text_tokens": 666_667},
        {"input_text_tokens": "0.15", "output_text_tokens": "15.00"},
    )
    # 3 × 0.15 USD/M = 450 nanos; 666667 × 15 USD/M = 10.000005 USD.
    assert [line["line_nanos"] for line in pricing["lines"]] == [450, 10_000_005_000]
    assert pricing["total_nanos"] == 10_000_005_450
    assert pricing["total_cents"] == 1000 and pricing["total_usd_str"] == "10.00000545"
    almost = price_usage({"output_text_tokens": 1_333_333}, {"output_text_tokens": "0.015"})
    assert almost["total_nanos"] == 19_999_995 and almost["total_cents"] == 1  # floored, not rounded
    half = price_usage({"input_text_tokens": 1}, {"input_text_tokens": "0.0005"})  # 0.5 nano → 1
    assert half["lines"][0]["line_nanos"] == 1


def test_unit_meters_and_custom_unit_sizes():
    pricing = price_usage(
        {"output_image": 2, "input_audio_seconds": 90},
        {"output_image": "0.042", "input_audio_seconds": {"usd": "0.006", "unit_size": 60}},
    )
    image, audio = pricing["lines"]
    assert image["unit_size"] == 1 and image["line_nanos"] == 84_000_000
    assert audio["unit_size"] == 60 and audio["billable_units"] == 1.5 and audio["line_nanos"] == 9_000_000
    assert pricing["total_cents"] == 9 and not pricing_problems(pricing)


def test_zero_quantities_and_unpriced_meters_have_no_line():
    pricing = price_usage(
        {"input_text_tokens": 0, "output_text_tokens": 5, "mystery": 9},
        {"input_text_tokens": "1", "output_text_tokens": "1"},
    )
    assert [line["dimension"] for line in pricing["lines"]] == ["output_text_tokens"]


def test_plans_follow_service_tier_and_speed():
    model = load_catalogue().get("openai/gpt-5-nano")
    assert plan_for({"service_tier": "priority"}) == plan_for({"speed": "fast"}) == "priority"
    assert plan_for({"service_tier": "flex"}) == "flex" and plan_for({}) == "standard"
    assert price_rules(model, "batch")["input_text_tokens"] == "0.025"
    assert price_rules(model, "priority") == model.pricing  # no priority plan: standard prices


def test_usage_shapes_add_up():
    rules = {"input_text_tokens": "3", "output_text_tokens": "15"}
    chat = chat_usage(100, 50, rules, reasoning_tokens=10)
    assert chat["total_tokens"] == 150 and chat["pricing"]["total_nanos"] == 300_000 + 750_000
    generic = generic_usage(7, 0, {"embedding_tokens": "0.02"}, quantities={"embedding_tokens": 7}, embedding_tokens=7)
    assert generic["total_tokens"] == 7 and generic["pricing_breakdown"]["total_nanos"] == 140
    anthropic = anthropic_usage(21, 48, rules)
    assert anthropic["total_tokens"] == 69 and anthropic["pricing_breakdown"]["total_nanos"] == 783_000
    assert anthropic["cache_creation"] is None and anthropic["service_tier"] == "standard"


def test_estimator_is_lossless_and_deterministic():
    text = "Internationalisation of preparation costs 1234567 tokens?! Naïve café — fine.\n\n  Done."
    assert "".join(pieces(text)) == text
    assert estimate_tokens(text) == estimate_tokens(text) == len(pieces(text))
    assert estimate_tokens("") == 0 and estimate_tokens("hello world") == 2


def test_consistency_enricher_repairs_totals_and_pricing():
    broken = {
        "usage": {
            "input_tokens": 5,
            "output_tokens": 7,
            "total_tokens": 99,
            "pricing_breakdown": {
                "total_nanos": 1,
                "total_usd_str": "9",
                "total_cents": 4,
                "currency": "USD",
                "lines": [
                    {
                        "dimension": "output_text_tokens",
                        "quantity": 7,
                        "billable_units": 3.0,
                        "unit_size": 1000000,
                        "unit_price_usd": "2.000000000",
                        "line_cost_usd": "1.000000000",
                        "line_nanos": 5,
                    }
                ],
            },
        }
    }
    fixed = make_consistent(broken)
    assert fixed["usage"]["total_tokens"] == 12
    assert not pricing_problems(fixed["usage"]["pricing_breakdown"])
    assert fixed["usage"]["pricing_breakdown"]["total_nanos"] == 14_000


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/gpt-5-nano",
        "anthropic/claude-opus-4-1",
        "google/gemini-2.5-pro",
        "meta/llama-3.3-70b-instruct",
        "amazon/nova-micro-v1",
        "xai/grok-4",
    ],
)
def test_answers_are_priced_from_the_catalogue(async_client, model_id):
    rules = load_catalogue().get(model_id).pricing
    chat = async_client.post(
        "/v1/chat/completions",
        headers=UNPACED,
        json={"model": model_id, "messages": [{"role": "user", "content": "Price me."}]},
    ).json()
    usage = chat["usage"]
    expected = price_usage(
        {"input_text_tokens": usage["prompt_tokens"], "output_text_tokens": usage["completion_tokens"]}, rules
    )
    assert usage["pricing"] == expected and not pricing_problems(usage["pricing"])
    response = async_client.post("/v1/responses", headers=UNPACED, json={"model": model_id, "input": "Hi"}).json()
    usage = response["usage"]
    assert usage["pricing_breakdown"] == price_usage(
        {"input_text_tokens": usage["input_tokens"], "output_text_tokens": usage["output_tokens"]}, rules
    )


def test_priority_tier_is_priced_on_the_priority_plan(async_client):
    body = {
        "model": "openai/gpt-5",
        "messages": [{"role": "user", "content": "Fast!"}],
        "service_tier": "priority",
    }
    answer = async_client.post("/v1/chat/completions", headers=UNPACED, json=body).json()
    prices = {line["dimension"]: line["unit_price_usd"] for line in answer["usage"]["pricing"]["lines"]}
    assert prices["input_text_tokens"] == "2.500000000" and answer["service_tier"] == "priority"


def test_pieces_join_back_on_generated_prose():
    import random

    from faker import Faker

    from mockserver.engines.text.prose import prose

    faker = Faker("en_US")
    for seed in range(40):
        faker.seed_instance(seed)
        text = prose(faker, random.Random(seed), "tell me about lighthouses", 60)
        assert "".join(pieces(text)) == text and estimate_tokens(text) >= 60
