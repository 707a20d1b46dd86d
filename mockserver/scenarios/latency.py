"""Added latency: a fixed delay or a distribution, sampled from the request's own seed.

``--latency`` takes ``250`` (fixed ms), ``100-400`` (uniform), ``normal:300,80``
(mean, standard deviation; clamped at zero) or ``exp:200`` (exponential with that
mean). The per-request header ``X-Mock-Latency-Ms: 250`` replaces the server's setting.
Samples come from ``ctx.fork("latency")``, so the same seed and request wait the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

#: No delay the mock adds may exceed five minutes: a typo must not hang a client forever.
MAX_DELAY_MS = 300_000.0


class LatencyError(ValueError):
    """A latency specification that cannot be understood."""


@dataclass(frozen=True)
class Latency:
    kind: str
    a: float
    b: float = 0.0

    def sample_ms(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            value = self.a
        elif self.kind == "uniform":
            value = rng.uniform(self.a, self.b)
        elif self.kind == "normal":
            value = rng.gauss(self.a, self.b)
        else:
            value = rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        return min(max(value, 0.0), MAX_DELAY_MS)


def parse_latency(text: str) -> Latency:
    """Read ``250``, ``100-400``, ``normal:300,80`` or ``exp:200`` (milliseconds)."""
    spec = text.strip().lower().removesuffix("ms")
    if ":" in spec:
        kind, _, args = spec.partition(":")
        numbers = _numbers(args.split(","), text)
        if kind == "normal" and len(numbers) == 2:
            return Latency("normal", numbers[0], numbers[1])
        if kind in ("exp", "exponential") and len(numbers) == 1:
            return Latency("exp", numbers[0])
        if kind == "uniform" and len(numbers) == 2:
            return _uniform(numbers[0], numbers[1], text)
        raise LatencyError(f"latency {text!r}: use normal:MEAN,SD, exp:MEAN or uniform:MIN,MAX")
    if "-" in spec.lstrip("-"):
        low, _, high = spec.partition("-")
        numbers = _numbers([low, high], text)
        return _uniform(numbers[0], numbers[1], text)
    return Latency("fixed", _numbers([spec], text)[0])


def parse_delay_ms(text: str | None) -> float | None:
    """A single non-negative number of milliseconds (header values), or None if absent."""
    if text is None or not text.strip():
        return None
    return _numbers([text.strip().removesuffix("ms")], text)[0]


def _uniform(low: float, high: float, text: str) -> Latency:
    if high < low:
        raise LatencyError(f"latency {text!r}: the range must go from low to high")
    return Latency("uniform", low, high)


def _numbers(parts: list[str], text: str) -> list[float]:
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise LatencyError(f"latency {text!r} is not a number of milliseconds or a distribution") from None
    if any(number < 0 or number != number or number > MAX_DELAY_MS for number in numbers):
        raise LatencyError(f"latency {text!r}: milliseconds must lie between 0 and {MAX_DELAY_MS:.0f}")
    return numbers
