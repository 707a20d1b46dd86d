"""conform against a gateway that answers errors in OpenAI's shape (``{"error": {"message", "type",
"param", "code"}}``, as LiteLLM's proxy does): the envelope check reports the breach instead of
crashing on the object under ``error`` (it ended as a harness note, the check unrun), and the
run no longer dies where it asks whether a rejected 400 was an accepted one."""

from __future__ import annotations

import json

from conformance import Options, run
from tests.support import KEY, mock_app, serve
from tests.support.breakers import Breaker, on


def _openai_error(scope, status, headers, body):
    if status < 400:
        return status, headers, body
    error = {"message": "bad request", "type": "invalid_request_error", "param": None, "code": None}
    return status, headers, json.dumps({"error": error}).encode()


def test_an_openai_shaped_error_body_is_a_breach_of_the_envelope_check_not_a_crash():
    with serve(Breaker(mock_app(), on("POST", "/embeddings"), _openai_error)) as base_url:
        include, phases = ("createEmbedding",), ("examples", "fuzzing")
        result = run(Options(base_url=base_url, api_key=KEY, include=include, phases=phases, max_examples=3))
    assert "error_envelope_matches_family" in result.failed_checks(), [(f.check, f.title) for f in result.failures]
    assert not [note for note in result.notes if "TypeError" in note], result.notes
    assert result.exit_code == 1
