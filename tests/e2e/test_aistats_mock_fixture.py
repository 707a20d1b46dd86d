"""The ``aistats_mock`` pytest fixture (conformance/pytest_plugin.py), as a user's tests use it.

The first test is the README's sample ("A pytest fixture for your tests"), word for word."""

import json

from openai import OpenAI


def ask_weather(client: OpenAI, city: str) -> str:
    """The app under test: one tool round trip, then the answer."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ]
    messages = [{"role": "user", "content": f"What is the weather in {city}?"}]
    first = client.chat.completions.create(model="openai/gpt-5-nano", messages=messages, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    weather = {"city": json.loads(call.function.arguments)["city"], "sky": "sunny"}
    messages += [
        {"role": "assistant", "content": "", "tool_calls": [call.model_dump(exclude_none=True)]},
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(weather)},
    ]
    final = client.chat.completions.create(model="openai/gpt-5-nano", messages=messages, tools=tools)
    return final.choices[0].message.content


def test_weather_answer_after_the_tool_call(aistats_mock):
    aistats_mock.reply(tool_result=False, tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}])
    aistats_mock.reply(tool_result=True, text="Sunny in Paris.")
    with OpenAI(base_url=aistats_mock.base_url, api_key=aistats_mock.api_key) as client:
        assert ask_weather(client, "Paris") == "Sunny in Paris."

    sent = aistats_mock.requests(operation="createChatCompletion", model="openai/gpt-5-nano")
    assert len(sent) == 2
    assert sent[1]["json"]["messages"][-1] == {
        "role": "tool",
        "tool_call_id": sent[1]["json"]["messages"][1]["tool_calls"][0]["id"],
        "content": '{"city": "Paris", "sky": "sunny"}',
    }


def test_each_test_starts_from_a_clean_mock(aistats_mock):
    assert aistats_mock.count() == 0, "the journal of earlier tests is gone"
    with OpenAI(base_url=aistats_mock.base_url, api_key=aistats_mock.api_key) as client:
        answer = client.chat.completions.create(model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Hi"}])
    assert answer.choices[0].message.content != "Sunny in Paris.", "the replies of earlier tests are gone"
    assert aistats_mock.count(operation="createChatCompletion") == 1


def test_a_scripted_failure_is_retried_by_the_sdk(aistats_mock):
    aistats_mock.fail("upstream_error", times=1, operation="createChatCompletion", status=503)
    aistats_mock.reply(text="Answered on the retry.")
    with OpenAI(base_url=aistats_mock.base_url, api_key=aistats_mock.api_key, max_retries=1) as client:
        answer = client.chat.completions.create(model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Hi"}])
    assert answer.choices[0].message.content == "Answered on the retry."
    statuses = [entry["status"] for entry in aistats_mock.requests(operation="createChatCompletion")]
    assert statuses == [503, 200]


def test_scripted_embeddings_and_counts_by_model(aistats_mock):
    aistats_mock.reply(embedding=[0.6, 0.8], operation="createEmbedding")
    with OpenAI(base_url=aistats_mock.base_url, api_key=aistats_mock.api_key) as client:
        vectors = client.embeddings.create(
            model="openai/text-embedding-3-small", input=["a", "b"], encoding_format="float"
        )
    assert [item.embedding for item in vectors.data] == [[0.6, 0.8], [0.6, 0.8]]
    assert aistats_mock.count(model="openai/text-embedding-3-small") == 1
    assert aistats_mock.count(model="anthropic/*") == 0
