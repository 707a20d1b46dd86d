"""The audit record of one generation, as ``GET /generations?id=`` returns it (§9).

Built from what the generator left in ``reply.summary`` (model, provider, usage,
pricing, timings), falling back to the reply body, or from the failure that ended the
request. Usage is stored by meter name (``input_text_tokens`` ...), without pricing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from mockserver.auth import DEFAULT_TEAM
from mockserver.engines.text.routing import resolve_model
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply

LOCATION = "MOCK"
_TOKEN_METERS = (
    ("input_tokens", "input_text_tokens"),
    ("prompt_tokens", "input_text_tokens"),
    ("output_tokens", "output_text_tokens"),
    ("completion_tokens", "output_text_tokens"),
)


def endpoint_name(operation: Any) -> str:
    """``/chat/completions`` → ``chat.completions``; aliases name their canonical route."""
    path = operation.path
    alias = operation.extension("alias-of")
    if alias and "generations" in path:
        path = path.replace("/video/generations", "/videos").replace("/music/generations", "/music/generate")
    parts = [part for part in path.strip("/").split("/") if part and not part.startswith("{")]
    return ".".join(parts) or "unknown"


def find_pricing(body: Any) -> dict[str, Any] | None:
    usage = body.get("usage") if isinstance(body, dict) else None
    if isinstance(usage, dict):
        for name in ("pricing", "pricing_breakdown"):
            if isinstance(usage.get(name), dict) and "total_nanos" in usage[name]:
                return usage[name]
    return None


def meters(usage: Any, pricing: dict[str, Any] | None) -> dict[str, float]:
    counts: dict[str, float] = {}
    if isinstance(usage, dict):
        for source, meter in _TOKEN_METERS:
            if isinstance(usage.get(source), int | float) and not isinstance(usage.get(source), bool):
                counts.setdefault(meter, usage[source])
        if isinstance(usage.get("total_tokens"), int):
            counts["total_tokens"] = usage["total_tokens"]
    for line in (pricing or {}).get("lines", []):
        counts[line["dimension"]] = line["quantity"]
    return {name: value for name, value in counts.items() if value >= 0}


def _finish_reason(summary: dict[str, Any], body: Any) -> str | None:
    if summary.get("finish_reason"):
        return summary["finish_reason"]
    if isinstance(body, dict):
        choices = body.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            return choices[0].get("finish_reason")
        return body.get("stop_reason")
    return None


def _base(ctx, now_ms: int, status: int) -> dict[str, Any]:
    request = ctx.request
    key = request.key
    stamp = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC).isoformat(timespec="milliseconds")
    model = request.field("model")
    return {
        "request_id": request.generation_id,
        "team_id": getattr(key, "team_id", None) or DEFAULT_TEAM,
        "app_id": None,
        "endpoint": endpoint_name(request.operation),
        "model_id": model if isinstance(model, str) else None,
        "provider": None,
        "native_response_id": None,
        "stream": bool(request.field("stream", False) is True),
        "byok": False,
        "status_code": status,
        "success": 200 <= status < 400,
        "error_code": None,
        "error_message": None,
        "latency_ms": None,
        "generation_ms": None,
        "usage": {},
        "cost_nanos": 0,
        "currency": None,
        "pricing_lines": [],
        "key_id": getattr(key, "key_id", None),
        "throughput": None,
        "finish_reason": None,
        "location": LOCATION,
        "created_at": stamp.replace("+00:00", "Z"),
    }


def success_record(ctx, reply: MockReply, now_ms: int) -> dict[str, Any]:
    summary, body = reply.summary or {}, reply.body
    record = _base(ctx, now_ms, reply.status)
    pricing = summary.get("pricing") or find_pricing(body)
    meta = summary.get("meta") or (body.get("meta") if isinstance(body, dict) else None) or {}
    usage = summary.get("usage") or (body.get("usage") if isinstance(body, dict) else None)
    body_dict = body if isinstance(body, dict) else {}
    record.update(
        model_id=summary.get("model") or body_dict.get("model") or record["model_id"],
        provider=summary.get("provider") or body_dict.get("provider"),
        native_response_id=body_dict.get("nativeResponseId"),
        stream=bool(summary.get("stream", reply.stream is not None)),
        latency_ms=meta.get("latency_ms"),
        generation_ms=meta.get("generation_ms"),
        throughput=meta.get("throughput_tps"),
        usage=meters(usage, pricing),
        finish_reason=_finish_reason(summary, body),
    )
    if pricing:
        record.update(
            cost_nanos=int(pricing["total_nanos"]),
            currency=pricing.get("currency", "USD"),
            pricing_lines=list(pricing.get("lines", [])),
        )
    return record


def failure_record(ctx, failure: GatewayFailure, now_ms: int) -> dict[str, Any]:
    record = _base(ctx, now_ms, failure.status)
    code = re.sub(r"\s+", "_", failure.code)
    record.update(success=False, error_code=f"{failure.attribution}:{code}", error_message=failure.description)
    if failure.attribution == "upstream":
        record.update(_routed(ctx))
    return record


def _routed(ctx) -> dict[str, Any]:
    """The model and provider a request that failed upstream was routed to (none when the
    model is unknown), so that provider health and derank figures count the failure."""
    try:
        route = resolve_model(ctx)
    except GatewayFailure:
        return {}
    return {"model_id": route.model_id, "provider": route.provider}
