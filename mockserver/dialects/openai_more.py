"""OpenAI's ``/v1/embeddings`` and ``/v1/responses`` as dialects of the gateway's
``createEmbedding`` and ``createResponse``.

Embeddings: OpenAI's list (``base64`` vectors when asked, as the official SDK asks by
default) with ``usage: {prompt_tokens, total_tokens}``. Responses: ``resp_…`` ids (every
id the gateway derived from its generation id is re-derived from the native one), usage
without pricing, no gateway keys; stream events keep their names and pacing.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mockserver.contract import ContractIndex
from mockserver.dialects.base import OneOperation
from mockserver.dialects.frames import Frame, data_frame, mapped_stream
from mockserver.dialects.native import ModelNames, native_hex, native_usage, without_gateway_keys
from mockserver.dialects.openai_errors import openai_error, rate_limit_headers
from mockserver.model import MockReply, MockRequest


class OpenAIEmbeddings(OneOperation):
    name = "openai-embeddings"

    def __init__(self, contract: ContractIndex, names: ModelNames):
        self.operation = contract.operations["createEmbedding"]
        self.names = names

    def inbound(self, request: MockRequest) -> MockRequest:
        return self.names.request(request, self.operation, keep=lambda key: key != "user")

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        body = reply.body if isinstance(reply.body, dict) else {}
        found = body.get("usage")
        usage: dict[str, Any] = found if isinstance(found, dict) else {}
        tokens = int(usage.get("input_tokens") or usage.get("prompt_tokens") or 0)
        reply.body = {
            "object": "list",
            "data": [without_gateway_keys(item) for item in body.get("data") or []],
            "model": native.field("model"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        reply.headers = rate_limit_headers(native.generation_id)
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return openai_error(reply, native, native.generation_id if native is not None else "")


class OpenAIResponses(OneOperation):
    name = "openai-responses"

    def __init__(self, contract: ContractIndex, names: ModelNames):
        self.operation = contract.operations["createResponse"]
        self.names = names

    def inbound(self, request: MockRequest) -> MockRequest:
        return self.names.request(request, self.operation)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        ids = NativeIds(native.generation_id, native_hex(native.generation_id))
        model = native.field("model")
        if reply.stream is not None:
            reply.stream = mapped_stream(reply.stream, ResponseFrames(ids, model))
        elif isinstance(reply.body, dict):
            reply.body = native_response(ids.replaced(reply.body), model)
        reply.headers = rate_limit_headers(native.generation_id)
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return openai_error(reply, native, native.generation_id if native is not None else "")


@dataclasses.dataclass(frozen=True)
class NativeIds:
    """The gateway's generation id, and what stands for it in native ids."""

    generation_id: str
    native: str

    def replaced(self, value: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        replaced: dict[str, Any] = json.loads(text.replace(self.generation_id, self.native))
        return replaced


def native_response(response: dict[str, Any], model: Any) -> dict[str, Any]:
    out = without_gateway_keys(response)
    out["id"] = "resp_" + str(out.get("id") or "")
    if model is not None:
        out["model"] = model
    if "usage" in out:
        out["usage"] = native_usage(out["usage"])
    return out


class ResponseFrames:
    def __init__(self, ids: NativeIds, model: Any):
        self.ids = ids
        self.model = model

    def frame(self, frame: Frame) -> bytes:
        if frame.data is None:
            return b""
        data = self.ids.replaced(frame.data)
        if isinstance(data.get("response"), dict):
            data["response"] = native_response(data["response"], self.model)
        return data_frame(data, frame.event)

    def close(self) -> bytes:
        return b""
