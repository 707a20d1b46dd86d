"""How a request is normalized for a cassette: no credentials, numbered volatile ids, stable keys."""

from __future__ import annotations

import json

from mockserver.recording.normalize import (
    bearer_token,
    canonical,
    first_difference,
    normalize_body,
    normalize_request,
    request_key,
    scrub,
)

KEY = "aistats_v1_sk_demo_topsecretvalue"


def _normal(body: object, query: dict[str, list[str]] | None = None, secrets: tuple[str, ...] = (KEY,)) -> dict:
    raw = json.dumps(body).encode()
    return normalize_request("post", "/v1/chat/completions", query or {}, "application/json", raw, secrets)


def test_object_keys_are_sorted_so_key_order_does_not_change_the_match():
    one = _normal({"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True})
    two = _normal({"stream": True, "messages": [{"content": "hi", "role": "user"}], "model": "m"})
    assert one == two and request_key(one) == request_key(two)
    assert list(one["body"]) == ["messages", "model", "stream"]
    assert one["method"] == "POST"


def test_ids_of_earlier_answers_become_numbered_placeholders_keeping_their_links():
    body = {
        "messages": [
            {"role": "assistant", "tool_calls": [{"id": "call_AbC9", "type": "function"}]},
            {"role": "tool", "tool_call_id": "call_AbC9", "content": "sunny"},
            {"role": "assistant", "tool_calls": [{"id": "call_zz1", "type": "function"}]},
            {"role": "tool", "tool_call_id": "call_zz1", "content": "rain"},
        ],
        "previous_response_id": "resp_123",
    }
    normal = _normal(body)["body"]
    calls = [m.get("tool_calls", [{}])[0].get("id") or m.get("tool_call_id") for m in normal["messages"]]
    assert calls == ["<id-1>", "<id-1>", "<id-2>", "<id-2>"]
    assert normal["previous_response_id"] == "<id-3>"
    other_ids = json.loads(json.dumps(body).replace("call_AbC9", "call_other").replace("resp_123", "resp_9"))
    assert request_key(_normal(other_ids)) == request_key(_normal(body))
    # but the content still counts
    changed = json.loads(json.dumps(body).replace("sunny", "cloudy"))
    assert request_key(_normal(changed)) != request_key(_normal(body))


def test_keys_and_secret_fields_are_redacted_everywhere():
    body = {
        "messages": [{"role": "user", "content": f"my key is {KEY}, and another aistats_v1_sk_x.y_Zz9"}],
        "api_key": "sk-live-whatever",
        "metadata": {"client_secret": "s3cr3t", "max_tokens": 5},
    }
    normal = _normal(body, query={"api_key": ["qs-secret"], "limit": ["5"]})
    text = canonical(normal)
    for secret in (KEY, "aistats_v1_sk_x.y_Zz9", "sk-live-whatever", "s3cr3t", "qs-secret"):
        assert secret not in text
    assert normal["body"]["messages"][0]["content"] == "my key is [redacted], and another [redacted]"
    assert normal["body"]["metadata"] == {"client_secret": "[redacted]", "max_tokens": 5}
    assert normal["query"] == {"api_key": ["[redacted]"], "limit": ["5"]}


def test_a_secret_that_is_no_gateway_key_is_scrubbed_when_named():
    assert scrub("token upstream-key-123 here", ["upstream-key-123"]) == "token [redacted] here"
    assert scrub("short abc", ["abc"]) == "short abc"  # too short to search for safely
    assert bearer_token("Bearer  abc.def ") == "abc.def"
    assert bearer_token("Basic abc") is None and bearer_token(None) is None


def test_bodies_that_are_not_json():
    multipart_a = b"--b1\r\nContent-Disposition: form-data; name=file\r\n\r\nRIFF\r\n--b1--\r\n"
    multipart_b = multipart_a.replace(b"b1", b"zz9")
    assert normalize_body("multipart/form-data; boundary=b1", multipart_a) == normalize_body(
        "multipart/form-data; boundary=zz9", multipart_b
    )
    assert normalize_body("application/x-www-form-urlencoded", b"b=2&a=1&password=x") == {
        "a": ["1"],
        "b": ["2"],
        "password": ["[redacted]"],
    }
    assert set(normalize_body("audio/wav", b"\x00\x01")) == {"sha256"}
    assert normalize_body("application/json", b"") is None


def test_normalizing_twice_changes_nothing():
    once = _normal({"messages": [{"tool_call_id": "call_1"}, {"id": "call_2"}], "key": "x"})
    again = normalize_body("application/json", json.dumps(once["body"]).encode())
    assert again == once["body"]


def test_first_difference_names_the_field():
    a = _normal({"model": "m", "messages": [{"role": "user", "content": "hi"}]})
    b = _normal({"model": "m", "messages": [{"role": "user", "content": "ho"}]})
    assert first_difference(a, b) == "body.messages[0].content"
    assert first_difference(a, a) is None
