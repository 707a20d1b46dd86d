"""Money: the wallet moves by exactly what the answers report, and by nothing else.

- a sequence of priced calls moves ``/credits`` by the sum of their ``pricing`` totals;
- a refused (4xx) or failed call costs nothing;
- a stream the client abandons is billed at most once (at most what the whole answer costs);
- a video or music job is charged once, when it completes, and an answer reports that charge.

Judged by conformance/money_flow.py against the key's wallet (conformance/wallet.py).
"""

from __future__ import annotations

import math
from typing import Any

from conformance.checks._support import register
from conformance.checks.usage import bodies, pricings

register(
    "wallet_matches_reported_pricing",
    "the wallet moves by exactly the reported pricing totals; refused calls, failed calls and abandoned "
    "streams are not overcharged; job charges are reported",
)

register(
    "job_charge_reported",
    "finding: a completed video or music job that moves the wallet reports its charge in an answer",
)

OUTPUT_DIMENSIONS = ("output_text_tokens", "output_tokens", "reasoning_tokens")


def reported_nanos(answer: Any) -> int | None:
    """The charge an answer reports: its largest ``pricing.total_nanos`` (a stream repeats it), or None."""
    totals = [p.get("total_nanos") for body in bodies(answer) for p in pricings(body)]
    found = [t for t in totals if isinstance(t, int) and not isinstance(t, bool) and t >= 0]
    return max(found) if found else None


def ceiling_nanos(answer: Any, max_output_tokens: int) -> int | None:
    """The most one request like ``answer``'s can cost when its output stops at ``max_output_tokens``:
    its input lines as reported, its output lines at ``max_output_tokens`` units."""
    for body in bodies(answer):
        for pricing in pricings(body):
            lines = pricing.get("lines")
            if isinstance(lines, list) and lines:
                return sum(_line_ceiling(line, max_output_tokens) for line in lines if isinstance(line, dict))
    return None


def _line_ceiling(line: dict[str, Any], max_output_tokens: int) -> int:
    value = line.get("line_nanos")
    nanos = value if isinstance(value, int) else 0
    if line.get("dimension") not in OUTPUT_DIMENSIONS:
        return nanos
    try:
        price = float(line.get("unit_price_usd", "0")) * 1e9 / float(line.get("unit_size") or 1)
    except (TypeError, ValueError):
        return nanos
    return max(nanos, math.ceil(price * max_output_tokens))


def usd(nanos: int) -> str:
    return f"{nanos / 1e9:.9f} USD"
