"""``POST /keys/{id}/invalidate``: an operator drops the cached state of a gateway key.

The mock keeps no key cache (every request reads the key from the state store), so the
answer reports what the gateway would bump: the key as stored and new cache versions
(the store's clock in milliseconds) for its id and kid. After the control secret
(:mod:`mockserver.control_secret`): an unknown key → 404 ``Key not found``; another
team's key → 403 ``forbidden``.
"""

from __future__ import annotations

from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.jobs_common import job_store, job_team
from mockserver.synthesis.registry import generator


@generator("invalidateGatewayKeyCache")
def invalidate_key_cache(ctx) -> MockReply:
    store = job_store(ctx)
    row = store.keys.find(ctx.request.path_params.get("id", ""))
    if row is None:
        raise GatewayFailure(404, "Key not found")
    if row["team_id"] != job_team(ctx):
        raise GatewayFailure(403, "forbidden", "Key does not belong to your team")
    version = store.now_ms()
    return MockReply(
        body={
            "ok": True,
            "key": {"id": row["id"], "kid": row["kid"], "team_id": row["team_id"], "status": row["status"]},
            "cache_version": {"id": version, "kid": version},
            "message": "Key cache invalidated globally",
        }
    )
