"""Catalogue routes from ``fixtures/`` and the live state: ``/gateway/models``,
``/data/models``, ``/providers``, ``/endpoints`` and ``/health`` (GATEWAY-BEHAVIOUR §8–9).
"""

from __future__ import annotations

import re
from typing import Any

from mockserver.catalogue import Model
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.health import provider_health
from mockserver.operations.keys import iso_ms, page_bounds
from mockserver.synthesis.registry import generator

MODELS_CACHING = "private, max-age=1800, stale-while-revalidate=1800"
PROVIDERS_CACHING = "private, max-age=300, stale-while-revalidate=600"
ENDPOINTS = [
    "chat/completions",
    "responses",
    "messages",
    "embeddings",
    "moderations",
    "audio/speech",
    "audio/transcriptions",
    "audio/translations",
    "images/generations",
    "images/edits",
    "videos",
    "ocr",
    "music/generate",
    "batches",
    "files",
]
_PARAMS_BY_CAPABILITY = {
    "text.generate": [
        "max_tokens",
        "temperature",
        "top_p",
        "stop",
        "tools",
        "tool_choice",
        "response_format",
    ],
    "text.embed": ["dimensions", "encoding_format"],
    "image.generate": ["n", "size", "quality", "response_format"],
    "image.edit": ["n", "size", "mask"],
    "audio.speech": ["voice", "response_format", "speed"],
    "audio.transcribe": ["language", "prompt", "temperature", "response_format"],
    "audio.translate": ["prompt", "temperature", "response_format"],
    "video.generate": ["seconds", "size", "aspect_ratio", "resolution", "input_reference"],
    "music.generate": ["duration", "format"],
}
_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no")


def filter_values(ctx, name: str) -> list[str]:
    """A list filter: repeated, comma- or space-separated, optionally in ``{a,b}`` braces."""
    values = []
    for raw in ctx.request.query.get(name, []):
        values += [part for part in re.split(r"[\s,]+", raw.strip().strip("{}")) if part]
    return values


def provider_params(model: Model, provider: str) -> list[str]:
    declared = model.extra.get("params")
    if isinstance(declared, dict):
        return list(declared.get(provider, []))
    if isinstance(declared, list):
        return list(declared)
    params: list[str] = []
    for capability in model.endpoints:
        params += [p for p in _PARAMS_BY_CAPABILITY.get(capability, []) if p not in params]
    if model.extra.get("reasoning"):
        params.append("reasoning")
    if provider in ("anthropic", "amazon-bedrock", "google-vertex") and "text.generate" in model.endpoints:
        params.append("top_k")
    return params


def _matches(model: Model, wanted: dict[str, list[str]]) -> bool:
    if not any(wanted.values()):
        return True

    def any_of(name: str, have: list[str], fold: bool = False) -> bool:
        if not wanted[name]:
            return True
        have_set = {h.lower() for h in have} if fold else set(have)
        return any((w.lower() if fold else w) in have_set for w in wanted[name])

    return (
        any_of("endpoints", list(model.endpoints))
        and any_of("organisation", [model.organisation_id])
        and any_of("input_types", list(model.input_types), True)
        and any_of("output_types", list(model.output_types), True)
        and (
            not wanted["params"]  # the params of every provider are only worked out when filtered on
            or any_of("params", [p for provider in model.providers for p in provider_params(model, provider)])
        )
    )


def _gateway_model(ctx, model: Model) -> dict[str, Any]:
    organisation = ctx.catalogue.organisations.get(model.organisation_id, {})
    return {
        "model_id": model.model_id,
        "name": model.name,
        "release_date": model.release_date,
        "status": model.status,
        "organisation_id": model.organisation_id,
        "organisation_name": organisation.get("name"),
        "organisation_colour": organisation.get("colour"),
        "aliases": list(model.aliases),
        "endpoints": list(model.endpoints),
        "input_types": list(model.input_types),
        "output_types": list(model.output_types),
        "providers": [{"api_provider_id": p, "params": provider_params(model, p)} for p in model.providers],
    }


def _listed(ctx, wanted: dict[str, list[str]]) -> list[Model]:
    """The models a filter selects, newest first: every model with a provider (retired and
    deprecated ones stay listed with their status); computed once per filter."""
    key = ("gateway-models", tuple((name, tuple(values)) for name, values in wanted.items()))
    return ctx.catalogue.memo.get_or_make(
        key, lambda: [m for m in ctx.catalogue.newest_first if m.providers and _matches(m, wanted)]
    )


