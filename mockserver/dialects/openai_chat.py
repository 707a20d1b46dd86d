"""OpenAI's ``POST /v1/chat/completions`` (and an OpenAI-compatible host's) as a dialect of
the gateway's ``createChatCompletion``.

In: the body as is, without ``stream_options`` (the gateway refuses it; the adapter honours
``include_usage`` itself). Out: ``chatcmpl-…`` ids, the requested model, usage without the
gateway's pricing, no gateway keys, ``x-ratelimit-*`` headers. A stream's chunks keep their
pacing; the gateway's closing ``chat.completion`` snapshot (or usage chunk) becomes the
``choices: []`` usage chunk when ``stream_options.include_usage`` asks for it, and the
stream ends with ``data: [DONE]``.
"""

from __future__ import annotations

from typing import Any

from mockserver.contract import ContractIndex
from mockserver.dialects.base import OneOperation
from mockserver.dialects.frames import Frame, data_frame, mapped_stream
from mockserver.dialects.native import ModelNames, native_id, native_usage, without_gateway_keys
from mockserver.dialects.openai_errors import openai_error, rate_limit_headers
from mockserver.encoding.sse import DONE_FRAME
from mockserver.model import MockReply, MockRequest

#: Request keys the gateway's chat surface refuses and OpenAI accepts.
DROPPED_KEYS = ("stream_options", "n", "metadata", "store")
GATEWAY_OPERATION = "createChatCompletion"


class OpenAIChat(OneOperation):
    def __init__(self, contract: ContractIndex, names: ModelNames, name: str = "openai-chat", fingerprint: bool = True):
        self.name = name
        self.operation = contract.operations[GATEWAY_OPERATION]
        self.names = names
        self.fingerprint = fingerprint

    def inbound(self, request: MockRequest) -> MockRequest:
        return self.names.request(request, self.operation, keep=lambda key: key not in DROPPED_KEYS)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        chat_id = native_id("chatcmpl-", native.generation_id)
        if reply.stream is not None:
            frames = ChatFrames(chat_id, str(native.field("model") or ""), _include_usage(native))
            reply.stream = mapped_stream(reply.stream, frames)
        elif isinstance(reply.body, dict):
            reply.body = self.completion(reply.body, chat_id, native)
        reply.headers = {**_kept_headers(reply.headers), **rate_limit_headers(native.generation_id)}
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return openai_error(reply, native, native.generation_id if native is not None else "")

    def completion(self, body: dict[str, Any], chat_id: str, native: MockRequest) -> dict[str, Any]:
        out = without_gateway_keys(body)
        out["id"] = chat_id
        out["model"] = native.field("model") or out.get("model")
        out["usage"] = native_usage(out.get("usage"))
        if self.fingerprint:
            out["system_fingerprint"] = native_id("fp_", native.generation_id, 10, "fingerprint")
        return out


class ChatFrames:
    """Maps the gateway's chat stream frames to OpenAI's, one by one."""

    def __init__(self, chat_id: str, model: str, include_usage: bool):
        self.chat_id = chat_id
        self.model = model
        self.include_usage = include_usage
        self.failed = False
        self.created: int | None = None

    def frame(self, frame: Frame) -> bytes:
        data = frame.data
        if data is None:
            return b""  # the gateway's own [DONE] (OpenAI's is sent once, at the close)
        if data.get("object") == "error":
            self.failed = True
            error = {"message": data.get("message") or "stream_error", "type": "server_error", "param": None}
            return data_frame({"error": {**error, "code": None}})
        usage = data.get("usage")
        if data.get("object") == "chat.completion" or (usage is not None and not data.get("choices")):
            return self._usage_chunk(data) if self.include_usage else b""
        chunk = without_gateway_keys(data)
        chunk.pop("usage", None)
        chunk["id"] = self.chat_id
        self.created = chunk.get("created", self.created)
        return data_frame(chunk)

    def _usage_chunk(self, data: dict[str, Any]) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.chat_id,
            "object": "chat.completion.chunk",
            "created": data.get("created", self.created),
            "model": data.get("model") or self.model,
            "choices": [],
            "usage": native_usage(data.get("usage")),
        }
        return data_frame(chunk)

    def close(self) -> bytes:
        return b"" if self.failed else DONE_FRAME


def _include_usage(native: MockRequest) -> bool:
    options = native.field("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    """The reply's headers without the gateway's own (attribution, debug)."""
    return {name: value for name, value in headers.items() if not name.lower().startswith("x-gateway")}
