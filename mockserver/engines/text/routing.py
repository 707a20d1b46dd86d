"""Which catalogue model and provider serve a request, or the gateway's 400.

A model must exist in ``fixtures/catalogue.json`` (by canonical id, gateway alias, an id
the mock answered to before, or bare name) and list the operation's capability in its
``endpoints``; otherwise the gateway answers 400 ``unsupported_model_or_endpoint``
(GATEWAY-BEHAVIOUR §2). Retired and deprecated models stay routable: the facts say
nothing of the gateway refusing them. The check runs as a
``before_synthesis`` hook for every operation in :data:`CAPABILITY_BY_OPERATION`;
generators call :func:`resolve_model` to get the model and provider.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockserver.errors import GatewayFailure

UNSUPPORTED_DESCRIPTION = (
    "Unsupported model or endpoint. Please check https://ai-stats.phaseo.app/models "
    "for the models and endpoints the gateway supports."
)
#: operationId → capability id a model must serve. Other surfaces add their operations here.
CAPABILITY_BY_OPERATION: dict[str, str] = {
    "createChatCompletion": "text.generate",
    "createResponse": "text.generate",
    "createAnthropicMessage": "text.generate",
}


@dataclass(frozen=True)
class Route:
    model: Any
    provider: str
    #: the id as the request wrote it; answers echo it, as the gateway's do
    requested: str | None = None

    @property
    def model_id(self) -> str:
        return self.requested or self.model.model_id

    @property
    def provider_model(self) -> str:
        """The provider's own name for the model (what stream chunks call ``model``)."""
        return self.model.extra.get("provider_model_id") or self.model.model_id.split("/", 1)[-1]


def unsupported() -> GatewayFailure:
    return GatewayFailure(400, "unsupported_model_or_endpoint", UNSUPPORTED_DESCRIPTION)


def resolve_model(ctx: Any, capability: str | None = None) -> Route:
    """The catalogue model named by the request's ``model`` and the provider chosen for it."""
    name = ctx.request.field("model")
    if not isinstance(name, str) or not name.strip():
        raise GatewayFailure(400, "model_required", "model_required")
    model = ctx.catalogue.get(name.strip())
    capability = capability or CAPABILITY_BY_OPERATION.get(ctx.operation.operation_id)
    if model is None or (capability is not None and capability not in model.endpoints):
        raise unsupported()
    return Route(model, _provider(ctx, model), name.strip())


def _provider(ctx: Any, model: Any) -> str:
    """The first provider allowed by the request's ``provider`` preferences (order, only, ignore)."""
    prefs = _routing_preferences(ctx.request.field("provider"))
    candidates = list(model.providers)
    order = [p for p in prefs.get("order") or [] if p in candidates]
    candidates = order + [p for p in candidates if p not in order]
    if prefs.get("only"):
        candidates = [p for p in candidates if p in prefs["only"]]
    candidates = [p for p in candidates if p not in (prefs.get("ignore") or [])]
    if not candidates:
        raise unsupported()
    return candidates[0]


def _routing_preferences(value: Any) -> dict[str, Any]:
    """The request's ``provider`` object; form bodies carry it as a JSON string."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}
    return value if isinstance(value, dict) else {}


class ModelRouteCheck:
    """Gate: unknown models, or models not served on this endpoint, are refused before
    anything is generated (400 ``unsupported_model_or_endpoint``)."""

    def check(self, ctx: Any) -> None:
        if ctx.operation.operation_id in CAPABILITY_BY_OPERATION:
            resolve_model(ctx)
