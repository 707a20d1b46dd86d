"""Management keys (``/management/keys``, legacy ``/provisioning/keys``, aliases ``/keys``
and ``/key?id=``): real CRUD over the state store (GATEWAY-BEHAVIOUR §9).

A key created here authenticates on the mock at once; disabling or revoking it makes it
fail with 401 ``key_not_found_or_revoked``, and so does deleting it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.jobs_common import job_store, job_team
from mockserver.state.keys import PREFIX_LENGTH
from mockserver.synthesis.registry import generator

_SUMMARY_FIELDS = ("id", "name", "prefix", "status", "scopes", "created_at", "last_used_at")


def iso_ms(millis: int | None) -> str | None:
    if millis is None:
        return None
    stamp = dt.datetime.fromtimestamp(millis / 1000, dt.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page_bounds(ctx) -> tuple[int, int]:
    """``limit`` (default 50) and ``offset`` (default 0); the spec has already bounded them."""
    limit = ctx.request.query_value("limit")
    offset = ctx.request.query_value("offset")
    return (
        int(limit) if limit and limit.lstrip("-").isdigit() else 50,
        int(offset) if offset and offset.lstrip("-").isdigit() else 0,
    )


def check_team(ctx, team_id: Any) -> str:
    """The caller's team; a different ``team_id`` in the query or body is refused with 403."""
    team = job_team(ctx)
    if team_id is not None and team_id != team:
        raise GatewayFailure(403, "forbidden", "team_id must match authenticated team")
    return team


def _detail(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "team_id": row["team_id"],
        "name": row["name"],
        "prefix": row["kid"][:PREFIX_LENGTH],
        "status": row["status"],
        "scopes": row["scopes"],
        "created_by": row["created_by"],
        "created_at": iso_ms(row["created_ms"]),
        "last_used_at": iso_ms(row["last_used_ms"]),
        "soft_blocked": bool(row["soft_blocked"]),
    }


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    detail = _detail(row)
    return {name: detail[name] for name in _SUMMARY_FIELDS}


def _key_id(ctx) -> str:
    return ctx.request.path_params.get("id") or ctx.request.query_value("id") or ""


def _not_found() -> GatewayFailure:
    return GatewayFailure(404, "Key not found")


@generator("listProvisioningKeys", "listProvisioningKeysAlias", "listProvisioningKeysLegacy")
def list_keys(ctx) -> MockReply:
    team = check_team(ctx, ctx.request.query_value("team_id"))
    limit, offset = page_bounds(ctx)
    total, rows = job_store(ctx).keys.page(team, limit, offset)
    return MockReply(
        body={
            "ok": True,
            "limit": limit,
            "offset": offset,
            "total": total,
            "keys": [_summary(row) for row in rows],
        }
    )


@generator("createProvisioningKey", "createProvisioningKeyAlias", "createProvisioningKeyLegacy")
def create_key(ctx) -> MockReply:
    body, store = ctx.request.body, job_store(ctx)
    team = check_team(ctx, body.get("team_id"))
    row, plaintext = store.keys.create(
        team,
        body["name"].strip(),
        store.now_ms(),
        status=body.get("status", "active"),
        scopes=body.get("scopes"),
        soft_blocked=bool(body.get("soft_blocked", False)),
        created_by=body.get("created_by"),
    )
    created = {
        **{name: value for name, value in _summary(row).items() if name != "last_used_at"},
        "key": plaintext,
    }
    return MockReply(status=201, body={"ok": True, "key": created})


@generator("getProvisioningKey", "getProvisioningKeyAlias", "getProvisioningKeyLegacy")
def get_key(ctx) -> MockReply:
    row = job_store(ctx).keys.get(job_team(ctx), _key_id(ctx))
    if row is None:
        raise _not_found()
    return MockReply(body={"ok": True, "key": _detail(row)})


@generator("updateProvisioningKey", "updateProvisioningKeyAlias")
def update_key(ctx) -> MockReply:
    changes = {
        name: value for name, value in (ctx.request.body or {}).items() if name in ("name", "status", "soft_blocked")
    }
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if not job_store(ctx).keys.update(job_team(ctx), _key_id(ctx), changes):
        raise _not_found()
    return MockReply(body={"ok": True, "message": "Key updated successfully"})


@generator("deleteProvisioningKey", "deleteProvisioningKeyAlias")
def delete_key(ctx) -> MockReply:
    store = job_store(ctx)
    name = store.keys.delete(job_team(ctx), _key_id(ctx), store.now_ms())
    if name is None:
        raise _not_found()
    store.wrote()  # deleted key ids are pruned with the store's other bounded rows
    return MockReply(body={"ok": True, "message": f'Key "{name}" deleted successfully'})
