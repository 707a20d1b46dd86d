"""sdk_parses_answers (conformance/checks/sdk_compat.py): the installed openai/anthropic SDKs
read every answer; what they cannot read is a client-compatibility finding, not a breach."""

from __future__ import annotations

import httpx
import pytest

from conformance import Options, run
from conformance.checks.sdk_compat import parse_problems
from tests.support import AUTH, KEY, mock_app, serve
from tests.support.breakers import Breaker, on

anthropic = pytest.importorskip("anthropic")
openai = pytest.importorskip("openai")


def sdk_run(base_url: str, include: tuple[str, ...]):
    options = Options(
        base_url=base_url, api_key=KEY, checks=("sdk_parses_answers",), include=include, phases=("examples",)
    )
    return run(options)


def _rename_text_blocks(scope, status, headers, body):
    if status != 200:
        return status, headers, body
    return status, headers, body.replace(b'"text_delta"', b'"txt_delta"').replace(b'"type":"text"', b'"type":"txt"')


def test_the_mock_messages_surface_reads_through_the_anthropic_sdk():
    with serve(mock_app()) as url:
        result = sdk_run(url, ("createAnthropicMessage",))
    assert result.exit_code == 0
    assert result.check_totals()["sdk_parses_answers"].passed > 0
    assert [f for f in result.findings if "stream" in f.title] == []


def test_the_closing_chat_snapshot_frame_is_a_client_finding_with_its_explanation():
    with serve(mock_app()) as url:
        result = sdk_run(url, ("createChatCompletion",))
    assert result.exit_code == 0 and result.failures == []
    streams = [f for f in result.findings if f.title == "The openai SDK cannot read this stream"]
    assert streams, result.findings
    assert f"openai {openai.__version__}" in streams[0].actual
    assert "GATEWAY-BEHAVIOUR §5" in streams[0].actual and "delta is None" in streams[0].actual


def test_content_blocks_the_anthropic_sdk_does_not_know_are_findings_naming_its_version():
    with serve(Breaker(mock_app(), on("POST", "/messages"), _rename_text_blocks)) as url:
        result = sdk_run(url, ("createAnthropicMessage",))
    assert result.exit_code == 0
    titles = {f.title for f in result.findings}
    assert "The anthropic SDK cannot read this body" in titles
    assert all(f"anthropic {anthropic.__version__}" in f.actual for f in result.findings)


def test_a_messages_stream_is_read_through_anthropics_accumulator():
    body = {
        "model": "anthropic/claude-sonnet-4-5",
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    with serve(mock_app()) as url:
        stream = httpx.post(url + "/messages", json=body, headers=AUTH).content
    assert parse_problems("messages", stream, streamed=True) == (f"anthropic {anthropic.__version__}", [])
    label, problems = parse_problems("messages", stream.replace(b'"text_delta"', b'"txt_delta"'), streamed=True)
    assert problems and problems[0].startswith("accumulate_event (content_block_delta)")
