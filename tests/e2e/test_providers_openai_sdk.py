"""The official openai SDK, unmodified, pointed straight at the OpenAI and OpenAI-compatible
provider mocks: plain, streamed and tool-calling chat, embeddings, responses, and the
errors it raises on the provider's own statuses (retry-after honoured)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.support import live_server

MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with live_server(surface="providers", ttft_ms=0, tokens_per_second=0) as origin:
        yield origin


@pytest.fixture(params=["/openai/v1", "/compat/v1"])
def client(origin: str, request: pytest.FixtureRequest) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="sk-test", base_url=origin + request.param, max_retries=0, timeout=20) as client:
        yield client


def test_plain_chat(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=20)
    assert completion.id.startswith("chatcmpl-")
    assert completion.choices[0].message.content
    assert completion.usage is not None and completion.usage.total_tokens > 0


def test_streamed_chat_with_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, max_tokens=20, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text and chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0


def test_tool_calls_plain_and_streamed(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS, tool_choice="required"
    )
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and "city" in json.loads(call.function.arguments)
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS, tool_choice="required", stream=True
    )
    arguments = "".join(
        call.function.arguments or ""
        for chunk in stream
        if chunk.choices
        for call in chunk.choices[0].delta.tool_calls or []
        if call.function is not None
    )
    assert "city" in json.loads(arguments)


def test_embeddings_default_base64(origin: str) -> None:
    with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0) as client:
        answer = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"], dimensions=8)
    assert [len(item.embedding) for item in answer.data] == [8, 8]
    assert isinstance(answer.data[0].embedding[0], float)


def test_responses_plain_and_streamed(origin: str) -> None:
    with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0) as client:
        response = client.responses.create(model="gpt-4o-mini", input="Say hi", max_output_tokens=30)
        assert response.id.startswith("resp_") and response.output_text
        events = list(client.responses.create(model="gpt-4o-mini", input="Say hi", stream=True))
    assert events[0].type == "response.created" and events[-1].type in ("response.completed", "response.incomplete")


def test_rate_limit_raises_with_retry_after(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, extra_headers={"X-Mock-Scenario": "upstream_rate_limited"}
        )
    assert raised.value.status_code == 429 and raised.value.response.headers["retry-after"] == "1"
    assert raised.value.code == "rate_limit_exceeded"


def test_fail_once_then_succeed_honours_retry_after(origin: str) -> None:
    rule = {"path": "/openai/v1/chat/completions", "times": 1, "scenario": "upstream_rate_limited"}
    assert httpx.post(origin + "/__mock/rules", json=rule).status_code in (200, 201)
    try:
        with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=1, timeout=20) as client:
            started = time.monotonic()
            completion = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=5)
            waited = time.monotonic() - started
    finally:
        httpx.delete(origin + "/__mock/rules")
    assert completion.choices[0].message.content is not None
    assert waited >= 1.0  # the SDK slept for retry-after before its one retry


@pytest.mark.parametrize(("status", "error"), [(500, openai.InternalServerError), (503, openai.InternalServerError)])
def test_server_errors(client: openai.OpenAI, status: int, error: type) -> None:
    with pytest.raises(error) as raised:
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=MESSAGES,
            extra_headers={"X-Mock-Scenario": f"upstream_error; status={status}"},
        )
    assert raised.value.status_code == status


def test_missing_key_is_authentication_error(origin: str) -> None:
    response = httpx.post(origin + "/openai/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": MESSAGES})
    assert response.status_code == 401
    broken = {"Authorization": "Basic not-a-bearer-key"}
    client = openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0, default_headers=broken)
    with client, pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)


def test_journal_shows_the_native_request(origin: str) -> None:
    with openai.OpenAI(api_key="k", base_url=origin + "/compat/v1", max_retries=0) as client:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, max_tokens=5, user="journal-check")
    entries = httpx.get(origin + "/__mock/journal").json()["entries"]
    entry = next(e for e in reversed(entries) if "journal-check" in json.dumps(e.get("body")))
    assert entry["path"] == "/compat/v1/chat/completions" and entry["operation_id"] == "compatCreateChatCompletion"


def test_connection_reset_is_a_connection_error_for_streams_and_bodies(origin: str) -> None:
    reset = {"X-Mock-Scenario": "connection_reset; after=2"}
    with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0, timeout=10) as client:
        with pytest.raises(openai.APIConnectionError):
            for _ in client.chat.completions.create(
                model="gpt-4o-mini", messages=MESSAGES, stream=True, extra_headers=reset
            ):
                pass
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=reset)
        assert client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).choices  # still serving
    outcomes = [entry["outcome"] for entry in httpx.get(origin + "/__mock/journal").json()["entries"]][-3:]
    assert outcomes == ["reset", "reset", "completed"]


def test_timeout_scenario_waits_then_answers_504(origin: str) -> None:
    late = {"X-Mock-Scenario": "upstream_timeout; delay_ms=200"}
    with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0, timeout=10) as client:
        started = time.monotonic()
        with pytest.raises(openai.InternalServerError) as raised:
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, extra_headers=late)
    assert raised.value.status_code == 504 and time.monotonic() - started >= 0.19


def test_media_routes(origin: str) -> None:
    with openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0, timeout=20) as client:
        moderation = client.moderations.create(model="omni-moderation-latest", input="hello")
        assert moderation.id.startswith("modr-") and moderation.results[0].flagged in (True, False)
        image = client.images.generate(model="gpt-image-1", prompt="a cat", size="1024x1024")
        assert image.data[0].b64_json
        speech = client.audio.speech.create(model="tts-1", input="hello", voice="alloy")
        assert len(speech.content) > 100
        transcript = client.audio.transcriptions.create(model="whisper-1", file=("a.mp3", speech.content))
        assert transcript.text
        with pytest.deprecated_call():  # this SDK release marks translations deprecated; the call still works
            translation = client.audio.translations.create(model="whisper-1", file=("a.mp3", speech.content))
        assert translation.text


@pytest.mark.filterwarnings("ignore:The Sora API is scheduled:DeprecationWarning")
def test_video_job_poll_and_content() -> None:
    with (
        live_server(surface="providers", ttft_ms=0, tokens_per_second=0, job_seconds=0) as origin,
        openai.OpenAI(api_key="k", base_url=origin + "/openai/v1", max_retries=0, timeout=20) as client,
    ):
        job = client.videos.create(model="sora-2", prompt="a cat")
        assert job.id.startswith("video_") and job.object == "video"
        polled = client.videos.retrieve(job.id)
        assert polled.status == "completed"
        assert client.videos.download_content(job.id).content[4:8] == b"ftyp"
        with pytest.raises(openai.NotFoundError):
            client.videos.retrieve("video_unknown")


def test_interrupted_stream_raises_api_error(client: openai.OpenAI) -> None:
    broken = {"X-Mock-Scenario": "stream_interrupted; after=2"}
    with pytest.raises(openai.APIError, match="stream_error"):
        for _ in client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, extra_headers=broken
        ):
            pass
