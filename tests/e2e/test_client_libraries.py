"""Real client libraries' standard loops against a live mock.

langchain-openai, litellm, pydantic-ai, instructor and the openai SDK's Responses API, each
run the way its documentation shows, against ``live_origin`` (a uvicorn mock on 127.0.0.1).
The mock calls a tool when ``tool_choice`` is ``required`` or names one, or when it is
``auto`` and the last turn is not a tool result; after a tool result it answers with text.

Where the gateway itself refuses what a library sends, the test expects that refusal and
names the documented behaviour that causes it:

- an assistant message with ``content: null`` beside ``tool_calls`` (what langchain-openai
  and pydantic-ai send back in a tool loop): the contract's ``ChatMessage.content`` is a
  string or an array of parts, never null, and the gateway's Zod schema keeps refusing it
  (GATEWAY-BEHAVIOUR.md §5 "Schema rules"; issue 11);
- ``stream_options`` on ``/chat/completions`` (what pydantic-ai always sends when it streams,
  and langchain-openai with ``stream_usage=True``): outside the chat top-level allowlist,
  400 ``unknown_param`` (GATEWAY-BEHAVIOUR.md §5 and "Where the spec ... disagree" 5).

Nothing here touches the network beyond 127.0.0.1: litellm reads its bundled model cost map
(``LITELLM_LOCAL_MODEL_COST_MAP``), LangSmith tracing is off, and every client has a timeout
and no retries. instructor pins ``jiter<0.15``, which the openai SDK it wraps (``>=3.50``,
``jiter>=0.16``) cannot share, so the README's test command installs it without its dependency
metadata (``requirements-nodeps.txt``; what it really imports is in the ``test`` extra); its tests
skip where it is absent.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import warnings
from typing import Annotated

import openai
import pytest
from pydantic import BaseModel, Field

from tests.support import KEY

MODEL = "openai/gpt-5-nano"
EMBEDDING_MODEL = "openai/text-embedding-3-small"
TIMEOUT_S = 20
QUESTION = "What is the weather in Lisbon this week?"
pytestmark = [
    # litellm's own TypedDicts, built by pydantic when litellm is imported.
    pytest.mark.filterwarnings("ignore:.* using the `ReadOnly` qualifier:UserWarning"),
    # litellm's stream handler reads a pydantic attribute pydantic 2.11+ deprecates (a warning in use,
    # an error under this suite's filterwarnings=error, which litellm then reports as a lost connection).
    pytest.mark.filterwarnings("ignore:Accessing the 'model_(computed_)?fields' attribute:DeprecationWarning"),
]
OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
}


class Forecast(BaseModel):
    """Weather forecast for a city."""

    city: str
    days: int = Field(ge=1, le=7)


def forecast_text(args: dict) -> str:
    forecast = Forecast.model_validate(args)
    return f"Sunny in {forecast.city} for the next {forecast.days} days."


@pytest.fixture(scope="module", autouse=True)
def offline_env():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in OFFLINE_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def base_url(live_origin) -> str:
    return live_origin + "/v1"


def gateway_error(exc: openai.APIStatusError) -> dict:
    assert exc.status_code == 400, exc.response.text
    return exc.response.json()


def sent_body(exc: openai.APIStatusError) -> dict:
    return json.loads(exc.request.content)


def assert_content_null_refused(exc: openai.APIStatusError, index: int) -> None:
    """The gateway's refusal of ``messages[index]``, an assistant turn with ``content: null``."""
    sent = sent_body(exc)["messages"][index]
    assert sent["role"] == "assistant" and sent["content"] is None and sent["tool_calls"]
    error = gateway_error(exc)
    assert error["error"] == "validation_error"
    assert error["details"][0]["path"][:2] == ["messages", index]


def assert_stream_options_refused(exc: openai.APIStatusError) -> None:
    assert "stream_options" in sent_body(exc)
    error = gateway_error(exc)
    assert error["error"] == "validation_error"
    assert error["details"][0]["keyword"] == "unknown_param"
    assert error["details"][0]["path"] == ["stream_options"]


# --------------------------------------------------------------------------- langchain-openai


@pytest.fixture(scope="module")
def chat_openai(base_url):
    langchain_openai = pytest.importorskip("langchain_openai")

    def make(**options):
        return langchain_openai.ChatOpenAI(
            model=MODEL, base_url=base_url, api_key=KEY, max_retries=0, timeout=TIMEOUT_S, **options
        )

    return make


def test_langchain_invoke(chat_openai):
    reply = chat_openai().invoke("Explain tides briefly.")
    assert isinstance(reply.content, str) and reply.content
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.response_metadata["id"].startswith("G-")
    usage = reply.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_langchain_stream(chat_openai):
    chunks = list(chat_openai().stream("Write about rivers."))
    assert len(chunks) > 2
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole += chunk
    assert isinstance(whole.content, str) and whole.content
    assert whole.response_metadata["finish_reason"] == "stop"
    # No usage check: for OpenAI models the gateway ends the stream with a chat.completion
    # snapshot (GATEWAY-BEHAVIOUR.md §5), from which langchain-openai reads no usage.


