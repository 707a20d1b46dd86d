"""The contract loader opens request objects below the top level; the mock drops the keys
they do not list, as the gateway's Zod objects do (spec/README.md, "Unknown keys")."""

from __future__ import annotations

import copy

from mockserver.contract import load_contract
from mockserver.contract.openness import DROPS_UNKNOWN, open_request_objects
from mockserver.validation.schemas import SchemaCompiler
from tests.support import AUTH

UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}


def _doc() -> dict:
    closed = {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}}
    return {
        "x-aistats-request-objects": "open-below-top-level",
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shared"}}}}
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Body": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "shared": {"$ref": "#/components/schemas/Shared"},
                        "own": {"$ref": "#/components/schemas/Own"},
                        "strict": {**closed, "x-aistats-strict": True},
                        "inline": {"type": "array", "items": closed},
                    },
                },
                "Shared": copy.deepcopy(closed),
                "Own": {"oneOf": [copy.deepcopy(closed), {"type": "string"}]},
            }
        },
    }


def test_top_level_stays_closed_and_nested_objects_open():
    doc = _doc()
    open_request_objects(doc)
    schemas = doc["components"]["schemas"]
    body = schemas["Body"]
    assert body["additionalProperties"] is False
    assert body["properties"]["strict"]["additionalProperties"] is False
    inline = body["properties"]["inline"]["items"]
    assert "additionalProperties" not in inline and inline[DROPS_UNKNOWN] is True
    assert "additionalProperties" not in schemas["Own"]["oneOf"][0]  # request-only: opened in place
    # shared with a response: the response keeps the exact form, the body refers to an open copy
    assert schemas["Shared"]["additionalProperties"] is False
    assert body["properties"]["shared"] == {"$ref": "#/components/schemas/SharedInput"}
    assert schemas["SharedInput"][DROPS_UNKNOWN] is True


def test_the_rewrite_is_idempotent_and_opt_in():
    doc = _doc()
    open_request_objects(doc)
    again = copy.deepcopy(doc)
    open_request_objects(again)
    assert again == doc
    untouched = _doc()
    del untouched["x-aistats-request-objects"]
    before = copy.deepcopy(untouched)
    open_request_objects(untouched)
    assert untouched == before


def test_unknown_nested_keys_are_dropped_after_validation():
    doc = _doc()
    open_request_objects(doc)
    compiler = SchemaCompiler(doc)
    schema = doc["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body = {"shared": {"a": "1", "b": 2}, "own": {"a": "x", "c": 3}, "inline": [{"a": "y", "d": 4}]}
    assert compiler.errors(schema, body) == []
    compiler.drop_unknown_keys(schema, body)
    assert body == {"shared": {"a": "1"}, "own": {"a": "x"}, "inline": [{"a": "y"}]}
    refused = compiler.errors(schema, {"strict": {"a": "1", "z": 1}, "top": 1})
    assert {tuple(detail.path) for detail in refused} == {("strict", "z"), ("top",)}


def test_the_served_contract_has_no_closed_object_below_a_text_body():
    spec = load_contract("2026-03")
    body = spec["components"]["schemas"]["ChatCompletionRequest"]
    assert body["additionalProperties"] is False
    assistant = spec["components"]["schemas"]["ChatAssistantMessage"]
    assert "additionalProperties" not in assistant and assistant[DROPS_UNKNOWN] is True
    assert spec["components"]["schemas"]["ChatToolCall"]["additionalProperties"] is False  # also a response piece


def test_dropped_keys_are_not_echoed(async_client):
    body = {
        "model": "google/gemini-2.5-flash",
        "input": "Weather?",
        "text": {"format": {"type": "text", "name": "ignored", "schema": {}}, "verbosity": "low"},
        "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}, "cache": True}],
    }
    answer = async_client.post("/v1/responses", headers=UNPACED, json=body).json()
    assert answer["text"]["format"] == {"type": "text"}
    assert all("cache" not in tool for tool in answer["tools"])
    assert answer["tools"][0]["name"] == "get_weather"
