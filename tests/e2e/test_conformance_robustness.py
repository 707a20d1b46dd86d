"""The robustness checks (conformance/checks/robustness.py): each fails on a gateway broken
that way (the mock's --violate mode or a wrapper) and passes on the mock."""

from __future__ import annotations

from conformance import Options, run
from tests.support import KEY, mock_app, serve
from tests.support.request_breakers import Refuse, malformed_json, untyped_multipart_part

CHECKS = ("unknown_key_refused", "malformed_json_refused_quickly", "multipart_part_without_type_handled")
OPERATIONS = ("getCredits", "listProviders", "createChatCompletion", "createTranscription", "uploadFile")


def probe(base_url: str, **extra):
    options = Options(base_url=base_url, api_key=KEY, checks=CHECKS, include=OPERATIONS, phases=("workflows",), **extra)
    return run(options)


def test_the_mock_refuses_unknown_keys_and_malformed_json_and_handles_untyped_parts():
    with serve(mock_app()) as url:
        result = probe(url)
    assert result.exit_code == 0, result.failures
    totals = result.check_totals()
    assert all(totals[name].passed >= 1 for name in CHECKS), totals


def test_a_gateway_serving_any_token_fails_unknown_key_refused():
    with serve(mock_app(violations=("ignore_auth",))) as url:
        result = probe(url)
    assert result.failed_checks() == ["unknown_key_refused"]


def test_a_gateway_hanging_on_malformed_json_fails_malformed_json_refused_quickly():
    with serve(Refuse(mock_app(), malformed_json, hang_s=5)) as url:
        result = probe(url, request_timeout=1.5)
    assert result.failed_checks() == ["malformed_json_refused_quickly"]
    assert result.failures[0].title == "Malformed JSON hangs the gateway"


def test_a_gateway_crashing_on_an_untyped_part_fails_multipart_part_without_type_handled():
    with serve(Refuse(mock_app(), untyped_multipart_part, status=500)) as url:
        result = probe(url)
    assert result.failed_checks() == ["multipart_part_without_type_handled"]
