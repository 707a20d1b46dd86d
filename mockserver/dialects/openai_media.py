"""OpenAI's moderations, images, audio and videos routes as dialects of the gateway's.

These answers differ from the gateway's only by what the gateway adds: its ``requestId``,
``provider``, ``meta``, ``nativeResponseId`` and the pricing in ``usage``. A video job is
OpenAI's own video object (the gateway keeps it whole under ``result``). Binary answers
(speech audio, video content) pass unchanged; errors are OpenAI's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.contract import ContractIndex
from mockserver.dialects.base import OneOperation
from mockserver.dialects.native import ModelNames, native_id, native_usage, without_gateway_keys
from mockserver.dialects.openai_errors import openai_error, rate_limit_headers
from mockserver.model import MockReply, MockRequest

Reshape = Callable[[dict[str, Any], MockRequest], dict[str, Any]]


class OpenAIMedia(OneOperation):
    def __init__(self, contract: ContractIndex, names: ModelNames, name: str, operation_id: str, reshape: Reshape):
        self.name = name
        self.operation = contract.operations[operation_id]
        self.names = names
        self.reshape = reshape

    def inbound(self, request: MockRequest) -> MockRequest:
        return self.names.request(request, self.operation)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        if isinstance(reply.body, dict) and reply.content is None:
            reply.body = self.reshape(reply.body, native)
        kept = {name: value for name, value in reply.headers.items() if not name.lower().startswith("x-gateway")}
        reply.headers = {**kept, **rate_limit_headers(native.generation_id)}
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return openai_error(reply, native, native.generation_id if native is not None else "")


def moderation(body: dict[str, Any], native: MockRequest) -> dict[str, Any]:
    model = native.field("model") or body.get("model")
    return {"id": native_id("modr-", native.generation_id, 24), "model": model, "results": body.get("results", [])}


def plain(body: dict[str, Any], native: MockRequest) -> dict[str, Any]:
    """The body without the gateway's keys and ids, its usage without pricing."""
    out = {key: value for key, value in without_gateway_keys(body).items() if key not in ("id", "object", "model")}
    if "usage" in out:
        out["usage"] = native_usage(out["usage"])
    return out


def video(body: dict[str, Any], native: MockRequest) -> dict[str, Any]:
    """OpenAI's video object: the upstream job the gateway keeps in ``result``, else its own keys."""
    job = body.get("result")
    if isinstance(job, dict) and job.get("object") == "video":
        return job
    return {key: value for key, value in without_gateway_keys(body).items() if key not in ("output", "result", "usage")}


def unchanged(body: dict[str, Any], native: MockRequest) -> dict[str, Any]:
    return body


#: dialect name → (gateway operationId, answer mapping)
MEDIA_DIALECTS: dict[str, tuple[str, Reshape]] = {
    "openai-moderations": ("createModeration", moderation),
    "openai-images": ("createImage", plain),
    "openai-speech": ("createSpeech", unchanged),
    "openai-transcriptions": ("createTranscription", plain),
    "openai-translations": ("createTranslation", plain),
    "openai-videos": ("createVideo", video),
    "openai-video": ("getVideo", video),
    "openai-video-content": ("getVideoContent", unchanged),
}


def media_dialect(name: str) -> Callable[[ContractIndex, ModelNames], OpenAIMedia]:
    operation_id, reshape = MEDIA_DIALECTS[name]

    def build(contract: ContractIndex, names: ModelNames) -> OpenAIMedia:
        return OpenAIMedia(contract, names, name, operation_id, reshape)

    return build
