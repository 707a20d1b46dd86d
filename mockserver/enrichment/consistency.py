"""Make any JSON answer's usage and pricing add up, whoever produced it.

Domain generators already send consistent figures (the synthesis chain marks their
replies ``consistent`` and the walk is skipped); answers built from spec examples or from
schema data (operations without a generator, ``Prefer: dynamic=true``) may not.
This enricher walks a JSON body and, wherever it finds them, sets ``total_tokens`` to
the sum of its parts and recomputes every pricing object (each line from its quantity,
unit size and unit price; the total, its USD string and cents from the lines). It is
idempotent: consistent bodies pass unchanged.
"""

from __future__ import annotations

import weakref
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from mockserver.enrichment.pricing import Price, line, pricing_object
from mockserver.model import MockReply

_TOKEN_PAIRS = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))
_MAX_DEPTH = 12
#: Keys that make a JSON object a usage or a pricing object (what this module repairs).
_REPAIRED_KEYS = frozenset({"total_tokens", "total_nanos"})


def make_consistent(value: Any, depth: int = 0) -> Any:
    """``value`` with every usage total and pricing object repaired (in place for dicts/lists)."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = make_consistent(item, depth + 1)
        return value
    if not isinstance(value, dict):
        return value
    for key, item in list(value.items()):
        value[key] = make_consistent(item, depth + 1)
    _fix_total(value)
    if "total_nanos" in value and isinstance(value.get("lines"), list):
        return _repriced(value)
    return value


def _fix_total(usage: dict[str, Any]) -> None:
    if "total_tokens" not in usage:
        return
    for first, second in _TOKEN_PAIRS:
        a, b = usage.get(first), usage.get(second)
        if _is_count(a) and _is_count(b):
            usage["total_tokens"] = a + b
            return


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _repriced(pricing: dict[str, Any]) -> dict[str, Any]:
    lines = []
    for item in pricing["lines"]:
        fixed = _repriced_line(item)
        if fixed is None:
            return pricing
        lines.append(fixed)
    fixed_pricing = pricing_object(lines)
    fixed_pricing["currency"] = pricing.get("currency", "USD")
    extra = {key: value for key, value in pricing.items() if key not in fixed_pricing}
    return {**fixed_pricing, **extra}


def _repriced_line(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    try:
        price = Price(Decimal(str(item["unit_price_usd"])), int(item["unit_size"]))
        quantity = item["quantity"]
        if price.unit_size < 1 or not isinstance(quantity, (int, float)) or isinstance(quantity, bool):
            return None
        fixed = line(str(item.get("dimension", "")), quantity, price)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return {**item, **fixed}


def consistent_usage(ctx: Any, reply: MockReply) -> MockReply:
    """Enricher: repair usage and pricing in any successful JSON answer."""
    if (
        not reply.consistent
        and reply.stream is None
        and reply.content is None
        and 200 <= reply.status < 300
        and isinstance(reply.body, (dict, list))
        and _may_carry_usage(ctx)
    ):
        reply.body = make_consistent(reply.body)
    return reply


_CARRIERS: dict[int, tuple[weakref.ref[Any], bool]] = {}


def _may_carry_usage(ctx: Any) -> bool:
    """Whether the operation's documented answers (schemas or examples) mention usage or pricing.

    Decided once per operation: walking a 45 KB catalogue answer that cannot hold either
    took longer than building it.
    """
    operation = getattr(ctx, "operation", None)
    index = getattr(ctx, "index", None)
    if operation is None or index is None:
        return True
    known = _CARRIERS.get(id(operation))
    if known is None or known[0]() is not operation:
        documents = [
            doc
            for response in operation.responses.values()
            for media in response.media_types.values()
            for doc in (media.schema, *media.examples.values())
        ]
        known = (weakref.ref(operation), _mentions_repaired_keys(index.spec, documents))
        _CARRIERS[id(operation)] = known
    return known[1]


def _mentions_repaired_keys(spec: dict[str, Any], documents: list[Any]) -> bool:
    stack, seen_refs = list(documents), set()
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if not _REPAIRED_KEYS.isdisjoint(node) or not _REPAIRED_KEYS.isdisjoint(node.get("properties") or ()):
                return True
            ref = node.get("$ref")
            if isinstance(ref, str):
                if ref in seen_refs or not ref.startswith("#/"):
                    continue
                seen_refs.add(ref)
                stack.append(_follow(spec, ref))
            stack.extend(node.values())
    return False


def _follow(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
    return node


class UsageConsistency:
    """Enricher: usage, pricing and meta that add up, whichever synthesis produced the answer."""

    def enrich(self, ctx: Any, reply: MockReply) -> MockReply:
        return consistent_usage(ctx, reply)
