"""Text generation on /chat/completions, /responses and /messages (non-streamed): the
answer obeys the request, validates against the contract and is deterministic."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from mockserver.enrichment.pricing import pricing_problems
from tests.support import AUTH, make_client

GENERATION_ID = re.compile(rb"G-[0-9A-HJKMNP-TV-Z]{26}")

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
WEATHER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["city", "days", "when"],
    "properties": {
        "city": {"type": "string"},
        "days": {"type": "integer", "minimum": 1, "maximum": 7},
        "unit": {"enum": ["celsius", "fahrenheit"]},
        "when": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3},
    },
}
RECIPE = {
    "type": "object",
    "required": ["title", "steps", "servings"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 3},
        "servings": {"type": "integer", "minimum": 1},
        "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
        "vegan": {"type": ["boolean", "null"]},
    },
    "$defs": {
        "step": {
            "type": "object",
            "required": ["n", "text"],
            "additionalProperties": False,
            "properties": {"n": {"type": "integer", "minimum": 1}, "text": {"type": "string"}},
        }
    },
}


def post(client, path, body, headers=UNPACED):
    return client.post("/v1" + path, headers=headers, json=body)


def chat(content, **extra):
    return {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": content}], **extra}


def test_chat_completion_conforms_and_adds_up(client, checker):
    body = chat("How do glaciers move?", meta=True)
    response = post(client, "/chat/completions", body, AUTH)  # the model's own pace (not waited for)
    assert response.status_code == 200
    checker.check(response)
    answer = response.json()
    assert answer["object"] == "chat.completion" and answer["model"] == "openai/gpt-4o-mini"
    assert answer["choices"][0]["message"]["content"].strip()
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert not pricing_problems(usage["pricing"])
    meta = answer["meta"]
    assert meta["latency_ms"] == meta["generation_ms"] and meta["routing"]["selected_provider"] == "openai"
    assert meta["throughput_tps"] == round(usage["completion_tokens"] / (meta["generation_ms"] / 1000), 1)
    assert meta["generation_ms"] == round(330 + usage["completion_tokens"] / 130 * 1000, 1)  # gpt-4o-mini


def test_chat_without_meta_has_no_meta(async_client):
    assert "meta" not in post(async_client, "/chat/completions", chat("Hello")).json()


@pytest.mark.parametrize("model", ["openai/not-a-model", "openai/text-embedding-3-small", "openai/sora-2"])
@pytest.mark.parametrize("path", ["/chat/completions", "/responses", "/messages"])
def test_unknown_or_wrong_capability_model_is_refused(async_client, model, path):
    body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "input": "Hi", "max_tokens": 16}
    body = {
        key: value
        for key, value in body.items()
        if key
        in {
            "/chat/completions": ("model", "messages"),
            "/responses": ("model", "input"),
            "/messages": ("model", "messages", "max_tokens"),
        }[path]
    }
    response = post(async_client, path, body)
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "unsupported_model_or_endpoint" and error["error_type"] == "user"
    assert error["generation_id"].startswith("G-")
    assert response.headers["x-gateway-error-attribution"] == "user"


def test_aliases_and_bare_names_resolve(async_client):
    answer = post(async_client, "/chat/completions", {**chat("Hi"), "model": "gpt-4o-mini-2024-07-18"}).json()
    assert answer["model"] == "gpt-4o-mini-2024-07-18"  # echoed as written, as the gateway echoes its aliases


def test_token_caps_stop_early_on_every_surface(async_client, checker):
    answer = post(async_client, "/chat/completions", chat("Write an essay on bridges.", max_tokens=7)).json()
    assert answer["choices"][0]["finish_reason"] == "length" and answer["usage"]["completion_tokens"] <= 7
    body = {"model": "openai/gpt-4.1", "input": "Write an essay on bridges.", "max_output_tokens": 9}
    response = post(async_client, "/responses", body)
    checker.check(response)
    answer = response.json()
    assert answer["status"] == "incomplete" and answer["incomplete_details"] == {"reason": "max_output_tokens"}
    assert answer["usage"]["output_tokens"] <= 9
    body = {
        "model": "anthropic/claude-haiku-4-5",
        "max_tokens": 4,
        "messages": [{"role": "user", "content": "Write an essay on bridges."}],
    }
    answer = post(async_client, "/messages", body).json()
    assert answer["stop_reason"] == "max_tokens" and answer["usage"]["output_tokens"] <= 4


def test_stop_sequences(async_client):
    answer = post(async_client, "/chat/completions", chat("Describe autumn.", stop=["."])).json()
    assert "." not in answer["choices"][0]["message"]["content"]
    assert answer["choices"][0]["finish_reason"] == "stop"
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 500,
        "stop_sequences": ["."],
        "messages": [{"role": "user", "content": "Describe autumn."}],
    }
    answer = post(async_client, "/messages", body).json()
    assert answer["stop_reason"] == "stop_sequence" and answer["stop_sequence"] == "."
    assert "." not in answer["content"][0]["text"]


def test_chat_tool_calls_validate_against_their_schema(async_client, checker):
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}},
        {"type": "function", "function": {"name": "get_recipe", "parameters": RECIPE}},
    ]
    for seed in range(12):
        body = chat("Plan my week.", tools=tools, tool_choice="required")
        response = post(async_client, "/chat/completions", body, {**UNPACED, "X-Mock-Seed": str(seed)})
        checker.check(response)
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
        for call in choice["message"]["tool_calls"]:
            schema = WEATHER if call["function"]["name"] == "get_weather" else RECIPE
            jsonschema.validate(
                json.loads(call["function"]["arguments"]), schema, format_checker=jsonschema.FormatChecker()
            )


def test_tool_choice_none_named_and_after_a_result(async_client):
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}},
        {"type": "function", "function": {"name": "get_recipe", "parameters": RECIPE}},
    ]
    none = post(async_client, "/chat/completions", chat("Hi", tools=tools, tool_choice="none")).json()
    assert none["choices"][0]["finish_reason"] == "stop" and "tool_calls" not in none["choices"][0]["message"]
    named = post(
        async_client,
        "/chat/completions",
        chat("Hi", tools=tools, tool_choice={"type": "function", "function": {"name": "get_recipe"}}),
    ).json()
    assert [c["function"]["name"] for c in named["choices"][0]["message"]["tool_calls"]] == ["get_recipe"]
    messages = [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 24 °C"},
    ]
    follow_up = post(
        async_client,
        "/chat/completions",
        {"model": "openai/gpt-4o-mini", "messages": messages, "tools": tools},
    ).json()
    assert follow_up["choices"][0]["finish_reason"] == "stop"


def test_responses_and_messages_tool_calls(async_client, checker):
    body = {
        "model": "google/gemini-2.5-flash",
        "input": "Weather?",
        "tool_choice": "required",
        "tools": [{"type": "function", "name": "get_weather", "parameters": WEATHER}],
    }
    response = post(async_client, "/responses", body)
    checker.check(response)
    call = next(item for item in response.json()["output"] if item["type"] == "function_call")
    jsonschema.validate(json.loads(call["arguments"]), WEATHER)
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 400,
        "tool_choice": {"type": "tool", "name": "recipe"},
        "tools": [{"name": "recipe", "input_schema": RECIPE}],
        "messages": [{"role": "user", "content": "Soup?"}],
    }
    response = post(async_client, "/messages", body)
    checker.check(response)
    answer = response.json()
    assert answer["stop_reason"] == "tool_use"
    jsonschema.validate(next(b for b in answer["content"] if b["type"] == "tool_use")["input"], RECIPE)


def test_structured_outputs_parse_and_validate(async_client, checker):
    fmt = {"type": "json_schema", "json_schema": {"name": "recipe", "schema": RECIPE, "strict": True}}
    for seed in range(6):
        body = chat("A soup recipe", response_format=fmt)
        response = post(async_client, "/chat/completions", body, {**UNPACED, "X-Mock-Seed": str(seed)})
        jsonschema.validate(json.loads(response.json()["choices"][0]["message"]["content"]), RECIPE)
    body = {
        "model": "openai/gpt-5-mini",
        "input": "A soup recipe",
        "text": {"format": {"type": "json_schema", "name": "recipe", "schema": RECIPE}},
    }
    response = post(async_client, "/responses", body)
    checker.check(response)
    message = next(item for item in response.json()["output"] if item["type"] == "message")
    jsonschema.validate(json.loads(message["content"][0]["text"]), RECIPE)
    json_mode = post(async_client, "/chat/completions", chat("Facts", response_format={"type": "json_object"})).json()
    assert isinstance(json.loads(json_mode["choices"][0]["message"]["content"]), dict)


def test_reasoning_models_spend_reasoning_tokens(async_client):
    answer = post(async_client, "/chat/completions", {**chat("Why?"), "model": "deepseek/deepseek-r1"}).json()
    usage, message = answer["usage"], answer["choices"][0]["message"]
    assert message["reasoning_content"]
    assert 0 < usage["completion_tokens_details"]["reasoning_tokens"] < usage["completion_tokens"]
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 2000,
        "thinking": {"type": "enabled", "budget_tokens": 64},
        "messages": [{"role": "user", "content": "Is 221 prime?"}],
    }
    answer = post(async_client, "/messages", body).json()
    assert [block["type"] for block in answer["content"]] == ["thinking", "text"]
    assert answer["usage"]["output_tokens_details"]["reasoning_tokens"] <= 64


def test_same_seed_same_bytes_and_seeds_differ(async_client):
    body = chat("Tell me about owls.")
    first = post(async_client, "/chat/completions", body).content
    again = post(async_client, "/chat/completions", body).content
    # A repeated request is a new generation: only its generation id differs.
    (first_id,), (again_id,) = set(GENERATION_ID.findall(first)), set(GENERATION_ID.findall(again))
    assert first_id != again_id and again.replace(again_id, first_id) == first
    other = post(async_client, "/chat/completions", body, {**UNPACED, "X-Mock-Seed": "99"}).content
    assert other != first


def test_schema_generated_fallback_still_adds_up():
    # A fresh server: schema-generated usage can bill a large random amount to the wallet.
    # Schema data includes the optional `pricing` on some seeds only: look at several.
    with make_client("async") as fresh:
        answers = [
            post(
                fresh, "/chat/completions", chat("Hi"), {**UNPACED, "Prefer": "dynamic=true", "X-Mock-Seed": str(seed)}
            )
            for seed in range(6)
        ]
    usages = [answer.json()["usage"] for answer in answers]
    assert all(usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] for usage in usages)
    priced = [usage["pricing"] for usage in usages if "pricing" in usage]
    assert priced and all(not pricing_problems(pricing) for pricing in priced)


def test_summary_is_left_for_the_recorders():
    import dataclasses

    from mockserver.model import MockReply

    seen: list[MockReply] = []

    class Spy:
        def succeeded(self, ctx, reply):
            seen.append(reply)

        def failed(self, ctx, failure, reply):
            pass

    with make_client("async") as fresh:
        stages = fresh.app.runtime.stages
        fresh.app.runtime.stages = dataclasses.replace(stages, recorders=(*stages.recorders, Spy()))
        answer = post(
            fresh,
            "/messages",
            {
                "model": "anthropic/claude-sonnet-4-5",
                "max_tokens": 32,
                "messages": [{"role": "user", "content": "Hi"}],
            },
        )
    assert answer.status_code == 200, answer.text
    summary = seen[-1].summary
    assert summary["model"] == "anthropic/claude-sonnet-4-5" and summary["provider"] == "anthropic"
    assert summary["pricing"] == answer.json()["usage"]["pricing_breakdown"]
    assert summary["meta"]["generation_ms"] >= 0 and summary["status"] == "completed"
