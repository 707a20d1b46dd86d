"""The 2025-12 catalogue routes: ``GET /health`` (provider snapshot) and ``GET /models``.

Both read what the current routes read: the health rows come from
:func:`~mockserver.operations.health.provider_health` (the generations this
mock really served), the models from ``fixtures/`` with the current filter parsing and
ordering. Only the shapes, the endpoint names and the filters are of 2025-12
(GATEWAY-BEHAVIOUR §11; tables in :mod:`mockserver.shapes.tables`).
"""

from __future__ import annotations

import datetime as dt
from statistics import median
from typing import Any

from mockserver.catalogue import Model
from mockserver.model import MockReply
from mockserver.operations.catalogue_views import filter_values
from mockserver.operations.health import WINDOW_MS, provider_health
from mockserver.operations.keys import page_bounds
from mockserver.shapes.tables import ENDPOINT_BY_CAPABILITY, LIFECYCLE_SWITCHES, STATUS_NAMES
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

_TRUE = ("1", "true", "yes")
_LIST_FILTERS = ("provider", "organisation", "include_endpoints", "exclude_endpoints", "input_types", "output_types")


class _NoTraffic:
    """A ledger with nothing in it, for a runtime without state."""

    @staticmethod
    def recent(since_ms: int) -> list[dict[str, Any]]:
        return []


# --------------------------------------------------------------------------- health


@generator("getHealthDec25")
def health_snapshot(ctx: SynthesisContext) -> MockReply:
    scope = {name: ctx.request.query_value(name) for name in ("provider", "model", "endpoint")}
    now_ms = ctx.state.now_ms() if ctx.state is not None else ctx.stamp() * 1000
    ledger = ctx.state.ledger if ctx.state is not None else _NoTraffic()
    in_scope = _providers_in_scope(ctx, scope)
    rows = [row for row in provider_health(ctx.catalogue, ledger, now_ms) if row["provider"] in in_scope]
    body = {
        "ok": True,
        "window_minutes": WINDOW_MS // 60000,
        "scope": scope,
        "overall": _overall(rows),
        "providers": [_provider_row(row, now_ms) for row in rows],
        "generated_at": now_ms,
    }
    return MockReply(body=body, headers={"Cache-Control": "no-store"})


def _providers_in_scope(ctx: SynthesisContext, scope: dict[str, str | None]) -> set[str]:
    providers = set(ctx.catalogue.providers)
    if scope["provider"]:
        providers &= {scope["provider"]}
    if scope["model"]:
        model = ctx.catalogue.get(scope["model"])
        endpoint = scope["endpoint"] or "chat.completions"
        providers &= set(model.providers) if model is not None and endpoint in endpoints_of(model) else set()
    return providers


def _provider_row(row: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """A current health row as 2025-12 reported it: no routing score; a provider without
    recent traffic counts as fully successful, sampled now."""
    rate = row["success_rate"]
    return {
        "provider": row["provider"],
        "status": row["status"],
        "breaker": row["breaker"],
        "p50_ms": row["p50_ms"],
        "p95_ms": row["p95_ms"],
        "success_rate": 1.0 if rate is None else rate,
        "load": row["load"],
        "last_updated": _millis(row["last_updated"], now_ms),
    }


def _overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    up = sum(1 for row in rows if row["status"] == "up")
    status = "up" if rows and up == len(rows) else "down" if up == 0 else "degraded"
    p50s = [row["p50_ms"] for row in rows if row["p50_ms"] is not None]
    p95s = [row["p95_ms"] for row in rows if row["p95_ms"] is not None]
    rates = [row["success_rate"] for row in rows if row["success_rate"] is not None]
    return {
        "status": status,
        "providers_up": up,
        "providers_total": len(rows),
        "p50_ms": median(p50s) if p50s else None,
        "p95_ms": max(p95s) if p95s else None,
        "success_rate": round(sum(rates) / len(rates), 4) if rates else None,
    }


def _millis(stamp: Any, default: int) -> int:
    if isinstance(stamp, int):
        return stamp
    if isinstance(stamp, str):
        try:
            return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return default
    return default


# --------------------------------------------------------------------------- models


def endpoints_of(model: Model) -> list[str]:
    """The 2025-12 endpoints a catalogue model is served on."""
    return [ENDPOINT_BY_CAPABILITY[c] for c in model.endpoints if c in ENDPOINT_BY_CAPABILITY]


def lifecycle(model: Model) -> str:
    return STATUS_NAMES.get(model.status or "", "Available")


@generator("listModelsDec25")
def list_models(ctx: SynthesisContext) -> MockReply:
    limit, offset = page_bounds(ctx)
    wanted = {name: filter_values(ctx, name) for name in _LIST_FILTERS}
    hidden = {
        name
        for switch, name in LIFECYCLE_SWITCHES.items()
        if (ctx.request.query_value(switch) or "true").lower() not in _TRUE
    }
    chosen = [
        m
        for m in ctx.catalogue.newest_first
        if m.providers and endpoints_of(m) and lifecycle(m) not in hidden and _matches(m, wanted)
    ]
    body = {
        "ok": True,
        "limit": limit,
        "offset": offset,
        "total": len(chosen),
        "models": [_catalogue_model(ctx, m) for m in chosen[offset : offset + limit]],
    }
    return MockReply(body=body)


def _matches(model: Model, wanted: dict[str, list[str]]) -> bool:
    def any_of(name: str, have: list[str], fold: bool = False) -> bool:
        fold_case = (lambda text: text.lower()) if fold else (lambda text: text)
        return not wanted[name] or bool({fold_case(w) for w in wanted[name]} & {fold_case(h) for h in have})

    endpoints = endpoints_of(model)
    excluded = set(wanted["exclude_endpoints"]) & set(endpoints)
    return (
        not excluded
        and any_of("provider", list(model.providers))
        and any_of("organisation", [model.organisation_id])
        and any_of("include_endpoints", endpoints)
        and any_of("input_types", list(model.input_types), True)
        and any_of("output_types", list(model.output_types), True)
    )


def _catalogue_model(ctx: SynthesisContext, model: Model) -> dict[str, Any]:
    endpoints = endpoints_of(model)
    return {
        "model_id": model.model_id,
        "name": model.name,
        "release_date": model.release_date,
        "announcement_date": model.extra.get("announcement_date") or model.release_date,
        "status": lifecycle(model),
        "organisation": model.organisation_id,
        "aliases": list(model.aliases),
        "endpoints": endpoints,
        "providers": [
            _provider_entry(ctx, model, provider, endpoint) for provider in model.providers for endpoint in endpoints
        ],
        "input_types": list(model.input_types),
        "output_types": list(model.output_types),
    }


def _provider_entry(ctx: SynthesisContext, model: Model, provider: str, endpoint: str) -> dict[str, Any]:
    info = ctx.catalogue.providers.get(provider, {})
    slug = model.extra.get("provider_model_id") or model.model_id.split("/", 1)[-1]
    since = f"{model.release_date}T00:00:00Z" if model.release_date else None
    return {
        "api_provider_id": provider,
        "api_provider_name": info.get("api_provider_name"),
        "link": info.get("link"),
        "country_code": info.get("country_code"),
        "endpoint": endpoint,
        "provider_model_slug": slug,
        "is_active_gateway": model.status != "retired",
        "input_modalities": list(model.input_types),
        "output_modalities": list(model.output_types),
        "effective_from": since,
        "effective_to": None,
    }
