"""Catalogue routes about who makes the models and what they cost: ``/organisations``,
``/pricing/models`` and ``/pricing/calculate``, all from ``fixtures/``.

Price cards and calculated prices come from the same rules the inference surfaces bill
with (``prices`` and ``plans`` of ``fixtures/catalogue.json``), through
:mod:`mockserver.enrichment.pricing`, so a calculated price equals what a request with
the same meter counts is charged on the standard plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mockserver.catalogue import Model
from mockserver.enrichment.pricing import NANOS_PER_CENT, NANOS_PER_USD, price_of, price_usage, usd9
from mockserver.enrichment.usage import price_rules
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.catalogue_views import PROVIDERS_CACHING
from mockserver.operations.keys import page_bounds
from mockserver.synthesis.registry import generator

#: Organisations, providers and price cards share the five-minute private caching.
SHORT_CACHING = PROVIDERS_CACHING
STANDARD_PLAN = "standard"
PLAN_ORDER = (STANDARD_PLAN, "priority", "flex", "batch")
_UNIT_BY_METER = {
    "output_image": "image",
    "input_image": "image",
    "pages": "page",
    "requests": "request",
    "output_audio_count": "track",
}
_REQUIRED = ("provider", "model", "endpoint")


# ------------------------------------------------------------------ organisations


@generator("listOrganisations")
def list_organisations(ctx) -> MockReply:
    limit, offset = page_bounds(ctx)
    ordered = sorted(
        ctx.catalogue.organisations.values(),
        key=lambda entry: ((entry.get("name") or "").lower(), entry["organisation_id"]),
    )
    body = {
        "ok": True,
        "limit": limit,
        "offset": offset,
        "total": len(ordered),
        "organisations": [dict(entry) for entry in ordered[offset : offset + limit]],  # rows as answered
    }
    return MockReply(body=body, headers={"Cache-Control": SHORT_CACHING})


# ------------------------------------------------------------------ price cards


def unit_of(meter: str) -> str:
    if meter in _UNIT_BY_METER:
        return _UNIT_BY_METER[meter]
    if meter.endswith("_tokens"):
        return "token"
    if meter.endswith("_seconds"):
        return "second"
    return "unit"


def decimal_text(value: Decimal) -> str:
    """A price as a plain decimal string without trailing zeros (``"10.00"`` → ``"10"``)."""
    return format(value.normalize(), "f")


def _meters(rules: dict[str, Any], plan: str) -> list[dict[str, Any]]:
    conditions = [] if plan == STANDARD_PLAN else [{"field": "pricing_plan", "op": "eq", "value": plan}]
    meters = []
    for meter, rule in rules.items():
        price = price_of(meter, rule)
        meters.append(
            {
                "meter": meter,
                "unit": unit_of(meter),
                "unit_size": price.unit_size,
                "price_per_unit": decimal_text(price.usd),
                "currency": "USD",
                "conditions": [dict(condition) for condition in conditions],
            }
        )
    return meters


def _plans(model: Model) -> list[str]:
    offered = (model.extra.get("pricing_plans") or {}).keys()
    return [STANDARD_PLAN] + [plan for plan in PLAN_ORDER[1:] if plan in offered]


def servable(model: Model) -> bool:
    return bool(model.providers) and bool(model.pricing)


def price_cards(catalogue) -> list[dict[str, Any]]:
    """One card per provider, model, capability and plan, ordered by provider, model and capability."""
    rows = [
        (provider, model, capability)
        for model in catalogue.models.values()
        if servable(model)
        for provider in model.providers
        for capability in model.endpoints
    ]
    rows.sort(key=lambda row: (row[0], row[1].model_id, row[2]))
    return [
        {
            "provider": provider,
            "model": model.model_id,
            "endpoint": capability,
            "display_name": model.name,
            "meters": _meters(dict(price_rules(model, plan)), plan),
        }
        for provider, model, capability in rows
        for plan in _plans(model)
    ]


@generator("listPricingModels")
def list_pricing_models(ctx) -> MockReply:
    return MockReply(body={"ok": True, "models": price_cards(ctx.catalogue)}, headers={"Cache-Control": SHORT_CACHING})


# ------------------------------------------------------------------ calculation


def _required_fields(body: dict[str, Any]) -> tuple[str, str, str]:
    """Provider, model and capability, each stripped; blank ones are missing, as is a non-object usage."""
    values = {name: body[name].strip() if isinstance(body.get(name), str) else "" for name in _REQUIRED}
    missing = [name for name, value in values.items() if not value]
    if not isinstance(body.get("usage"), dict):
        missing.append("usage")
    if missing:
        raise GatewayFailure(400, "missing_required_fields", f"Missing required fields: {', '.join(missing)}")
    return values["provider"], values["model"], values["endpoint"]


def _priced_model(ctx, provider: str, model_id: str, capability: str) -> Model:
    model = ctx.catalogue.canonical(model_id)
    if model is None or not servable(model) or provider not in model.providers or capability not in model.endpoints:
        raise GatewayFailure(404, "pricing_not_found", f"No active pricing for {model_id} on {provider} ({capability})")
    return model


def _rule_id(provider: str, model: Model, meter: str) -> str:
    return f"{provider}-{model.model_id.split('/', 1)[-1]}-{meter}".replace(".", "-").replace("_", "-")


def calculated_price(provider: str, model: Model, quantities: dict[str, Any]) -> dict[str, Any]:
    """The standard-plan price of ``quantities``: the lines of :func:`price_usage`, with the
    rule that priced each, and the total in dollars and whole cents (rounded up)."""
    priced = price_usage(quantities, price_rules(model, STANDARD_PLAN))
    total = priced["total_nanos"]
    lines = [
        {**line, "bill_mode": "all", "rule_priority": 0, "rule_id": _rule_id(provider, model, line["dimension"])}
        for line in priced["lines"]
    ]
    return {
        "cost_usd": float(Decimal(total) / NANOS_PER_USD),
        "cost_usd_str": usd9(total),
        "cost_cents": -(-total // NANOS_PER_CENT),
        "currency": "USD",
        "lines": lines,
    }


@generator("calculatePricing")
def calculate_pricing(ctx) -> MockReply:
    body = ctx.request.body if isinstance(ctx.request.body, dict) else {}
    provider, model_id, capability = _required_fields(body)
    model = _priced_model(ctx, provider, model_id, capability)
    return MockReply(body={"ok": True, "pricing": calculated_price(provider, model, body["usage"])})
