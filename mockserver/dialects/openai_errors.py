"""OpenAI's error body and rate-limit headers (also the OpenAI-compatible hosts')."""

from __future__ import annotations

from typing import Any

from mockserver.dialects.native import RETRY_AFTER_SECONDS, GatewayError, error_reply, native_id, read_error
from mockserver.model import MockReply, MockRequest

REQUEST_LIMIT, TOKEN_LIMIT = 10_000, 2_000_000
#: Gateway statuses OpenAI answers with another status: no credit is OpenAI's 429 insufficient_quota.
STATUS = {402: 429, 403: 403}
TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
}
MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)


def rate_limit_headers(generation_id: str, *, exhausted: bool = False) -> dict[str, str]:
    """``x-ratelimit-*`` as OpenAI sends them on every answer (nothing left on a 429)."""
    return {
        "x-request-id": native_id("req_", generation_id, 32, "request"),
        "x-ratelimit-limit-requests": str(REQUEST_LIMIT),
        "x-ratelimit-limit-tokens": str(TOKEN_LIMIT),
        "x-ratelimit-remaining-requests": "0" if exhausted else str(REQUEST_LIMIT - 1),
        "x-ratelimit-remaining-tokens": "0" if exhausted else str(TOKEN_LIMIT - 1_000),
        "x-ratelimit-reset-requests": f"{RETRY_AFTER_SECONDS}s" if exhausted else "6ms",
        "x-ratelimit-reset-tokens": f"{RETRY_AFTER_SECONDS}s" if exhausted else "30ms",
    }


def openai_error(reply: MockReply, native: MockRequest | None, generation_id: str) -> MockReply:
    """The gateway's error ``reply`` as OpenAI answers it: ``{"error":{message,type,param,code}}``."""
    error = read_error(reply)
    status, body = _shape(error, native)
    headers = rate_limit_headers(generation_id, exhausted=status == 429)
    if status == 429:
        headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return error_reply(status, {"error": body}, headers, reply)


def _shape(error: GatewayError, native: MockRequest | None) -> tuple[int, dict[str, Any]]:
    model = native.field("model") if native is not None else None
    if error.code == "unsupported_model_or_endpoint":
        message = f"The model `{model}` does not exist or you do not have access to it."
        return 404, _body(message, "invalid_request_error", None, "model_not_found")
    if error.status == 401:
        missing = native is None or not native.header("authorization")
        message = MISSING_KEY if missing else "Incorrect API key provided."
        return 401, _body(message, "invalid_request_error", None, None if missing else "invalid_api_key")
    if error.status == 402:
        message = "You exceeded your current quota, please check your plan and billing details."
        return 429, _body(message, "insufficient_quota", None, "insufficient_quota")
    if error.status == 429:
        return 429, _body(error.message, "requests", None, "rate_limit_exceeded")
    if error.status >= 500:
        return error.status, _body(error.message, "server_error", None, error.code)
    kind = TYPES.get(error.status, "invalid_request_error")
    code = None if error.code in ("validation_error", "invalid_request") else error.code
    return STATUS.get(error.status, error.status), _body(error.message, kind, error.field, code)


def _body(message: str, kind: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"message": message, "type": kind, "param": param, "code": code}
