"""google-genai, unmodified, pointed straight at the Google AI Studio provider mock: plain,
streamed and function-calling generate_content, embeddings, and its ClientError /
ServerError with Google's own code and status."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from google import genai
from google.genai import errors, types

from tests.support import live_server

MODEL = "gemini-2.5-flash"
NO_RETRIES = types.HttpRetryOptions(attempts=1)


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


FORCED_CALL = types.GenerateContentConfig(
    tools=[get_weather],
    automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="ANY")),
)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with live_server(surface="providers", ttft_ms=0, tokens_per_second=0) as origin:
        yield origin


@pytest.fixture(scope="module", params=["v1beta", "v1"])
def client(origin: str, request: pytest.FixtureRequest) -> genai.Client:
    options = types.HttpOptions(base_url=origin + "/google", api_version=request.param, retry_options=NO_RETRIES)
    return genai.Client(api_key="any-key", http_options=options)


def test_plain(client: genai.Client) -> None:
    answer = client.models.generate_content(model=MODEL, contents="Say hi")
    assert answer.text
    usage = answer.usage_metadata
    assert usage is not None and usage.prompt_token_count and usage.total_token_count
    assert answer.candidates[0].finish_reason in (types.FinishReason.STOP, types.FinishReason.MAX_TOKENS)


def test_streamed(client: genai.Client) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Say hi"))
    assert "".join(chunk.text or "" for chunk in chunks)
    assert chunks[-1].usage_metadata is not None and chunks[-1].candidates[0].finish_reason is not None


def test_function_calling_plain_and_streamed(client: genai.Client) -> None:
    answer = client.models.generate_content(model=MODEL, contents="Weather in Paris?", config=FORCED_CALL)
    call = answer.function_calls[0]
    assert call.name == "get_weather" and isinstance(call.args["city"], str)
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Weather?", config=FORCED_CALL))
    calls = [call for chunk in chunks for call in chunk.function_calls or []]
    assert calls and calls[0].name == "get_weather"


def test_embeddings(client: genai.Client) -> None:
    answer = client.models.embed_content(
        model="gemini-embedding-001", contents=["a", "b"], config=types.EmbedContentConfig(output_dimensionality=8)
    )
    assert [len(embedding.values) for embedding in answer.embeddings] == [8, 8]


def _scenario(name: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(http_options=types.HttpOptions(headers={"X-Mock-Scenario": name}))


def test_rate_limited_is_client_error(client: genai.Client) -> None:
    with pytest.raises(errors.ClientError) as raised:
        client.models.generate_content(model=MODEL, contents="x", config=_scenario("upstream_rate_limited"))
    assert raised.value.code == 429 and raised.value.status == "RESOURCE_EXHAUSTED"


def test_unavailable_is_server_error(client: genai.Client) -> None:
    with pytest.raises(errors.ServerError) as raised:
        client.models.generate_content(model=MODEL, contents="x", config=_scenario("upstream_error; status=503"))
    assert raised.value.code == 503 and raised.value.status == "UNAVAILABLE"


def test_missing_key_is_permission_denied(origin: str) -> None:
    response = httpx.post(f"{origin}/google/v1beta/models/{MODEL}:generateContent", json={"contents": []})
    assert response.status_code == 403 and response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_interrupted_stream_raises_server_error(client: genai.Client) -> None:
    chunks = []
    with pytest.raises(errors.ServerError) as raised:
        for chunk in client.models.generate_content_stream(
            model=MODEL, contents="Say hi", config=_scenario("stream_interrupted; after=2")
        ):
            chunks.append(chunk)
    assert chunks and raised.value.status == "INTERNAL"