def test_langchain_stream_usage_is_refused(chat_openai):
    """``stream_usage=True`` sends ``stream_options``: not in the chat allowlist (§5)."""
    with pytest.raises(openai.BadRequestError) as caught:
        list(chat_openai(stream_usage=True).stream("Write about rivers."))
    assert_stream_options_refused(caught.value)


def test_langchain_tool_round_trip_is_refused(chat_openai):
    """bind_tools, answer the call with a ToolMessage, invoke again: langchain-openai sends the
    assistant turn back with ``content: null``, which the gateway's schema refuses (§5)."""
    from langchain_core.messages import HumanMessage, ToolMessage

    model = chat_openai().bind_tools([Forecast])
    history = [HumanMessage(QUESTION)]
    reply = model.invoke(history)
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert [call["name"] for call in reply.tool_calls] == ["Forecast"]
    history.append(reply)
    history += [ToolMessage(forecast_text(call["args"]), tool_call_id=call["id"]) for call in reply.tool_calls]
    with pytest.raises(openai.BadRequestError) as caught:
        model.invoke(history)
    assert_content_null_refused(caught.value, 1)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_langchain_structured_output(chat_openai, method):
    forecast = chat_openai().with_structured_output(Forecast, method=method).invoke(QUESTION)
    assert isinstance(forecast, Forecast)


# --------------------------------------------------------------------------- litellm


@pytest.fixture(scope="module")
def litellm_module(offline_env):
    litellm = pytest.importorskip("litellm")
    litellm.suppress_debug_info = True
    yield litellm
    # litellm keeps the openai clients it made for the session; close their connections now.
    cache = litellm.in_memory_llm_clients_cache
    for cached in list(cache.cache_dict.values()):
        close = getattr(cached, "close", None)
        if callable(close) and not inspect.iscoroutinefunction(close):
            close()
    cache.flush_cache()


@pytest.fixture
def litellm_call(litellm_module, base_url):
    options = {"api_base": base_url, "api_key": KEY, "timeout": TIMEOUT_S, "num_retries": 0}

    def call(function: str, model: str = "openai/" + MODEL, **kwargs):
        return getattr(litellm_module, function)(model=model, **options, **kwargs)

    yield call
    close_implicit_loop()


def close_implicit_loop() -> None:
    """Close the event loop litellm's sync calls open in this thread (``asyncio.get_event_loop``
    in its service logger) and never close; later ``asyncio.run`` calls would orphan it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)


def test_litellm_completion(litellm_call):
    response = litellm_call("completion", messages=[{"role": "user", "content": "Explain tides briefly."}])
    assert response.id.startswith("G-")
    assert response.choices[0].finish_reason == "stop"
    assert response.choices[0].message.content
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


def test_litellm_custom_provider(litellm_call):
    response = litellm_call(
        "completion", model=MODEL, custom_llm_provider="openai", messages=[{"role": "user", "content": "Hello"}]
    )
    # litellm strips its own provider prefix ("gpt-5-nano" goes out); the answer names the model as sent.
    assert response.model == MODEL.removeprefix("openai/")
    assert response.choices[0].message.content


def test_litellm_stream(litellm_module, litellm_call):
    messages = [{"role": "user", "content": "Write about rivers."}]
    chunks = list(litellm_call("completion", messages=messages, stream=True))
    rebuilt = litellm_module.stream_chunk_builder(chunks, messages=messages)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text and rebuilt.choices[0].message.content == text
    assert rebuilt.choices[0].finish_reason == "stop"
    assert rebuilt.usage.completion_tokens > 0


def test_litellm_stream_options_are_refused(litellm_call):
    """``stream_options`` is not in the chat allowlist (§5)."""
    with pytest.raises(openai.BadRequestError) as caught:
        list(
            litellm_call(
                "completion",
                messages=[{"role": "user", "content": "Hello"}],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
    assert gateway_error(caught.value)["details"][0]["keyword"] == "unknown_param"


def test_litellm_tool_round_trip(litellm_call):
    """``messages.append(response.choices[0].message)``: litellm drops the null ``content`` and
    ``refusal`` but sends the mock's ``annotations: []`` back (the mock answers 400
    ``validation_error`` at ``messages.1``, oneOf)."""
    tools = [{"type": "function", "function": {"name": "forecast", "parameters": Forecast.model_json_schema()}}]
    messages = [{"role": "user", "content": QUESTION}]
    first = litellm_call("completion", messages=messages, tools=tools)
    assert first.choices[0].finish_reason == "tool_calls"
    calls = first.choices[0].message.tool_calls
    messages.append(first.choices[0].message)
    for call in calls:
        text = forecast_text(json.loads(call.function.arguments))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
    second = litellm_call("completion", messages=messages, tools=tools)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content and not second.choices[0].message.tool_calls


def test_litellm_embedding(litellm_call):
    response = litellm_call("embedding", model="openai/" + EMBEDDING_MODEL, input=["tides", "rivers"])
    vectors = [item["embedding"] for item in response.data]
    assert [item["index"] for item in response.data] == [0, 1]
    assert [len(vector) for vector in vectors] == [1536, 1536]
    assert vectors[0] != vectors[1]
    assert response.usage.total_tokens > 0


# --------------------------------------------------------------------------- pydantic-ai


@pytest.fixture(scope="module")
def run_agent(base_url):
    """``run_agent(use, model_class)``: ``await use(model)`` in a fresh event loop, the model's
    openai client opened and closed inside that loop (no transport outlives it)."""
    pytest.importorskip("pydantic_ai")
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    def run(use, model_class=OpenAIChatModel):
        async def main():
            async with openai.AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=TIMEOUT_S) as client:
                return await use(model_class(MODEL, provider=OpenAIProvider(openai_client=client)))

        return asyncio.run(main())

    return run


def forecast_agent(model, calls: list[Forecast]):
    """An agent with one tool, ``forecast``, that records each call in ``calls``."""
    from pydantic_ai import Agent

    agent = Agent(model, instructions="Answer briefly.")

    @agent.tool_plain
    def forecast(city: str, days: Annotated[int, Field(ge=1, le=7)]) -> str:
        """Weather forecast for a city."""
        calls.append(Forecast(city=city, days=days))
        return forecast_text({"city": city, "days": days})

    return agent


def test_pydantic_ai_responses_agent_with_tool(run_agent):
    """The tool loop over the Responses API: call, tool result, text answer."""
    from pydantic_ai.models.openai import OpenAIResponsesModel

    calls: list[Forecast] = []
    result = run_agent(lambda model: forecast_agent(model, calls).run(QUESTION), OpenAIResponsesModel)
    assert len(calls) >= 1
    assert isinstance(result.output, str) and result.output
    assert result.usage.requests == 2


def test_pydantic_ai_chat_agent_with_tool_is_refused(run_agent):
    """Over chat completions pydantic-ai sends the tool-calling turn back with ``content: null``,
    which the gateway's schema refuses (§5)."""
    from pydantic_ai.exceptions import ModelHTTPError

    calls: list[Forecast] = []
    with pytest.raises(ModelHTTPError) as caught:
        run_agent(lambda model: forecast_agent(model, calls).run(QUESTION))
    assert len(calls) >= 1
    assert isinstance(caught.value.__cause__, openai.BadRequestError)
    assert_content_null_refused(caught.value.__cause__, 2)


