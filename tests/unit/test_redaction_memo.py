"""Large journal bodies are looked up by content before the secret-key scan (issue 14):
the answer must be the scan's, whatever the journal saw before."""

from __future__ import annotations

import orjson

from mockserver.scenarios import redaction


def _large(extra: dict) -> bytes:
    return orjson.dumps({"data": [{"id": f"model-{n}", "input_text_tokens": n} for n in range(900)], **extra})


def test_remembered_answers_are_the_scans_answers():
    plain, secret = _large({"note": "x"}), _large({"api_key": "sk-1"})
    assert len(plain) >= redaction._REMEMBERED_FROM_BYTES
    for _ in range(2):  # the second round answers from the memo
        assert redaction._maybe_secret_key(plain) is False
        assert redaction._maybe_secret_key(secret) is True
        assert redaction._maybe_secret_key(bytes(bytearray(secret))) is True  # equal content, another object


def test_a_large_body_is_still_redacted_every_time():
    secret = _large({"nested": {"Client_Secret": "s3cr3t"}})
    for _ in range(3):
        body, redacted = redaction.redact_body(secret, "application/json")
        assert redacted and b"s3cr3t" not in body and b"[redacted]" in body


def test_small_bodies_are_scanned_directly():
    redaction._remembered_maybe_secret_key.cache_clear()
    assert redaction._maybe_secret_key(b'{"password": "x"}') is True
    assert redaction._maybe_secret_key(b'{"max_tokens": 5}') is False
    assert redaction._remembered_maybe_secret_key.cache_info().currsize == 0


def test_every_secret_ending_is_in_one_group_of_the_scan():
    grouped = {ending for _, endings in redaction._ENDINGS_BY_PART for ending in endings}
    assert grouped == set(redaction._SECRET_KEY_ENDINGS)
    for ending in redaction._SECRET_KEY_ENDINGS:
        name = ending[:-1].decode().upper()
        assert redaction._maybe_secret_key(b'{"X_' + name.encode() + b'": 1}')
        assert not redaction._maybe_secret_key(b'{"' + name.encode() + b'_count": 1}')
