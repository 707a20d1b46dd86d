"""Every error body is the envelope of its route family (GATEWAY-BEHAVIOUR §2).

The oracle is the mock's own renderer: a probe failure rendered for the operation's
family and the answer's status says which envelope the gateway uses there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import schemathesis

from conformance.checks._support import fail, header, is_probe, json_body, register
from conformance.context import context_for
from mockserver.encoding.envelopes import render_failure
from mockserver.errors import GatewayFailure

register("error_envelope_matches_family", "every 4xx/5xx body is the error envelope of its route family")

GENERATION_ID = re.compile(r"^G-[0-9A-HJKMNP-TV-Z]{26}$")
#: Designed answers that are not failures of the family envelope: placeholders, the WebSocket route.
_OWN_SHAPES = {501, 426}
_OWN_CODES = {"normalization_failed"}


def envelope_kind(body: Any) -> str:
    if not isinstance(body, dict):
        return "not a JSON object"
    if "generation_id" in body and "status_code" in body:
        return "gateway"
    if body.get("ok") is False:
        return "ok_false"
    if isinstance(body.get("error"), str):
        return "raw"
    return "unknown"


@lru_cache(maxsize=64)
def expected_envelope(family: str, status: int, dialect: str | None = None) -> tuple[str, frozenset[str]]:
    """The envelope kind and always-present keys the gateway uses for ``status`` on ``family``
    (in an older contract's ``dialect`` when the spec names one)."""
    probe = GatewayFailure(status, "probe_error", "probe", reason="probe" if status == 401 else None)
    body = render_failure(probe, family, "G-00000000000000000000000000", dialect).body
    kind = envelope_kind(body)
    if kind == "gateway":
        required = {"generation_id", "status_code", "error", "description"}
    elif status == 401:
        required = {"error", "reason"} | ({"request_id"} & set(body))
    else:
        required = {"error"}
    return kind, frozenset(required)


@schemathesis.check
def error_envelope_matches_family(ctx, response, case):
    if is_probe(case):
        return None
    status = response.status_code
    if status < 400 or status in _OWN_SHAPES:
        return None
    operation = context_for(case).operation(case)
    if operation is None or case.method.upper() != operation.method:
        # Unexpected-method probes meet the router's plain 404, not an operation's envelope.
        return None
    body = json_body(response)
    # OpenAI's and LiteLLM's error body has an object under "error": judged below, never a crash.
    if isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"] in _OWN_CODES:
        return None
    dialect = context_for(case).index.dialect
    kind, required = expected_envelope(operation.family, status, dialect)
    actual = envelope_kind(body)
    title = f"{status} is not the {operation.family} family's error envelope"
    if actual != kind:
        raise fail(
            "error_envelope_matches_family",
            case,
            title,
            f"{kind} envelope with keys {sorted(required)}",
            f"{actual}: {_excerpt(body, response)}",
        )
    missing = sorted(key for key in required if key not in body)
    if missing:
        raise fail("error_envelope_matches_family", case, title, f"keys {sorted(required)}", f"missing {missing}")
    if kind == "gateway":
        _check_gateway(case, response, body, title, attribution=_sends_attribution(operation.family, status, dialect))
    return None


@lru_cache(maxsize=64)
def _sends_attribution(family: str, status: int, dialect: str | None) -> bool:
    probe = GatewayFailure(status, "probe_error", "probe")
    headers = render_failure(probe, family, "G-00000000000000000000000000", dialect).headers
    return any(name.lower() == "x-gateway-error-attribution" for name in headers)


def _check_gateway(case: Any, response: Any, body: dict[str, Any], title: str, *, attribution: bool) -> None:
    check = "error_envelope_matches_family"
    if body.get("status_code") != response.status_code:
        raise fail(
            check,
            case,
            title,
            f"status_code {response.status_code}",
            f"status_code {body.get('status_code')}",
        )
    if not isinstance(body.get("generation_id"), str) or not GENERATION_ID.match(body["generation_id"]):
        raise fail(check, case, title, "generation_id G-<26-char ULID>", repr(body.get("generation_id")))
    if "error_type" in body and body["error_type"] not in ("user", "system"):
        raise fail(check, case, title, "error_type user|system", repr(body["error_type"]))
    sent = header(response, "X-Gateway-Error-Attribution")
    if attribution and sent not in ("user", "upstream"):
        raise fail(check, case, title, "header X-Gateway-Error-Attribution: user|upstream", repr(sent))


def _excerpt(body: Any, response: Any) -> str:
    if body is not None:
        return str(body)[:200]
    return (response.content or b"")[:200].decode("utf-8", errors="replace")
