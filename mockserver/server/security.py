"""Bearer authentication, checked the way the gateway checks it (§1)."""

from __future__ import annotations

from connexion.security import BearerSecurityHandler

from mockserver.pipeline.runtime import Runtime
from mockserver.server.scope import request_state


def security_map(runtime: Runtime) -> dict[str, type]:
    """Connexion's ``security_map`` with our bearer check bound to ``runtime``."""

    class GatewayBearer(BearerSecurityHandler):
        def get_fn(self, security_scheme, required_scopes):
            return self._verify

        @staticmethod
        def _verify(request):
            key = runtime.authenticate(request.headers.get("authorization"))
            request_state(request.scope).key = key
            return {"sub": key.kid}

    return {"bearer": GatewayBearer}
