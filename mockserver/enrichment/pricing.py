"""Gateway pricing arithmetic in integer USD nanos (GATEWAY-BEHAVIOUR §4).

``line_nanos = round(quantity / unit_size × unit price in nanos)``; the total is the sum
of the lines; ``total_usd_str`` is the total with nine decimals, trailing zeros trimmed;
``total_cents`` is the total rounded down to whole cents. The conformance suite uses the
same functions as its oracle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

NANOS_PER_USD = 1_000_000_000
NANOS_PER_CENT = 10_000_000
TOKEN_UNIT = 1_000_000
#: Meters priced per single unit rather than per million.
UNIT_METERS = {
    "output_image",
    "output_video_seconds",
    "requests",
    "output_audio_seconds",
    "input_image",
    "pages",
    "output_audio_count",
}


@dataclass(frozen=True)
class Price:
    usd: Decimal
    unit_size: int

    @property
    def nanos(self) -> Decimal:
        return self.usd * NANOS_PER_USD


def price_of(meter: str, rule: Any) -> Price:
    """A catalogue price rule: ``"0.05"`` (per million tokens / per unit) or a mapping."""
    if isinstance(rule, Mapping):
        return Price(Decimal(str(rule["usd"])), int(rule.get("unit_size", _default_unit(meter))))
    return Price(Decimal(str(rule)), _default_unit(meter))


def _default_unit(meter: str) -> int:
    return 1 if meter in UNIT_METERS else TOKEN_UNIT


def usd9(nanos: int | Decimal) -> str:
    """Nanos as a USD string with exactly nine decimals."""
    return f"{Decimal(nanos) / NANOS_PER_USD:.9f}"


def usd_trimmed(nanos: int) -> str:
    text = usd9(nanos).rstrip("0").rstrip(".")
    return text or "0"


def line(meter: str, quantity: int | float, price: Price) -> dict[str, Any]:
    exact = Decimal(str(quantity)) * price.nanos / price.unit_size
    nanos = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {
        "dimension": meter,
        "quantity": quantity,
        "billable_units": float(Decimal(str(quantity)) / price.unit_size),
        "unit_size": price.unit_size,
        "unit_price_usd": f"{price.usd:.9f}",
        "line_cost_usd": usd9(nanos),
        "line_nanos": nanos,
    }


def price_usage(quantities: Mapping[str, int | float], rules: Mapping[str, Any]) -> dict[str, Any]:
    """The pricing object for metered quantities under a model's price rules.

    One line per meter with a positive quantity and a price rule, in the order given.
    """
    lines = [
        line(meter, quantity, price_of(meter, rules[meter]))
        for meter, quantity in quantities.items()
        if quantity and meter in rules
    ]
    return pricing_object(lines)


def pricing_object(lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(item["line_nanos"] for item in lines)
    return {
        "total_nanos": total,
        "total_usd_str": usd_trimmed(total),
        "total_cents": total // NANOS_PER_CENT,
        "currency": "USD",
        "lines": lines,
    }


def pricing_problems(pricing: Mapping[str, Any]) -> list[str]:
    """Every way a pricing object breaks the gateway's arithmetic (empty when consistent)."""
    problems = []
    lines = pricing.get("lines", [])
    total = pricing.get("total_nanos")
    if sum(item.get("line_nanos", 0) for item in lines) != total:
        problems.append(f"lines sum to {sum(i.get('line_nanos', 0) for i in lines)} nanos, total_nanos is {total}")
    if isinstance(total, int):
        if pricing.get("total_usd_str") != usd_trimmed(total):
            problems.append(f"total_usd_str {pricing.get('total_usd_str')!r} != {usd_trimmed(total)!r}")
        if pricing.get("total_cents") != total // NANOS_PER_CENT:
            problems.append(f"total_cents {pricing.get('total_cents')} != {total // NANOS_PER_CENT}")
    for item in lines:
        try:
            price = Price(Decimal(item["unit_price_usd"]), int(item["unit_size"]))
            expected = line(item["dimension"], item["quantity"], price)
        except (KeyError, ArithmeticError, ValueError, TypeError) as exc:
            problems.append(f"line {item.get('dimension')!r} cannot be recomputed: {exc}")
            continue
        if expected["line_nanos"] != item.get("line_nanos"):
            problems.append(
                f"line {item['dimension']}: line_nanos {item.get('line_nanos')} != {expected['line_nanos']}"
            )
        if expected["line_cost_usd"] != item.get("line_cost_usd"):
            problems.append(
                f"line {item['dimension']}: line_cost_usd {item.get('line_cost_usd')!r} "
                f"!= {expected['line_cost_usd']!r}"
            )
    return problems