def test_pydantic_ai_chat_stream_is_refused(run_agent):
    """pydantic-ai always streams chat with ``stream_options``: not in the chat allowlist (§5)."""
    from pydantic_ai import Agent
    from pydantic_ai.exceptions import ModelHTTPError

    async def use(model):
        async with Agent(model).run_stream("Write about rivers.") as result:
            return await result.get_output()

    with pytest.raises(ModelHTTPError) as caught:
        run_agent(use)
    assert_stream_options_refused(caught.value.__cause__)


@pytest.mark.parametrize("native", [False, True], ids=["tool-output", "native-output"])
def test_pydantic_ai_structured_output(run_agent, native):
    from pydantic_ai import Agent, NativeOutput

    output_type = NativeOutput(Forecast) if native else Forecast
    result = run_agent(lambda model: Agent(model, output_type=output_type).run(QUESTION))
    assert isinstance(result.output, Forecast)
    assert result.usage.requests == 1


# --------------------------------------------------------------------------- instructor


@pytest.mark.parametrize("mode", ["TOOLS", "JSON_SCHEMA"])
def test_instructor(oai, mode):
    instructor = pytest.importorskip("instructor", reason="instructor pins jiter<0.15 (see the module docstring)")
    client = instructor.from_openai(oai, mode=instructor.Mode[mode])
    forecast, completion = client.chat.completions.create_with_completion(
        model=MODEL, response_model=Forecast, max_retries=0, messages=[{"role": "user", "content": QUESTION}]
    )
    assert isinstance(forecast, Forecast)
    assert completion.choices[0].finish_reason == ("tool_calls" if mode == "TOOLS" else "stop")


# --------------------------------------------------------------------------- openai Responses API


def test_openai_responses_tool_round_trip(oai):
    """``input += response.output`` plus a ``function_call_output``: the mock refuses its own
    reasoning item, which carries ``status`` (400 ``validation_error`` at ``input``, oneOf)."""
    tools = [{"type": "function", "name": "forecast", "parameters": Forecast.model_json_schema()}]
    conversation: list = [{"role": "user", "content": QUESTION}]
    first = oai.responses.create(model=MODEL, input=conversation, tools=tools)
    calls = [item for item in first.output if item.type == "function_call"]
    assert calls and first.status == "completed"
    conversation += first.output
    for call in calls:
        output = forecast_text(json.loads(call.arguments))
        conversation.append({"type": "function_call_output", "call_id": call.call_id, "output": output})
    second = oai.responses.create(model=MODEL, input=conversation, tools=tools)
    assert second.status == "completed"
    assert second.output_text and not [item for item in second.output if item.type == "function_call"]