def _row(ctx, model: Model) -> dict[str, Any]:
    """A model's row of ``/gateway/models`` (it depends on the catalogue alone), built once."""
    return ctx.catalogue.memo.get_or_make(("gateway-row", model.model_id), lambda: _gateway_model(ctx, model))


def check_privacy_scope(ctx) -> None:
    scope = ctx.request.query_value("privacy_scope") or ctx.request.query_value("privacy") or "shared"
    if scope == "team":
        raise GatewayFailure(
            501,
            "not_implemented",
            "Team-scoped model listing is not available yet.",
            extra={"code": "models_privacy_scope_not_implemented", "privacy_scope": "team"},
        )
    if scope != "shared":
        raise GatewayFailure(400, "invalid_request", "privacy_scope must be one of: shared, team")


@generator("listModels")
def list_models(ctx) -> MockReply:
    check_privacy_scope(ctx)
    limit, offset = page_bounds(ctx)
    wanted = {
        name: filter_values(ctx, name)
        for name in ("endpoints", "organisation", "input_types", "output_types", "params")
    }
    chosen = _listed(ctx, wanted)
    body = {
        "ok": True,
        "privacy_scope": "shared",
        "limit": limit,
        "offset": offset,
        "total": len(chosen),
        # shallow copies: a reshaping of this answer must not reach the remembered rows
        "models": [dict(_row(ctx, m)) for m in chosen[offset : offset + limit]],
    }
    return MockReply(body=body, headers={"Cache-Control": MODELS_CACHING})


def _data_model(ctx, model: Model) -> dict[str, Any]:
    organisation = ctx.catalogue.organisations.get(model.organisation_id)
    return {
        "model_id": model.model_id,
        "name": model.name,
        "release_date": model.release_date,
        "deprecation_date": model.extra.get("deprecation_date"),
        "retirement_date": model.extra.get("retirement_date"),
        "status": model.status,
        "hidden": bool(model.extra.get("hidden", False)),
        "input_types": list(model.input_types),
        "output_types": list(model.output_types),
        "organisation": None
        if organisation is None
        else {
            "organisation_id": model.organisation_id,
            "name": organisation.get("name"),
            "country_code": organisation.get("country_code"),
            "colour": organisation.get("colour"),
        },
    }


@generator("listDataModels")
def list_data_models(ctx) -> MockReply:
    include_hidden = (ctx.request.query_value("include_hidden") or "false").lower() in _TRUE
    statuses, organisations = filter_values(ctx, "status"), filter_values(ctx, "organisation")
    limit, offset = page_bounds(ctx)
    chosen = [
        m
        for m in ctx.catalogue.newest_first
        if (include_hidden or not m.extra.get("hidden"))
        and (not statuses or m.status in statuses)
        and (not organisations or m.organisation_id in organisations)
    ]
    body = {
        "ok": True,
        "limit": limit,
        "offset": offset,
        "total": len(chosen),
        "include_hidden": include_hidden,
        "models": [_data_model(ctx, m) for m in chosen[offset : offset + limit]],
    }
    return MockReply(body=body, headers={"Cache-Control": MODELS_CACHING})


@generator("listProviders")
def list_providers(ctx) -> MockReply:
    limit, offset = page_bounds(ctx)
    providers = sorted(ctx.catalogue.providers.values(), key=lambda p: (p.get("api_provider_name") or "").lower())
    page = [
        {
            "api_provider_id": p["api_provider_id"],
            "api_provider_name": p.get("api_provider_name"),
            "description": p.get("description"),
            "link": p.get("link"),
            "country_code": p.get("country_code"),
        }
        for p in providers[offset : offset + limit]
    ]
    return MockReply(
        body={"ok": True, "limit": limit, "offset": offset, "total": len(providers), "providers": page},
        headers={"Cache-Control": PROVIDERS_CACHING, "Vary": "Authorization"},
    )


@generator("listEndpoints")
def list_endpoints(ctx) -> MockReply:
    newest = [m for m in ctx.catalogue.newest_first if m.status != "retired"]
    return MockReply(
        body={"ok": True, "endpoints": list(ENDPOINTS), "sample_models": [m.model_id for m in newest[:10]]}
    )


@generator("healthz")
def health(ctx) -> MockReply:
    body: dict[str, Any] = {"status": "ok"}
    if ctx.state is not None:
        now_ms = ctx.state.now_ms()
        body["providers"] = provider_health(ctx.catalogue, ctx.state.ledger, now_ms)
        body["generated_at"] = iso_ms(now_ms)
    return MockReply(body=body, headers={"Cache-Control": "no-store"})
