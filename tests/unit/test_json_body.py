"""JSON request bodies: the orjson fast path reads them exactly as ``json.loads`` does."""

from __future__ import annotations

import json

import pytest

from mockserver.server.validators import parse_json_body
from tests.support import AUTH

SAME_AS_JSON = [
    b'{"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "h\\u00e9llo \\ud83d\\ude00"}]}',
    b'{"a": 1, "a": 2}',
    b'{"temperature": 0.30000000000000004, "n": -0.0, "e": 1e-7}',
    b'{"seed": 123456789012345678901234567890}',  # beyond 64 bits: json keeps an int
    b'{"seed": -9223372036854775809}',
    b'{"x": NaN, "y": Infinity}',  # json's extensions
    b'{"s": "\\ud800"}',  # a lone surrogate
    b'  [1, 2, {"k": null}]  \n',
]


@pytest.mark.parametrize("raw", SAME_AS_JSON)
def test_bodies_read_as_json_loads_reads_them(raw):
    parsed, expected = parse_json_body(raw), json.loads(raw.decode("utf-8"))
    assert repr(parsed) == repr(expected)
    assert type(parsed) is type(expected)


@pytest.mark.parametrize("raw", [b'{"a": }', b"\xef\xbb\xbf{}", b'{"a": "\xff"}'])
def test_what_json_refuses_is_still_refused(raw):
    with pytest.raises((ValueError, UnicodeDecodeError)):
        parse_json_body(raw)


def test_deeply_nested_body_is_a_400_not_a_crash(async_client):
    raw = b'{"model": "openai/gpt-5-nano", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = async_client.post(
        "/v1/chat/completions", content=raw, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
