"""Google's error body ``{"error":{code,message,status}}`` with its canonical status names."""

from __future__ import annotations

from mockserver.dialects.native import RETRY_AFTER_SECONDS, error_reply, read_error
from mockserver.model import MockReply, MockRequest

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)


def google_error(reply: MockReply, native: MockRequest | None) -> MockReply:
    error = read_error(reply)
    status, message = error.status, error.message
    if error.code == "unsupported_model_or_endpoint":
        model = native.path_params.get("model") if native is not None else None
        status, message = 404, f"models/{model} is not found for API version v1beta, or is not supported."
    elif status == 401:
        status, message = 403, MISSING_KEY
    elif status == 402:
        status, message = 429, "You exceeded your current quota, please check your plan and billing details."
    elif status == 400 and error.problems:
        message = "Invalid JSON payload received. " + message
    headers = {"retry-after": str(RETRY_AFTER_SECONDS)} if status == 429 else {}
    body = {"error": {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}}
    return error_reply(status, body, headers, reply)
