"""The ``openai`` SDK against a real ``serve --contract 2025-12`` (uvicorn on a free port)."""

from __future__ import annotations

import httpx
import pytest

from tests.server.test_contract_2025_12 import CHAT, OLD_KEY

openai = pytest.importorskip("openai")


@pytest.fixture(scope="module")
def origin():
    from tests.support import live_server

    with live_server(contract="2025-12", seed=0, ttft_ms=0, tokens_per_second=0) as url:
        yield url


@pytest.fixture(scope="module")
def sdk(origin):
    with openai.OpenAI(base_url=origin + "/v1", api_key=OLD_KEY, timeout=10, max_retries=0) as client:
        yield client


def test_streaming_with_the_openai_sdk(sdk):
    chunks = list(
        sdk.chat.completions.create(
            model=CHAT["model"], messages=CHAT["messages"], stream=True, extra_body={"usage": True}
        )
    )
    # OpenAI models close the stream with a chat.completion snapshot (no delta; usage inside).
    deltas = [chunk for chunk in chunks if chunk.object == "chat.completion.chunk" and chunk.choices]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in deltas)
    assert text.strip()
    finishes = [c.choices[0].finish_reason for c in deltas if c.choices[0].finish_reason]
    assert finishes == ["stop"]
    request_ids = {chunk.model_extra["requestId"] for chunk in chunks}
    assert len(request_ids) == 1 and next(iter(request_ids)).startswith("G-")
    usage = chunks[-1].model_extra.get("usage") if chunks[-1].usage is None else chunks[-1].usage.model_dump()
    assert usage["output_text_tokens"] > 0 and usage["pricing"]["total_nanos"] > 0


def test_plain_completion_with_the_openai_sdk(sdk):
    completion = sdk.chat.completions.create(model=CHAT["model"], messages=CHAT["messages"])
    assert completion.choices[0].message.content
    assert completion.model_extra["requestId"].startswith("G-")
    assert completion.usage is None


def test_the_new_key_prefix_is_refused_by_the_sdk(origin):
    new_key = OLD_KEY.replace("aistats_v1_k_", "aistats_v1_sk_")
    with (
        openai.OpenAI(base_url=origin + "/v1", api_key=new_key, timeout=10, max_retries=0) as client,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        client.chat.completions.create(model=CHAT["model"], messages=CHAT["messages"])
    body = caught.value.response.json()
    assert body == {
        "generation_id": body["generation_id"],
        "status_code": 401,
        "error": "unauthorised",
        "description": "invalid_key_format",
    }


def test_health_needs_no_key(origin):
    response = httpx.get(origin + "/v1/health", timeout=10)
    assert response.status_code == 200 and response.json()["ok"] is True
