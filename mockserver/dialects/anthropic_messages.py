"""Anthropic's ``POST /v1/messages`` as a dialect of the gateway's ``createAnthropicMessage``.

In: the keys Anthropic and the gateway share (the gateway refuses others). Out: ``msg_…``
ids, the requested model, Anthropic's usage (no pricing, no totals), ``request-id`` and
``anthropic-ratelimit-*`` headers; streams keep all seven event types and their pacing.
Errors: ``{"type":"error","error":{type,message}}``; an overloaded provider (the gateway's
503) is Anthropic's ``529 overloaded_error``, no credit its 400 "credit balance is too low".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mockserver.contract import ContractIndex
from mockserver.dialects.base import OneOperation
from mockserver.dialects.frames import Frame, data_frame, mapped_stream
from mockserver.dialects.native import (
    RETRY_AFTER_SECONDS,
    GatewayError,
    ModelNames,
    error_reply,
    native_id,
    native_usage,
    read_error,
    without_gateway_keys,
)
from mockserver.model import MockReply, MockRequest

GATEWAY_OPERATION = "createAnthropicMessage"
#: The request keys the gateway's messages surface allows (GATEWAY-BEHAVIOUR §5).
ALLOWED_KEYS = (
    "model",
    "messages",
    "system",
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "stream",
    "tools",
    "tool_choice",
    "metadata",
    "service_tier",
    "stop_sequences",
    "thinking",
)
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "service_tier")
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}
LIMITS = {"requests": 4_000, "tokens": 2_000_000, "input-tokens": 1_600_000, "output-tokens": 400_000}


class AnthropicMessages(OneOperation):
    name = "anthropic-messages"

    def __init__(self, contract: ContractIndex, names: ModelNames):
        self.operation = contract.operations[GATEWAY_OPERATION]
        self.names = names

    def inbound(self, request: MockRequest) -> MockRequest:
        return self.names.request(request, self.operation, keep=ALLOWED_KEYS.__contains__)

    def outbound(self, native: MockRequest, reply: MockReply) -> MockReply:
        if not 200 <= reply.status < 300:
            return self.error(reply, native)
        message_id = native_id("msg_01", native.generation_id, 22)
        model = str(native.field("model") or "")
        if reply.stream is not None:
            reply.stream = mapped_stream(reply.stream, MessageFrames(message_id, model))
        elif isinstance(reply.body, dict):
            reply.body = {**without_gateway_keys(reply.body), "id": message_id, "model": model}
            reply.body["usage"] = anthropic_usage(reply.body.get("usage"))
        reply.headers = ratelimit_headers(native.generation_id)
        return reply

    def error(self, reply: MockReply, native: MockRequest | None = None) -> MockReply:
        error = read_error(reply)
        status, kind, message = _shape(error, native)
        headers = ratelimit_headers(native.generation_id if native is not None else "", exhausted=status == 429)
        if status in (429, 529):
            headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        body = {"type": "error", "error": {"type": kind, "message": message}}
        return error_reply(status, body, headers, reply)


def _shape(error: GatewayError, native: MockRequest | None) -> tuple[int, str, str]:
    if error.code == "unsupported_model_or_endpoint":
        model = native.field("model") if native is not None else None
        return 404, "not_found_error", f"model: {model}"
    if error.status == 401:
        missing = native is None or not native.header("x-api-key")
        return 401, "authentication_error", "x-api-key header is required" if missing else "invalid x-api-key"
    if error.status == 402:
        return 400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."
    if error.status == 503:
        return 529, "overloaded_error", "Overloaded"
    if error.status >= 500:
        return error.status, "api_error", error.message
    return error.status, ERROR_TYPES.get(error.status, "invalid_request_error"), error.message


def anthropic_usage(usage: Any) -> dict[str, Any]:
    out = native_usage(usage, USAGE_KEYS)
    for key in ("cache_creation_input_tokens", "cache_read_input_tokens"):
        out[key] = out.get(key) or 0
    return out


def ratelimit_headers(generation_id: str, *, exhausted: bool = False) -> dict[str, str]:
    """``request-id`` and ``anthropic-ratelimit-*`` as Anthropic sends them (nothing left on a 429)."""
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=RETRY_AFTER_SECONDS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"request-id": native_id("req_01", generation_id, 22, "request")}
    for name, limit in LIMITS.items():
        headers[f"anthropic-ratelimit-{name}-limit"] = str(limit)
        headers[f"anthropic-ratelimit-{name}-remaining"] = "0" if exhausted else str(limit - 1)
        headers[f"anthropic-ratelimit-{name}-reset"] = reset
    return headers


class MessageFrames:
    """Maps the gateway's messages stream (already Anthropic's seven event types) frame by frame."""

    def __init__(self, message_id: str, model: str):
        self.message_id = message_id
        self.model = model

    def frame(self, frame: Frame) -> bytes:
        data = frame.data
        if data is None:
            return b""
        kind = data.get("type")
        if kind == "message_start" and isinstance(data.get("message"), dict):
            message = {**without_gateway_keys(data["message"]), "id": self.message_id, "model": self.model}
            message["usage"] = anthropic_usage(message.get("usage"))
            data = {**data, "message": message}
        elif kind == "message_delta" and "usage" in data:
            data = {**data, "usage": native_usage(data["usage"], USAGE_KEYS)}
        return data_frame(data, frame.event or str(kind))

    def close(self) -> bytes:
        return b""
