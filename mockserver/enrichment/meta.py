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

TTFT_HEADER = "x-mock-ttft-ms"
TPS_HEADER = "x-mock-tokens-per-second"
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
        return max(0.0, self.ttft_ms) / 1000.0

    def delay_for(self, tokens: int) -> float:
        """Seconds to produce ``tokens`` more tokens (0 when the rate is 0: no pacing)."""
        if self.tokens_per_second <= 0 or tokens <= 0:
            return 0.0
        return tokens / self.tokens_per_second

    def generation_ms(self, output_tokens: int) -> float:
        return round(max(0.0, self.ttft_ms) + self.delay_for(output_tokens) * 1000.0, 1)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def speed_profile(model: Any, settings: Any = None, headers: Mapping[str, str] | None = None) -> SpeedProfile:
    """The pace for one answer: request header, else server setting, else the model's profile."""
    speed = {**_DEFAULT, **(getattr(model, "speed", None) or {})}
    ttft, tps, explicit = float(speed["ttft_ms"]), float(speed["tokens_per_second"]), False
    for name, header in (("ttft_ms", TTFT_HEADER), ("tokens_per_second", TPS_HEADER)):
        chosen = _number((headers or {}).get(header))
        if chosen is None:
            chosen = _number(getattr(settings, name, None))
        if chosen is not None:
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
