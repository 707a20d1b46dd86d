"""The ``aistats_mock`` fixture pointed at cassettes with its marker (docs/recording.md)."""

import openai
import pytest
from openai import OpenAI

pytestmark = pytest.mark.aistats_mock(replay="cassettes/weather", miss="error")


def test_the_fixture_answers_from_the_cassettes_and_refuses_the_rest(aistats_mock):
    with OpenAI(base_url=aistats_mock.base_url, api_key=aistats_mock.api_key, max_retries=0) as client:
        ask(client)

    sent = aistats_mock.requests(operation="createChatCompletion")
    assert [entry["cassette"] for entry in sent] == ["greeting", "forecast", None]
    assert [entry["status"] for entry in sent] == [200, 200, 400]


def ask(client: OpenAI) -> None:
    hello = client.chat.completions.with_raw_response.create(
        model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Say hello"}]
    )
    assert hello.headers["x-request-id"] == "req_greeting"
    assert hello.parse().choices[0].message.content == "Hello from a cassette."

    forecast = client.chat.completions.create(
        model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Forecast for Paris?"}]
    )
    assert forecast.choices[0].message.content == "Sunny, 21 °C."
    assert forecast.usage is not None and forecast.usage.completion_tokens > 0

    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Unrecorded"}])
    error = refused.value.response.json()
    assert error["error"] == "no_recorded_answer" and "the closest is greeting" in error["description"]
