"""Model checks, usage, pricing and timing meta for the media surfaces.

Token counts, price cards and timings come from the shared helpers in
:mod:`mockserver.enrichment` (``usage``, ``meta``, ``pricing``), so every figure follows
from the model's prices and speed profile in ``fixtures/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mockserver.catalogue import Model
from mockserver.engines.fakers import SeededFakers
from mockserver.engines.text.routing import resolve_model
from mockserver.enrichment.meta import speed_profile, timing_meta
from mockserver.enrichment.usage import estimate_tokens, generic_usage, plan_for, price_rules
from mockserver.model import MockReply

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["estimate_tokens", "require_model", "usage", "meta", "summarise", "base_seed", "content_faker"]


def require_model(ctx, capability: str) -> tuple[Model, str]:
    """The requested model and the provider that serves it, or the gateway's 400."""
    route = resolve_model(ctx, capability)
    return route.model, route.provider


def rules_for(ctx, model: Model) -> Mapping[str, Any]:
    """The model's price card for the plan the request selects."""
    return price_rules(model, plan_for(ctx.request.body))


def usage(
    ctx, model: Model, input_tokens: int, output_tokens: int, quantities: dict[str, int | float], **extra: Any
) -> dict[str, Any]:
    """``input_tokens`` ... ``pricing_breakdown``, priced from the metered ``quantities``."""
    extra = {key: value for key, value in extra.items() if value is not None}
    return generic_usage(input_tokens, output_tokens, rules_for(ctx, model), quantities=quantities, **extra)


def meta(ctx, model: Model, output_tokens: int) -> dict[str, Any]:
    """Timing of a non-streamed call from the model's speed profile (request and server
    overrides included); latency equals generation time (GATEWAY-BEHAVIOUR §4)."""
    return timing_meta(speed_profile(model, ctx.settings.pacing, ctx.request.headers), output_tokens)


def summarise(
    reply: MockReply, model: Model, provider: str, usage_body: dict[str, Any], timing: dict[str, Any] | None
) -> MockReply:
    """Fill ``reply.summary`` for the after-hooks (audit, wallet)."""
    reply.summary.update(
        model=model.model_id,
        provider=provider,
        usage=usage_body,
        pricing=usage_body.get("pricing_breakdown"),
        meta=timing,
        status=reply.status,
        stream=False,
    )
    return reply


def base_seed(ctx) -> Any:
    """The server seed, or ``X-Mock-Seed``: what content keyed by an upload is derived from."""
    header = ctx.request.header("x-mock-seed")
    if header is not None and header.strip().lstrip("-").isdigit():
        return int(header.strip())
    return ctx.settings.api.seed


_FAKERS = SeededFakers()


def content_faker(seed: int) -> Faker:
    """A per-thread Faker for media content, separate from ``ctx.faker`` so reseeding it
    for content keyed by an upload never disturbs the request's own stream."""
    return _FAKERS.get(seed)
