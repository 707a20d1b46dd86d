"""Usage, pricing and meta: the numbers a gateway bills by must add up (GATEWAY-BEHAVIOUR §4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import schemathesis

from conformance import sse
from conformance.checks._support import fail, is_probe, is_stream, json_body, register
from conformance.context import context_for
from mockserver.enrichment.pricing import pricing_problems

PRICING_KEYS = ("pricing", "pricing_breakdown")
_SUM_WORDS = ("lines sum", "line_nanos", "cannot be recomputed")
_PAIRS = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))

register("usage_present", "a billed success answer carries `usage` wherever the contract declares it")
register("usage_totals_consistent", "`total_tokens` equals the sum of its parts; cached tokens fit in the input")
register(
    "pricing_lines_sum_to_total",
    "pricing lines recompute from quantity × unit price and sum to `total_nanos`",
)
register("pricing_forms_agree", "`total_usd_str`, `total_cents` and `line_cost_usd` state the same nanos")
register("meta_consistent", "`meta` timings agree: latency = generation on plain answers, throughput = tokens/s")


def bodies(response: Any) -> Iterator[Any]:
    """The JSON documents of an answer: the body, or each JSON frame of a stream."""
    if is_stream(response):
        for _, frame in sse.parse(response.content or b"").json_frames():
            yield frame
        return
    body = json_body(response)
    if body is not None:
        yield body


def usages(node: Any) -> Iterator[dict[str, Any]]:
    """Every ``usage`` object inside a JSON document (top level, ``response.usage``, ``message.usage``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "usage" and isinstance(value, dict):
                yield value
            elif isinstance(value, (dict, list)):
                yield from usages(value)
    elif isinstance(node, list):
        for item in node:
            yield from usages(item)


def pricings(node: Any) -> Iterator[dict[str, Any]]:
    for usage in usages(node):
        for key in PRICING_KEYS:
            if isinstance(usage.get(key), dict):
                yield usage[key]


def _success(response: Any) -> bool:
    return 200 <= response.status_code < 300


@schemathesis.check
def usage_present(ctx, response, case):
    if is_probe(case):
        return None
    if not _success(response) or is_stream(response):
        return None
    context = context_for(case)
    operation = context.operation(case)
    body = json_body(response)
    if operation is None or not operation.priced or not isinstance(body, dict):
        return None
    doc = operation.response(response.status_code)
    media = doc.media_types.get("application/json") if doc else None
    schema = _resolve(context.spec, media.schema) if media and media.schema else None
    promised = isinstance(schema, dict) and "usage" in schema.get("required", [])
    if promised and not isinstance(body.get("usage"), dict):
        raise fail(
            "usage_present",
            case,
            "Billed answer without usage",
            "an object under `usage`",
            f"keys {sorted(body)}",
        )
    return None


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    from mockserver.contract import resolve_ref

    schema = resolve_ref(spec, schema)
    if isinstance(schema, dict) and "allOf" in schema:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            resolved = _resolve(spec, part)
            merged["properties"].update(resolved.get("properties", {}))
            merged["required"] += resolved.get("required", [])
        return merged
    return schema


@schemathesis.check
def usage_totals_consistent(ctx, response, case):
    if is_probe(case):
        return None
    if not _success(response):
        return None
    for body in bodies(response):
        for usage in usages(body):
            problem = _totals_problem(usage)
            if problem:
                raise fail("usage_totals_consistent", case, "Usage totals do not add up", problem[0], problem[1])
    return None


def _totals_problem(usage: dict[str, Any]) -> tuple[str, str] | None:
    for first, second in _PAIRS:
        a, b, total = usage.get(first), usage.get(second), usage.get("total_tokens")
        if isinstance(a, int) and isinstance(b, int) and isinstance(total, int) and a + b != total:
            return (f"total_tokens = {first} + {second} = {a + b}", f"total_tokens = {total}")
        if isinstance(a, int):
            for details in ("prompt_tokens_details", "input_tokens_details"):
                cached = (usage.get(details) or {}).get("cached_tokens")
                if isinstance(cached, int) and cached > a:
                    return (f"{details}.cached_tokens ≤ {first} ({a})", f"cached_tokens = {cached}")
    return None


def _pricing_check(name: str, keep) -> Any:
    def check(ctx, response, case):
        if is_probe(case):
            return None
        if not _success(response):
            return None
        for body in bodies(response):
            for pricing in pricings(body):
                problems = [p for p in pricing_problems(pricing) if keep(p)]
                if problems:
                    raise fail(
                        name,
                        case,
                        "Pricing arithmetic is wrong",
                        "consistent integer-nanos pricing",
                        "; ".join(problems),
                    )
        return None

    check.__name__ = name
    return schemathesis.check(check)


pricing_lines_sum_to_total = _pricing_check(
    "pricing_lines_sum_to_total", lambda problem: any(word in problem for word in _SUM_WORDS)
)
pricing_forms_agree = _pricing_check(
    "pricing_forms_agree", lambda problem: not any(word in problem for word in _SUM_WORDS)
)


@schemathesis.check
def meta_consistent(ctx, response, case):
    if is_probe(case):
        return None
    if not _success(response) or is_stream(response):
        return None
    body = json_body(response)
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict):
        return None
    problem = _meta_problem(body["meta"], body["usage"] if isinstance(body.get("usage"), dict) else {})
    if problem:
        raise fail("meta_consistent", case, "meta timings disagree", problem[0], problem[1])
    return None


def _meta_problem(meta: dict[str, Any], usage: dict[str, Any]) -> tuple[str, str] | None:
    generation, latency, tps = meta.get("generation_ms"), meta.get("latency_ms"), meta.get("throughput_tps")
    numbers = all(isinstance(v, (int, float)) for v in (generation, latency))
    if numbers and latency != generation:
        return (
            "latency_ms == generation_ms on a non-streamed answer",
            f"latency_ms={latency} generation_ms={generation}",
        )
    output = usage.get("completion_tokens", usage.get("output_tokens"))
    if isinstance(tps, (int, float)) and isinstance(output, int) and isinstance(generation, (int, float)):
        if output == 0 and tps != 0:
            return ("throughput_tps 0 or null when no output tokens", f"throughput_tps={tps}")
        if generation > 0 and output > 0:
            expected = output * 1000 / generation
            if abs(tps - expected) > max(0.05, expected * 0.01):
                return (f"throughput_tps ≈ output tokens / generation seconds = {expected:.2f}", f"{tps}")
    return None
