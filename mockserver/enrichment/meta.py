"""Simulated timing: the speed profile that paces an answer and the ``meta`` it reports.

A profile is a time to first token and a rate in tokens per second. It comes from the
model's ``speed`` in ``fixtures/``, overridden per server (``Settings.ttft_ms`` /
``Settings.tokens_per_second``, CLI ``--ttft-ms`` / ``--tokens-per-second``) and per
request (headers ``X-Mock-TTFT-Ms`` / ``X-Mock-Tokens-Per-Second``); 0 means no wait.

``meta`` follows the gateway (§4): non-streamed answers report ``latency_ms ==
generation_ms`` (the whole simulated call); streams report ``latency_ms`` as the time
to the first frame and ``generation_ms`` to the last; ``throughput_tps`` is output
tokens per second of ``generation_ms``, or null when nothing was generated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.errors import ValidationDetail, validation_failure
from mockserver.settings import PacingSettings

TTFT_HEADER = "x-mock-ttft-ms"
TPS_HEADER = "x-mock-tokens-per-second"
#: No answer is paced for longer than five minutes in all (time to first token included),
#: the bound of ``X-Mock-Latency-Ms`` too: a typo must not hang a client forever.
MAX_PACE_MS = 300_000.0
#: A pace is 0 (as fast as possible) or between these many tokens per second.
MIN_TOKENS_PER_SECOND = 1.0
MAX_TOKENS_PER_SECOND = 1_000_000.0
HEADER_NAMES = {TTFT_HEADER: "X-Mock-TTFT-Ms", TPS_HEADER: "X-Mock-Tokens-Per-Second"}
_DEFAULT = {"ttft_ms": 400.0, "tokens_per_second": 80.0}
#: Request keys that are gateway switches or the conversation itself, not provider params.
_NOT_PARAMS = {
    "model",
    "messages",
    "input",
    "input_items",
    "stream",
    "meta",
    "debug",
    "provider",
    "usage",
    "echo_upstream_request",
    "system",
    "instructions",
    "prompt",
}


@dataclass(frozen=True)
class SpeedProfile:
    ttft_ms: float
    tokens_per_second: float
    #: True when a server setting or request header chose the pace (not the model's profile).
    explicit: bool = False

    def first_delay(self) -> float:
        """Seconds before the first frame."""
        return min(max(0.0, self.ttft_ms), MAX_PACE_MS) / 1000.0

    def delay_for(self, tokens: int) -> float:
        """Seconds to produce ``tokens`` more tokens (0 when the rate is 0: no pacing)."""
        if self.tokens_per_second <= 0 or tokens <= 0:
            return 0.0
        return tokens / self.tokens_per_second

    def generation_ms(self, output_tokens: int) -> float:
        """The whole simulated call, at most :data:`MAX_PACE_MS`."""
        total = max(0.0, self.ttft_ms) + self.delay_for(output_tokens) * 1000.0
        return round(min(total, MAX_PACE_MS), 1)


class PaceError(ValueError):
    """A pace (header or setting) that is not a number within its bounds."""


def parse_pace(name: str, value: Any) -> float:
    """``value`` as a time to first token (``x-mock-ttft-ms``) or a rate
    (``x-mock-tokens-per-second``); :class:`PaceError` naming it when out of bounds."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if name == TTFT_HEADER:
        if not 0 <= number <= MAX_PACE_MS:
            raise PaceError(f"must be a number of milliseconds from 0 to {MAX_PACE_MS:.0f}")
        return number
    if not (number == 0 or MIN_TOKENS_PER_SECOND <= number <= MAX_TOKENS_PER_SECOND):
        raise PaceError(f"must be 0 (no pacing) or from {MIN_TOKENS_PER_SECOND:g} to {MAX_TOKENS_PER_SECOND:.0f}")
    return number


def check_pace_headers(headers: Mapping[str, str]) -> None:
    """Raise a 400 naming the first pacing header that is present but invalid."""
    for name in (TTFT_HEADER, TPS_HEADER):
        value = headers.get(name)
        if value is not None:
            try:
                parse_pace(name, value)
            except PaceError as exc:
                detail = ValidationDetail(f"Invalid header {value!r}: {exc}", [HEADER_NAMES[name]], "header")
                raise validation_failure([detail]) from None


def speed_profile(
    model: Any, pacing: PacingSettings | None = None, headers: Mapping[str, str] | None = None
) -> SpeedProfile:
    """The pace for one answer: request header, else server setting, else the model's profile."""
    speed = {**_DEFAULT, **(getattr(model, "speed", None) or {})}
    ttft, tps, explicit = float(speed["ttft_ms"]), float(speed["tokens_per_second"]), False
    check_pace_headers(headers or {})
    for name, header in (("ttft_ms", TTFT_HEADER), ("tokens_per_second", TPS_HEADER)):
        given = (headers or {}).get(header)
        raw = given if given is not None else getattr(pacing, name, None)
        if raw is not None:
            chosen = parse_pace(header, raw)
            explicit = True
            if name == "ttft_ms":
                ttft = chosen
            else:
                tps = chosen
    return SpeedProfile(ttft, tps, explicit)


def timing_meta(profile: SpeedProfile, output_tokens: int, *, streamed: bool = False) -> dict[str, Any]:
    """``{throughput_tps, generation_ms, latency_ms}`` consistent with the simulated pace."""
    generation = profile.generation_ms(output_tokens)
    latency = round(max(0.0, profile.ttft_ms), 1) if streamed else generation
    throughput = round(output_tokens / (generation / 1000.0), 1) if output_tokens and generation > 0 else None
    return {"throughput_tps": throughput, "generation_ms": generation, "latency_ms": latency}


def routing_meta(body: Any, provider: str, provider_count: int) -> dict[str, Any]:
    """The ``routing`` object added with ``meta: true``: the provider and the params asked for."""
    keys = list(body) if isinstance(body, Mapping) else []
    return {
        "selected_provider": provider,
        "requested_params": [key for key in keys if key not in _NOT_PARAMS],
        "param_provider_count_before": provider_count,
        "param_provider_count_after": provider_count,
        "param_dropped_providers": [],
    }
