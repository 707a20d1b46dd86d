"""Google AI Studio's ``generateContent`` / ``streamGenerateContent?alt=sse`` and
``embedContent`` / ``batchEmbedContents`` as dialects of the gateway's chat and
embeddings operations.

Out: ``candidates[].content.parts`` (``text``, ``functionCall`` with ``args`` as an
object), ``finishReason`` (``STOP``, ``MAX_TOKENS``, ``SAFETY``), ``usageMetadata``,
``modelVersion`` and ``responseId``. A stream sends one frame per text delta and a last
frame with the function calls, the finish reason and the usage; Google sends no ``[DONE]``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mockserver.contract import ContractIndex
from mockserver.dialects.base import OneOperation
from mockserver.dialects.frames import Frame, data_frame, mapped_stream
from mockserver.dialects.google_errors import google_error
from mockserver.dialects.google_request import camel_keys, chat_body
from mockserver.dialects.native import ModelNames, native_id
from mockserver.model import MockReply, MockRequest

FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP", "content_filter": "SAFETY"}


class GoogleGenerate(OneOperation):
    def __init__(self, contract: ContractIndex, names: ModelNames, stream: bool = False):
        self.name = "google-stream-generate" if stream else "google-generate"
        self.operation = contract.operations["createChatCompletion"]
        self.names = names
        self.stream = stream

    def inbound(self, request: MockRequest) -> MockRequest:
        body = request.body if isinstance(request.body, dict) else {}
        model = self.names.gateway(request.path_params.get("model", ""))
        return dataclasses.replace(request, operation=self.operation, body=chat_body(body, model, stream=self.stream))

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        answer = Answer(native.path_params.get("model", ""), native_id("", native.generation_id, 22))
        if reply.stream is not None:
            reply.stream = mapped_stream(reply.stream, StreamFrames(answer))
        elif isinstance(reply.body, dict):
            choice = (reply.body.get("choices") or [{}])[0]
            message = choice.get("message") or {}
            parts = text_parts(message.get("content")) + call_parts(message.get("tool_calls"))
            reply.body = answer.body(parts, choice.get("finish_reason"), reply.body.get("usage"))
        reply.headers = {}
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return google_error(reply, native)


@dataclasses.dataclass
class Answer:
    model: str
    response_id: str

    def body(self, parts: list[dict[str, Any]], finish: Any, usage: Any) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish is not None:
            candidate["finishReason"] = FINISH_REASONS.get(str(finish), "OTHER")
        out: dict[str, Any] = {"candidates": [candidate]}
        if isinstance(usage, dict):
            out["usageMetadata"] = usage_metadata(usage)
        out.update(modelVersion=self.model, responseId=self.response_id)
        return out


def text_parts(content: Any) -> list[dict[str, Any]]:
    return [{"text": content}] if isinstance(content, str) and content else []


def call_parts(calls: Any) -> list[dict[str, Any]]:
    parts = []
    for call in calls if isinstance(calls, list) else []:
        function = call.get("function") or {}
        try:
            args = json.loads(function.get("arguments") or "{}")
        except ValueError:
            args = {}
        parts.append({"functionCall": {"name": function.get("name", ""), "args": args}})
    return parts


def usage_metadata(usage: dict[str, Any]) -> dict[str, Any]:
    prompt, output = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    details = usage.get("completion_tokens_details") or {}
    thoughts = int(details.get("reasoning_tokens") or 0) if isinstance(details, dict) else 0
    out = {"promptTokenCount": prompt, "candidatesTokenCount": output - thoughts, "totalTokenCount": prompt + output}
    if thoughts:
        out["thoughtsTokenCount"] = thoughts
    return out


class StreamFrames:
    """Chat chunks → Google stream frames: text deltas at once, the rest in the last frame."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.calls: dict[int, dict[str, Any]] = {}
        self.finish: Any = None
        self.done = False

    def frame(self, frame: Frame) -> bytes:
        data = frame.data
        if data is None or self.done:
            return b""
        if data.get("object") == "error":
            self.done = True
            error = {"code": 500, "message": data.get("message") or "stream_error", "status": "INTERNAL"}
            return data_frame({"error": error})
        if data.get("object") == "chat.completion":
            choice = (data.get("choices") or [{}])[0]
            calls = (choice.get("message") or {}).get("tool_calls")
            return self._last(call_parts(calls), choice.get("finish_reason"), data.get("usage"))
        for choice in data.get("choices") or []:
            self._note(choice)
        if data.get("usage") is not None and not data.get("choices"):
            return self._last(call_parts(list(self.calls.values())), self.finish, data["usage"])
        text = "".join(str((choice.get("delta") or {}).get("content") or "") for choice in data.get("choices") or [])
        return data_frame(self.answer.body([{"text": text}], None, None)) if text else b""

    def _note(self, choice: dict[str, Any]) -> None:
        self.finish = choice.get("finish_reason") or self.finish
        for delta in (choice.get("delta") or {}).get("tool_calls") or []:
            call = self.calls.setdefault(int(delta.get("index", 0)), {"function": {"name": "", "arguments": ""}})
            function = delta.get("function") or {}
            call["function"]["name"] += function.get("name") or ""
            call["function"]["arguments"] += function.get("arguments") or ""

    def _last(self, parts: list[dict[str, Any]], finish: Any, usage: Any) -> bytes:
        self.done = True
        return data_frame(self.answer.body(parts, finish or "stop", usage))

    def close(self) -> bytes:
        if self.done:
            return b""
        return self._last(call_parts(list(self.calls.values())), self.finish, None)


class GoogleEmbed(OneOperation):
    """``embedContent`` (one text) and ``batchEmbedContents`` (``requests[]``) → ``createEmbedding``."""

    def __init__(self, contract: ContractIndex, names: ModelNames, batch: bool = False):
        self.name = "google-batch-embed" if batch else "google-embed"
        self.operation = contract.operations["createEmbedding"]
        self.names = names
        self.batch = batch

    def inbound(self, request: MockRequest) -> MockRequest:
        body = camel_keys(request.body) if isinstance(request.body, dict) else {}
        items = body.get("requests") if self.batch else [body]
        items = [item for item in items or [] if isinstance(item, dict)]
        texts = ["".join(str(p.get("text", "")) for p in _parts(item.get("content"))) for item in items]
        out: dict[str, Any] = {
            "model": request.path_params.get("model", ""),
            "input": texts if self.batch else texts[0],
        }
        dimensions = next((item["outputDimensionality"] for item in items if "outputDimensionality" in item), None)
        if dimensions is not None:
            out["dimensions"] = dimensions
        return dataclasses.replace(request, operation=self.operation, body=out)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        data = reply.body.get("data") if isinstance(reply.body, dict) else None
        vectors = [{"values": item.get("embedding")} for item in data or []]
        reply.body = {"embeddings": vectors} if self.batch else {"embedding": vectors[0] if vectors else {}}
        reply.headers = {}
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        return google_error(reply, native)


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part for part in parts or [] if isinstance(part, dict)]
