"""Unit tests of the conformance suite's pure parts: SSE parsing, redaction, the envelope
oracle, spec selection and the Schemathesis view, spend accounting, option profiles."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from conformance import sse
from conformance.checks.envelopes import envelope_kind, expected_envelope
from conformance.checks.streams import _chat_order, _messages_order, _responses_order
from conformance.checks.usage import _meta_problem, _totals_problem
from conformance.guards import SAFETY_FACTOR, SpendCapReached, SpendGuard
from conformance.options import Options
from conformance.redact import MASK, Redactor
from conformance.spec import HarnessError, load_spec, schemathesis_view, select_operations
from conformance.state import Tracker
from mockserver.contract import load_contract
from mockserver.enrichment.pricing import price_usage


def test_sse_parse_names_data_and_completeness():
    stream = sse.parse(b'event: a\ndata: {"x":1}\n\n: comment\ndata: [DONE]\n\n')
    assert [(e.event, e.data) for e in stream.events] == [("a", '{"x":1}'), (None, "[DONE]")]
    assert stream.complete and not stream.bad_lines
    assert stream.events[1].is_done and stream.events[1].as_dict()["event"] == "message"
    cut = sse.parse(b'data: {"x":1}\n\ndata: {"y"')
    assert not cut.complete
    assert sse.parse(b"bogus line\ndata: 1\n\n").bad_lines == ["bogus line"]


def test_redactor_masks_configured_created_and_bearer_keys():
    key = "aistats_v1_sk_kid123_secret_with_underscores"
    redactor = Redactor(key)
    text = redactor.text(f"curl -H 'Authorization: Bearer {key}' and aistats_v1_sk_abcDEF123456_other0secret")
    assert key not in text and "other0secret" not in text and MASK in text
    assert redactor.text("authorization: Bearer sometoken") == f"authorization: Bearer {MASK}"
    assert redactor.data({"k": [key]}) == {"k": [MASK]}


@pytest.mark.parametrize(
    ("family", "status", "kind"),
    [
        ("inference", 400, "gateway"),
        ("inference", 401, "gateway"),
        ("job", 404, "raw"),
        ("control", 401, "raw"),
        ("control", 400, "ok_false"),
        ("generations", 401, "ok_false"),
        ("files", 401, "raw"),
    ],
)
def test_envelope_oracle_follows_the_mock_renderer(family, status, kind):
    assert expected_envelope(family, status)[0] == kind
    assert ("request_id" in expected_envelope(family, status)[1]) == (family == "control" and status == 401)


def test_envelope_kind_classifies_bodies():
    assert envelope_kind({"generation_id": "G-x", "status_code": 400, "error": "e"}) == "gateway"
    assert envelope_kind({"ok": False, "error": "e"}) == "ok_false"
    assert envelope_kind({"error": "not_found", "reason": "r"}) == "raw"
    assert envelope_kind("Not Found") == "not a JSON object"


def test_usage_totals_and_meta_rules():
    assert _totals_problem({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}) is None
    assert _totals_problem({"input_tokens": 3, "output_tokens": 4, "total_tokens": 8})
    assert _totals_problem(
        {
            "input_tokens": 3,
            "output_tokens": 0,
            "total_tokens": 3,
            "input_tokens_details": {"cached_tokens": 5},
        }
    )
    assert (
        _meta_problem({"generation_ms": 100, "latency_ms": 100, "throughput_tps": 50.0}, {"completion_tokens": 5})
        is None
    )
    assert _meta_problem({"generation_ms": 100, "latency_ms": 90, "throughput_tps": None}, {})
    assert _meta_problem({"generation_ms": 100, "latency_ms": 100, "throughput_tps": 10.0}, {"output_tokens": 5})


def _stream(*frames):
    text = "".join((f"event: {name}\n" if name else "") + f"data: {json.dumps(data)}\n\n" for name, data in frames)
    return sse.parse(text)


def test_surface_order_rules():
    chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": None}]}
    assert _chat_order(_stream((None, chunk), (None, {"object": "error", "message": "x"}))) is None
    assert _chat_order(_stream((None, {"object": "error", "message": "x"}), (None, chunk)))
    assert _responses_order(_stream(("response.created", {}), ("response.completed", {}))) is None
    assert _responses_order(_stream(("response.completed", {}), ("response.created", {})))
    good = [
        ("message_start", {}),
        ("content_block_start", {"index": 0}),
        ("content_block_delta", {"index": 0}),
        ("content_block_stop", {"index": 0}),
        ("message_delta", {}),
        ("message_stop", {}),
    ]
    assert _messages_order(_stream(*good)) is None
    assert _messages_order(_stream(*good[:2], good[4], good[5]))


def test_tracker_flags_status_and_progress_regressions():
    tracker = Tracker()
    assert tracker.observe_job("j", "queued", 0) == []
    assert tracker.observe_job("j", "in_progress", 40) == []
    assert tracker.observe_job("j", "in_progress", 30)
    assert tracker.observe_job("j", "queued", None)
    assert tracker.observe_job("j", "completed", 100) == []
    assert tracker.observe_job("j", "failed", 100)


def test_select_operations_prunes_paths_and_links():
    spec = load_contract()
    chosen = select_operations(spec, ("createProvisioningKey", "getProvisioningKey"), ())
    ops = {
        op["operationId"]
        for item in chosen["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert ops == {"createProvisioningKey", "getProvisioningKey"}
    links = chosen["paths"]["/management/keys"]["post"]["responses"]["201"].get("links", {})
    assert set(links) <= {"GetCreatedKey"}
    assert select_operations(spec, ("POST /chat/*",), ())["paths"].keys() == {"/chat/completions"}
    assert "/chat/completions" not in select_operations(spec, (), ("createChatCompletion",))["paths"]


def test_schemathesis_view_adds_content_keywords_without_touching_the_spec():
    spec = load_contract()
    view = schemathesis_view(spec)
    event = view["components"]["schemas"]["ChatCompletionStreamDataEvent"]["properties"]["data"]
    assert event["contentMediaType"] == "application/json"
    assert event["contentSchema"] == {"$ref": "#/components/schemas/ChatCompletionStreamFrame"}
    assert "x-aistats-json" in spec["components"]["schemas"]["ChatCompletionStreamDataEvent"]["properties"]["data"]


def test_bad_specs_are_harness_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("swagger: '2.0'\npaths: {}\n")
    with pytest.raises(HarnessError):
        load_spec(str(bad))
    with pytest.raises(HarnessError):
        load_spec(str(tmp_path / "missing.yaml"))


def _priced_response(total_quantity: int, **path):
    pricing = price_usage({"input_text_tokens": total_quantity}, {"input_text_tokens": "2.5"})
    body = json.dumps(
        {"usage": {"input_tokens": 1, "output_tokens": 0, "total_tokens": 1, "pricing_breakdown": pricing}}
    ).encode()
    response = SimpleNamespace(status_code=200, content=body, headers={"content-type": ["application/json"]})
    return SimpleNamespace(path_parameters=path), response, pricing["total_nanos"]


def test_spend_guard_stops_before_the_cap_and_counts_a_job_once():
    stopped = []
    guard = SpendGuard(0.01, on_exhausted=lambda: stopped.append(True))
    case, response, nanos = _priced_response(1000)
    guard.observe(case, response)
    assert guard.spent_nanos == nanos and not stopped
    for _ in range(3):
        guard.observe(*_priced_response(1000, video_id="v1")[:2])
    assert guard.spent_nanos == 2 * nanos
    while not stopped:
        guard.observe(case, response)
    assert guard.spent_nanos + SAFETY_FACTOR * guard.dearest_nanos >= guard.cap_nanos > guard.spent_nanos
    with pytest.raises(SpendCapReached):
        guard.before_billed_call()


def test_live_profile_defaults():
    live = Options(base_url="http://x/v1/", profile="live").resolved()
    assert (live.workers, live.rate_limit, live.max_spend_usd, live.base_url) == (
        1,
        "2/s",
        1.0,
        "http://x/v1",
    )
    with pytest.raises(ValueError):
        Options(base_url="http://x", profile="nope").resolved()


def test_a_404_after_a_delete_through_an_alias_is_not_a_lost_resource():
    from conformance.engine import deleted_earlier_through_an_alias

    def node(method, path, **params):
        return SimpleNamespace(value=SimpleNamespace(method=method, path=path, path_parameters=params))

    cases = {
        "post": node("POST", "/videos"),
        "delete": node("DELETE", "/videos/{video_id}", video_id="video_A"),
        "get": node("GET", "/video/generations/{video_id}", video_id="video_A"),
        "other": node("GET", "/video/generations/{video_id}", video_id="video_B"),
    }
    statuses = {"post": 200, "delete": 200, "get": 404, "other": 404}
    recorder = SimpleNamespace(
        cases=cases, find_response=lambda case_id: SimpleNamespace(status_code=statuses[case_id])
    )
    assert deleted_earlier_through_an_alias(recorder, "get")
    assert not deleted_earlier_through_an_alias(recorder, "other")  # another job: a real loss
    statuses["delete"] = 404  # the delete itself failed
    assert not deleted_earlier_through_an_alias(recorder, "get")
    reordered = SimpleNamespace(
        cases={k: cases[k] for k in ("post", "get", "delete")}, find_response=recorder.find_response
    )
    statuses["delete"] = 200
    assert not deleted_earlier_through_an_alias(reordered, "get")  # deleted only afterwards
