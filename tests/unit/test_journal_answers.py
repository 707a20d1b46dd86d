"""The journal keeps the start of each answer's body: redacted, cut, and counted in its bound."""

from __future__ import annotations

import json

from mockserver.scenarios.journal import Journal, decode_body


def _opened(journal: Journal, body: bytes = b"{}"):
    headers = [("content-type", "application/json")]
    return journal.open(headers=headers, body=body, method="POST", path="/v1/x", received_at=0.0)


def test_an_answer_is_kept_whole_and_counted_in_the_journals_bytes():
    journal = Journal(body_limit=1024)
    entry = _opened(journal)
    before = journal.bytes
    answer = json.dumps({"id": "G-1", "text": "<script>alert(1)</script>"}).encode()
    journal.answered(entry, answer, len(answer), "application/json")
    view = entry.as_dict()
    assert decode_body(view["response_body"]) == answer
    assert (view["response_body_bytes"], view["response_body_truncated"]) == (len(answer), False)
    assert journal.bytes == before + len(answer) == entry.size


def test_an_unfinished_answer_is_null():
    journal = Journal()
    view = _opened(journal).as_dict()
    assert (view["response_body"], view["response_body_bytes"], view["response_body_truncated"]) == (None, 0, False)


def test_a_long_answer_keeps_its_start_and_says_so():
    journal = Journal(body_limit=10)
    entry = _opened(journal)
    journal.answered(entry, b"data: 0123", 5000, "text/event-stream")
    view = entry.as_dict()
    assert decode_body(view["response_body"]) == b"data: 0123"
    assert (view["response_body_bytes"], view["response_body_truncated"]) == (5000, True)


def test_secrets_in_an_answer_are_redacted():
    journal = Journal()
    entry = _opened(journal)
    minted = json.dumps({"data": {"id": "k1", "api_key": "aistats_v1_sk_abc_topsecret", "name": "ci"}}).encode()
    journal.answered(entry, minted, len(minted), "application/json")
    kept = decode_body(entry.as_dict()["response_body"])
    assert b"topsecret" not in kept and b"[redacted]" in kept and b'"name":"ci"' in kept


def test_answers_count_towards_the_byte_bound_and_evict_the_oldest():
    journal = Journal(capacity=10, max_bytes=5000, body_limit=4096)
    first, second = _opened(journal), _opened(journal)
    journal.answered(second, b"x" * 4000, 4000, "text/plain")
    assert [entry.seq for entry in journal.entries()] == [second.seq]
    assert journal.bytes == second.size
    journal.answered(first, b"y" * 100, 100, "text/plain")  # evicted already: counted nowhere
    assert journal.bytes == second.size


def test_an_answer_after_a_clear_is_not_counted():
    journal = Journal()
    entry = _opened(journal)
    journal.clear()
    journal.answered(entry, b"late", 4, "text/plain")
    assert journal.bytes == 0 and len(journal) == 0
