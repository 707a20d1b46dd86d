"""Authentication: the gateway's bearer check (§1), or the providers' own key checks.

On the gateway surface a bearer key is checked against the state (keys, limits). On a
surface served through dialects (``aistats-mock providers``) any non-empty key is taken,
in the place that provider reads it (``Authorization: Bearer``, ``x-api-key``,
``x-goog-api-key`` or ``?key=``, as the surface's security schemes say); a missing one is
a 401 that the error handlers render in the provider's own envelope.
"""

from __future__ import annotations

from typing import Any

from connexion.security import ApiKeySecurityHandler, BearerSecurityHandler

from mockserver.pipeline.runtime import Runtime
from mockserver.server.scope import request_state


def security_map(runtime: Runtime) -> dict[str, type]:
    """Connexion's ``security_map`` with our checks bound to ``runtime``."""
    if runtime.surface.any_key:
        return {"bearer": ProviderBearer, "apiKey": ProviderApiKey}

    class GatewayBearer(BearerSecurityHandler):
        def get_fn(self, security_scheme, required_scopes):
            return self._verify

        @staticmethod
        def _verify(request):
            key = runtime.authenticate(request.headers.get("authorization"))
            request_state(request.scope).key = key
            return {"sub": key.kid}

    return {"bearer": GatewayBearer}


def any_key(key: str, *_: Any) -> dict[str, str] | None:
    """A provider's key check in the mock: any non-empty key is a caller."""
    return {"sub": "provider-key"} if key.strip() else None


class ProviderBearer(BearerSecurityHandler):
    def _resolve_func(self, security_scheme):
        return any_key


class ProviderApiKey(ApiKeySecurityHandler):
    def _resolve_func(self, security_scheme):
        return any_key
