"""The wallet workflow (conformance/money_flow.py) and spend measured from the wallet
(conformance/spend.py): each fails on a gateway broken that way and passes on the mock."""

from __future__ import annotations

import json

import httpx

from conformance import Options, run
from conformance.spend import OUT_OF_CREDIT
from tests.support import AUTH, KEY, mock_app, serve
from tests.support.breakers import Breaker, json_rewrite, on
from tests.support.request_breakers import ChargeExtra

MONEY = ("createChatCompletion", "createAnthropicMessage", "createVideo", "getVideo", "getCredits")
CHECKS = ("wallet_matches_reported_pricing", "job_charge_reported")


def money(base_url: str, **extra):
    options = Options(base_url=base_url, api_key=KEY, checks=CHECKS, include=MONEY, phases=("workflows",), **extra)
    return run(options)


def remaining(base_url: str) -> int:
    return httpx.get(base_url + "/credits", headers=AUTH).json()["credits"]["remaining"]


def _each_pricing(body, change):
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "total_nanos" in node and "lines" in node:
                change(node)
            stack.extend(v for k, v in node.items() if k != "lines")
        elif isinstance(node, list):
            stack.extend(node)
    return body


def _under_report(body):
    def halve(pricing):
        pricing["total_nanos"] //= 2

    return _each_pricing(body, halve)


def _hide_charge(body):
    if isinstance(body, dict) and isinstance(body.get("usage"), dict):
        body["usage"].pop("pricing", None)
    return body


def test_the_mock_moves_its_wallet_by_what_it_reports_and_the_run_spends_what_the_wallet_lost():
    with serve(mock_app()) as url:
        before = remaining(url)
        result = money(url)
        lost = before - remaining(url)
    assert result.exit_code == 0, result.failures
    assert result.findings == []
    assert result.check_totals()["wallet_matches_reported_pricing"].passed >= 6
    # A video job is charged on completion: the reported spend alone would miss it.
    assert round(result.spent_usd * 1e9) == lost > 0


def test_a_gateway_reporting_less_than_it_charges_fails_wallet_matches_reported_pricing():
    with serve(Breaker(mock_app(), on("POST", "/chat/completions"), json_rewrite(_under_report))) as url:
        result = money(url)
    assert result.failed_checks() == ["wallet_matches_reported_pricing"]
    assert any(failure.title.startswith("The wallet moved by") for failure in result.failures)


def test_a_gateway_billing_refused_calls_fails_wallet_matches_reported_pricing():
    def refused_chat(scope, status, disconnected):
        return scope["path"].endswith("/chat/completions") and status == 400

    with serve(ChargeExtra(mock_app(), refused_chat)) as url:
        result = money(url)
    assert result.failed_checks() == ["wallet_matches_reported_pricing"]
    assert [failure.title for failure in result.failures] == ["A refused call is charged"]


def test_a_gateway_billing_an_abandoned_stream_twice_fails_wallet_matches_reported_pricing():
    def abandoned(scope, status, disconnected):
        return scope["path"].endswith("/chat/completions") and disconnected

    # Paced, so that the client hangs up before the stream is complete.
    with serve(ChargeExtra(mock_app(tokens_per_second=100), abandoned)) as url:
        result = money(url)
    assert [failure.title for failure in result.failures] == ["An abandoned stream is billed more than once"]


def test_a_job_charge_no_answer_shows_is_a_finding():
    with serve(Breaker(mock_app(), on("GET", ""), json_rewrite(_hide_charge))) as url:
        result = money(url)
    assert result.exit_code == 0
    assert [finding.check for finding in result.findings] == ["job_charge_reported"]
    assert "/videos" in result.findings[0].title


def test_a_key_without_credit_is_a_harness_condition_not_a_flood_of_breaches():
    # $0.50 is below the gateway's $1 minimum: every priced call is refused with 402.
    with serve(mock_app(credits_usd=0.5)) as url:
        result = run(
            Options(
                base_url=url,
                api_key=KEY,
                include=("createChatCompletion", "createEmbedding"),
                phases=("examples", "coverage", "workflows"),
                max_examples=5,
            )
        )
    assert result.exit_code == 2
    assert result.stopped_early == "the key ran out of credit (402)"
    assert OUT_OF_CREDIT in result.harness_errors
    assert not [failure for failure in result.failures if failure.status == 402]


def _strip_pricing(node):
    if isinstance(node, dict):
        return {k: _strip_pricing(v) for k, v in node.items() if k != "pricing"}
    if isinstance(node, list):
        return [_strip_pricing(v) for v in node]
    return node


def _unpriced(scope, status, headers, body):
    """Every answer, JSON or SSE, without a word of its pricing: the gateway charges in silence."""
    if body.lstrip().startswith((b"{", b"[")):
        return status, headers, json.dumps(_strip_pricing(json.loads(body))).encode()
    lines = []
    for line in body.split(b"\n"):
        if line.startswith(b"data: {"):
            line = b"data: " + json.dumps(_strip_pricing(json.loads(line[6:]))).encode()
        lines.append(line)
    return status, headers, b"\n".join(lines)


def test_the_live_spend_cap_rests_on_the_wallet_when_answers_report_no_charge():
    cap = 0.00015  # a few chat completions on the mock's prices
    unreported = Breaker(mock_app(), on("POST", "/chat/completions"), _unpriced)
    with serve(unreported) as url:
        before = remaining(url)
        result = run(
            Options(
                base_url=url,
                api_key=KEY,
                profile="live",
                rate_limit="100/s",
                max_examples=5,
                include=("createChatCompletion",),
                phases=("examples", "fuzzing"),
                max_spend_usd=cap,
            )
        )
        lost = before - remaining(url)
    assert result.stopped_early and "spend cap" in result.stopped_early
    assert 0 < lost < cap * 1e9
    assert round(result.spent_usd * 1e9) == lost
