"""The gateway failures a scenario can ask for, each shaped as GATEWAY-BEHAVIOUR §2–3 says.

Every builder returns the :class:`GatewayFailure` the real gateway would raise; the
dispatcher renders it in the route family's envelope. Failures the gateway decides itself
(credit, key limits, every provider failed) use envelope A with ``error_type``; a
provider's own non-2xx answer passes through as envelope B (``passthrough=True``: same
status, no ``error_type``, attribution ``upstream`` for 5xx and 429).
"""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.errors import GatewayFailure

ALL_PROVIDERS_FAILED = "All provider candidates failed. Inspect failure_sample for upstream diagnostics."

#: The reasons the context RPC gives when a key limit is reached (§2).
KEY_LIMIT_REASONS = ("key_limit_soft_blocked",) + tuple(
    f"{period}_{kind}_limit_reached" for period in ("daily", "weekly", "monthly") for kind in ("request", "cost")
)

#: What a provider's own 5xx looks like once the gateway has passed it through: the
#: ``error`` is the upstream's error code or type, the description its message.
UPSTREAM_5XX = {
    500: ("server_error", "The server had an error while processing your request. Sorry about that!"),
    502: ("bad_gateway", "Bad gateway."),
    503: ("service_unavailable", "The engine is currently overloaded, please try again later."),
    504: ("timeout", "Request timed out."),
}
UPSTREAM_RATE_LIMIT = ("rate_limit_exceeded", "Rate limit reached for requests per min (RPM). Please try again in 1s.")


class ScenarioParamError(ValueError):
    """A scenario parameter the mock cannot honour (bad status, unknown reason...)."""


def insufficient_credit(params: Mapping[str, str]) -> GatewayFailure:
    reason = params.get("reason", "insufficient_funds")
    if reason not in ("insufficient_funds", "wallet_missing"):
        raise ScenarioParamError("insufficient_credit reason must be insufficient_funds or wallet_missing")
    return GatewayFailure(402, "insufficient_funds", reason)


def key_limit(params: Mapping[str, str]) -> GatewayFailure:
    reason = params.get("reason", "daily_request_limit_reached")
    if reason not in KEY_LIMIT_REASONS:
        raise ScenarioParamError(f"key_limit reason must be one of {', '.join(KEY_LIMIT_REASONS)}")
    return GatewayFailure(429, "key_limit_exceeded", reason)


def upstream_rate_limited(params: Mapping[str, str]) -> GatewayFailure:
    code, message = UPSTREAM_RATE_LIMIT
    return GatewayFailure(429, params.get("error", code), params.get("message", message), passthrough=True)


def upstream_error(params: Mapping[str, str]) -> GatewayFailure:
    status = _status(params, default=500, allowed=tuple(UPSTREAM_5XX))
    code, message = UPSTREAM_5XX[status]
    return GatewayFailure(status, params.get("error", code), params.get("message", message), passthrough=True)


def all_providers_failed(params: Mapping[str, str]) -> GatewayFailure:
    return GatewayFailure(502, "upstream_error", ALL_PROVIDERS_FAILED)


def upstream_timeout(params: Mapping[str, str]) -> GatewayFailure:
    code, message = UPSTREAM_5XX[504]
    return GatewayFailure(504, params.get("error", code), params.get("message", message), passthrough=True)


#: Failures by HTTP status, for rules that name a ``status`` instead of a scenario.
_BY_STATUS = {402: insufficient_credit, 429: key_limit, 502: all_providers_failed, 504: upstream_timeout}


def failure_for_status(status: int, family: str) -> GatewayFailure:
    """The failure a rule's bare ``status: NNN`` stands for, in the gateway's own codes."""
    if family == "inference":
        if status in _BY_STATUS:
            return _BY_STATUS[status]({})
        if status in UPSTREAM_5XX:
            return upstream_error({"status": str(status)})
        if status == 401:
            return GatewayFailure(401, "unauthorised", "key_invalid", reason="key_invalid")
        return GatewayFailure(status, _generic_code(status), passthrough=True)
    return GatewayFailure(status, _generic_code(status), reason=_generic_code(status))


def _generic_code(status: int) -> str:
    return {
        400: "invalid_request",
        401: "unauthorised",
        402: "insufficient_funds",
        403: "forbidden",
        404: "not_found",
        409: "not_ready",
        429: "key_limit_exceeded",
        500: "gateway_error",
        501: "not_implemented",
        502: "upstream_error",
    }.get(status, "gateway_error" if status >= 500 else "invalid_request")


def _status(params: Mapping[str, str], *, default: int, allowed: tuple[int, ...]) -> int:
    text = params.get("status")
    if text is None:
        return default
    if not str(text).isdigit() or len(str(text)) > 3 or int(text) not in allowed:
        raise ScenarioParamError(f"status must be one of {', '.join(map(str, allowed))}, not {text!r}")
    return int(text)
