"""The provider dialects' mappings, pure: requests in, answers, stream frames and errors out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver.catalogue import load_catalogue
from mockserver.contract import ContractIndex, load_contract
from mockserver.dialects.adapter import DialectDispatcher
from mockserver.dialects.anthropic_messages import AnthropicMessages
from mockserver.dialects.frames import parse_frames
from mockserver.dialects.google_generate import GoogleGenerate
from mockserver.dialects.google_request import chat_body
from mockserver.dialects.native import ModelNames, native_id
from mockserver.dialects.openai_chat import OpenAIChat
from mockserver.encoding.body import sse_frame
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure
from mockserver.model import Chunk, MockReply, MockRequest

CONTRACT = ContractIndex(load_contract())
KNOWN = {"openai/text-embedding-3-small", "gpt-4o-mini"}
NAMES = ModelNames(lambda name: name if name in KNOWN else None, "openai")
GID = "G-01KKF66D1AAP9B0WPM8330VAPR"


def native(body: Any, **fields: Any) -> MockRequest:
    operation = CONTRACT.operations["createChatCompletion"]  # stands in for the surface's operation
    return MockRequest(operation=operation, method="POST", path="/x", body=body, generation_id=GID, **fields)


def chunks(*frames: dict[str, Any], tail: bytes = b"") -> list[Chunk]:
    out = [Chunk(data=sse_frame(frame), delay=0.01 * index) for index, frame in enumerate(frames)]
    return out + ([Chunk(data=tail)] if tail else [])


def frames_of(stream: Any) -> list[Any]:
    return [frame.data or frame.raw for chunk in stream for frame in parse_frames(chunk.data)]


def test_native_ids_are_stable_and_distinct() -> None:
    assert native_id("chatcmpl-", GID) == native_id("chatcmpl-", GID)
    assert native_id("chatcmpl-", GID) != native_id("chatcmpl-", GID[:-1] + "Q")
    assert native_id("chatcmpl-", GID).startswith("chatcmpl-") and len(native_id("x", GID, 10)) == 11


def test_model_names_qualified_only_when_the_bare_name_is_unknown() -> None:
    assert NAMES.gateway("text-embedding-3-small") == "openai/text-embedding-3-small"
    assert NAMES.gateway("gpt-4o-mini") == "gpt-4o-mini"
    assert NAMES.gateway("nobody-knows") == "nobody-knows"
    assert ModelNames(lambda name: None).gateway("x") == "x"


def test_openai_chat_inbound_drops_what_the_gateway_refuses() -> None:
    body = {"model": "gpt-4o-mini", "messages": [], "stream_options": {"include_usage": True}, "n": 1}
    mapped = OpenAIChat(CONTRACT, NAMES).inbound(native(body))
    assert mapped.operation.operation_id == "createChatCompletion"
    assert mapped.body == {"model": "gpt-4o-mini", "messages": []}


def test_openai_chat_stream_keeps_pacing_and_ends_with_usage_and_done() -> None:
    delta = {"id": GID, "object": "chat.completion.chunk", "created": 1, "model": "m", "nativeResponseId": "r"}
    snapshot = {"id": GID, "object": "chat.completion", "created": 1, "usage": {"prompt_tokens": 1, "pricing": {}}}
    reply = MockReply(stream=chunks({**delta, "choices": [{"delta": {"content": "Hi"}}]}, snapshot))
    request = native({"model": "gpt-4o-mini", "stream_options": {"include_usage": True}})
    out = list(OpenAIChat(CONTRACT, NAMES).outbound(request, reply).chunks())
    assert [chunk.delay for chunk in out[:2]] == [0.0, 0.01]
    first, usage, done = frames_of(out)
    assert first["id"].startswith("chatcmpl-") and "nativeResponseId" not in first
    assert usage["choices"] == [] and usage["usage"] == {"prompt_tokens": 1} and done == b"[DONE]"


def test_a_reset_chunk_ends_the_mapped_stream_there() -> None:
    stream = chunks({"id": GID, "object": "chat.completion.chunk", "choices": []})
    stream[0].action = "reset"
    out = list(OpenAIChat(CONTRACT, NAMES).outbound(native({"model": "m"}), MockReply(stream=stream)).chunks())
    assert len(out) == 1 and out[0].action == "reset"


def test_openai_errors() -> None:
    limited = render_failure(
        GatewayFailure(429, "rate_limit_exceeded", "slow down", passthrough=True), "inference", GID
    )
    reply = OpenAIChat(CONTRACT, NAMES).error(limited, native({"model": "m"}))
    assert reply.status == 429 and reply.headers["retry-after"] == "1"
    assert reply.body == {
        "error": {"message": "slow down", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
    }
    broke = OpenAIChat(CONTRACT, NAMES).error(
        render_failure(GatewayFailure(402, "insufficient_funds"), "inference", GID)
    )
    assert broke.status == 429 and broke.body["error"]["code"] == "insufficient_quota"


@pytest.mark.parametrize(("status", "expected", "kind"), [(503, 529, "overloaded_error"), (500, 500, "api_error")])
def test_anthropic_errors(status: int, expected: int, kind: str) -> None:
    failure = GatewayFailure(status, "server_error", "down", passthrough=True)
    reply = AnthropicMessages(CONTRACT, NAMES).error(render_failure(failure, "inference", GID))
    assert reply.status == expected and reply.body["type"] == "error" and reply.body["error"]["type"] == kind


def test_anthropic_stream_renames_the_message_and_keeps_event_names() -> None:
    start = {"type": "message_start", "message": {"id": "x", "model": "m", "usage": {"input_tokens": 3}}}
    stream = [Chunk(data=sse_frame(start, "message_start"), delay=0.5)]
    out = list(
        AnthropicMessages(CONTRACT, NAMES).outbound(native({"model": "claude"}), MockReply(stream=stream)).chunks()
    )
    assert out[0].delay == 0.5 and out[0].data.startswith(b"event: message_start\n")
    message = frames_of(out)[0]["message"]
    assert message["id"].startswith("msg_01") and message["model"] == "claude"
    assert message["usage"] == {"input_tokens": 3, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def test_google_request_becomes_a_chat_request() -> None:
    body = {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Weather?"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 3}}}]},
        ],
        "tools": [{"functionDeclarations": [{"name": "get_weather", "parameters": {"type": "OBJECT"}}]}],
        "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}},
        "generationConfig": {"maxOutputTokens": 9, "topP": 0.5},
    }
    chat = chat_body(body, "gemini-2.5-flash", stream=True)
    roles = [message["role"] for message in chat["messages"]]
    assert roles == ["system", "user", "assistant", "tool"] and chat["stream"] is True
    assert json.loads(chat["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}
    assert chat["tools"][0]["function"]["parameters"] == {"type": "object"}
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert (chat["max_tokens"], chat["top_p"]) == (9, 0.5)


def test_google_stream_sends_text_then_one_last_frame_with_calls_and_usage() -> None:
    base = {"id": GID, "object": "chat.completion.chunk"}
    call = {"index": 0, "function": {"name": "f", "arguments": '{"a":'}}
    stream = chunks(
        {**base, "choices": [{"delta": {"content": "Hi"}}]},
        {**base, "choices": [{"delta": {"tool_calls": [call]}}]},
        {**base, "choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}}]},
        {**base, "choices": [{"delta": {}, "finish_reason": "tool_calls"}]},
        {**base, "choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 3}},
        tail=b"data: [DONE]\n\n",
    )
    request = native({}, path_params={"model": "gemini-2.5-flash"})
    frames = frames_of(
        GoogleGenerate(CONTRACT, NAMES, stream=True).outbound(request, MockReply(stream=stream)).chunks()
    )
    assert len(frames) == 2 and frames[0]["candidates"][0]["content"]["parts"] == [{"text": "Hi"}]
    last = frames[1]
    assert last["candidates"][0]["content"]["parts"] == [{"functionCall": {"name": "f", "args": {"a": 1}}}]
    assert last["candidates"][0]["finishReason"] == "STOP" and last["usageMetadata"]["totalTokenCount"] == 5


class Echo:
    def __init__(self) -> None:
        self.seen: list[MockRequest] = []

    def handle(self, request: MockRequest) -> MockReply:
        self.seen.append(request)
        return MockReply(body={"id": GID, "object": "chat.completion", "choices": [], "usage": {}})


def test_dispatcher_wrapper_runs_inbound_handler_outbound() -> None:
    handler = Echo()
    dialects = {"createChatCompletion": OpenAIChat(CONTRACT, NAMES)}
    reply = DialectDispatcher(handler, dialects).handle(native({"model": "gpt-4o-mini", "n": 2}))
    assert handler.seen[0].body == {"model": "gpt-4o-mini"} and reply.body["id"].startswith("chatcmpl-")
    other = MockRequest(operation=CONTRACT.operations["createEmbedding"], method="POST", path="/x")
    assert DialectDispatcher(handler, dialects).handle(other).body["id"] == GID  # no dialect: unchanged


def test_an_inbound_failure_is_answered_in_the_dialect() -> None:
    class Refusing(OpenAIChat):
        def inbound(self, request: MockRequest) -> MockRequest:
            raise GatewayFailure(400, "validation_error", "bad")

    reply = DialectDispatcher(Echo(), {"createChatCompletion": Refusing(CONTRACT, NAMES)}).handle(native({}))
    assert reply.status == 400 and reply.body["error"]["type"] == "invalid_request_error"


def test_media_answers_lose_only_what_the_gateway_added() -> None:
    from mockserver.dialects.openai_media import moderation, plain, video

    request = native({"model": "omni-moderation-latest"})
    usage = {"input_tokens": 2, "pricing_breakdown": {"total_nanos": 1}}
    gateway = {
        "requestId": GID,
        "id": GID,
        "object": "transcription",
        "provider": "openai",
        "text": "Hi",
        "usage": usage,
    }
    assert plain(gateway, request) == {"text": "Hi", "usage": {"input_tokens": 2}}
    job = {"id": "video_1", "object": "video", "status": "queued"}
    assert video({"requestId": GID, "result": job, "provider": "openai", "usage": usage}, request) == job
    assert moderation({"id": GID, "results": [{"flagged": False}]}, request)["model"] == "omni-moderation-latest"


def test_every_provider_operation_names_a_dialect_over_the_current_contract() -> None:
    from mockserver.contract import load_surface
    from mockserver.dialects.registry import DIALECTS, Basis, dialects_for

    surface = ContractIndex(load_surface("providers"))
    dialects = dialects_for(surface, Basis(CONTRACT, load_catalogue(), 0))
    assert set(dialects) == set(surface.operations)
    assert {operation.definition["x-aistats-dialect"] for operation in surface.operations.values()} == set(DIALECTS) - {
        "2025-12"
    }


def test_a_surface_over_a_contract_without_the_operation_is_refused() -> None:
    from mockserver.contract import load_surface
    from mockserver.dialects.registry import Basis, SurfaceError, dialects_for

    older = ContractIndex(load_contract("2025-12"))
    with pytest.raises(SurfaceError, match="createChatCompletion"):
        dialects_for(ContractIndex(load_surface("providers")), Basis(older, load_catalogue(), 0))


def test_google_snake_case_fields_read_like_camel_case() -> None:
    body = {
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": "user", "parts": [{"text": "Weather?"}]}],
        "tools": [
            {
                "function_declarations": [
                    {"name": "f", "parameters": {"type": "OBJECT", "properties": {"city_name": {}}}}
                ]
            }
        ],
        "tool_config": {"function_calling_config": {"mode": "ANY"}},
        "generation_config": {"max_output_tokens": 7},
    }
    chat = chat_body(body, "gemini-2.5-flash", stream=False)
    assert chat["messages"][0] == {"role": "system", "content": "Be brief."} and chat["max_tokens"] == 7
    assert chat["tools"][0]["function"]["parameters"]["properties"] == {"city_name": {}}  # the caller's names kept
    assert chat["tool_choice"] == "required"


def test_dec2025_maps_its_sources_and_answers_its_own_routes_itself() -> None:
    from mockserver.dialects.dec2025 import Dec2025

    older = ContractIndex(load_contract("2025-12"))
    dialect = Dec2025(CONTRACT, load_catalogue(), 0)
    video = MockRequest(
        operation=older.operations["createVideoDec25"], method="POST", path="/v1/video/generation", body={"duration": 4}
    )
    mapped = dialect.inbound(video)
    assert mapped.operation.operation_id == "createVideo" and mapped.body == {"seconds": 4}
    lookup = MockRequest(
        operation=older.operations["getGenerationByPathDec25"], method="GET", path="/x", path_params={"id": "G-1"}
    )
    assert dialect.inbound(lookup).query == {"id": ["G-1"]}
    health = MockRequest(operation=older.operations["getHealthDec25"], method="GET", path="/v1/health")
    assert dialect.inbound(health) is health and dialect.answers_with("getHealthDec25") == "getHealthDec25"
    assert dialect.answers_with("createImageDec25") == "createImage"


def test_dec2025_renders_the_failure_in_its_envelope() -> None:
    from mockserver.dialects.dec2025 import Dec2025

    failure = GatewayFailure(400, "validation_error", "bad", details=[])
    reply = Dec2025(CONTRACT, load_catalogue(), 0).error(render_failure(failure, "control", GID))
    assert reply.body == {"generation_id": "", "status_code": 400, "error": "validation_error", "description": "bad"}
    assert "X-Gateway-Error-Attribution" not in reply.headers
