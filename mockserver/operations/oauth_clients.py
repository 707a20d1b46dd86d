"""OAuth clients (``/oauth-clients``): real CRUD over the state store.

Create returns the client secret once; regenerating it issues a new one and the old one
stops matching; delete removes the client, after which every route answers 404. Each
team sees only its own clients. Errors on these routes are bare ``{"error": ...}``
objects (route family ``oauth``).
"""

from __future__ import annotations

from typing import Any

from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.jobs_common import job_store, job_team
from mockserver.operations.keys import iso_ms
from mockserver.state.oauth import EDITABLE
from mockserver.synthesis.registry import generator

#: ``GET /oauth-clients`` answers one page of at most this many clients.
PER_PAGE = 100
_FIELDS = ("client_id", "team_id", *EDITABLE, "status", "created_by")


def _public(client: dict[str, Any]) -> dict[str, Any]:
    """A stored client as the API shows it (never its secret hash)."""
    shown = {name: client[name] for name in _FIELDS}
    shown["created_at"] = iso_ms(client["created_ms"])
    shown["updated_at"] = iso_ms(client["updated_ms"])
    return shown


def _fields(body: Any) -> dict[str, Any]:
    """The editable fields the request sets (the gateway drops any other key); a name
    shorter than three characters once trimmed is refused."""
    fields = {name: value for name, value in (body or {}).items() if name in EDITABLE}
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
        if len(fields["name"]) < 3:
            raise GatewayFailure(400, "validation_error", "name must be at least 3 characters long")
    return fields


def _client_id(ctx) -> str:
    return ctx.request.path_params.get("client_id", "")


def _not_found() -> GatewayFailure:
    return GatewayFailure(404, "not_found", "OAuth client not found")


def _shown(client: dict[str, Any] | None) -> MockReply:
    if client is None:
        raise _not_found()
    return MockReply(body=_public(client))


@generator("createOAuthClient")
def create_client(ctx) -> MockReply:
    store = job_store(ctx)
    fields = _fields(ctx.request.body)
    client, secret = store.oauth.create(
        job_team(ctx), fields, store.now_ms(), created_by=getattr(ctx.request.key, "key_id", None)
    )
    return MockReply(status=201, body={**_public(client), "client_secret": secret})


@generator("listOAuthClients")
def list_clients(ctx) -> MockReply:
    total, clients = job_store(ctx).oauth.page(job_team(ctx), PER_PAGE)
    return MockReply(
        body={
            "data": [_public(client) for client in clients],
            "pagination": {"total": total, "page": 1, "per_page": PER_PAGE},
        }
    )


@generator("getOAuthClient")
def get_client(ctx) -> MockReply:
    return _shown(job_store(ctx).oauth.get(job_team(ctx), _client_id(ctx)))


@generator("updateOAuthClient")
def update_client(ctx) -> MockReply:
    store = job_store(ctx)
    return _shown(store.oauth.update(job_team(ctx), _client_id(ctx), _fields(ctx.request.body), store.now_ms()))


@generator("deleteOAuthClient")
def delete_client(ctx) -> MockReply:
    client_id = _client_id(ctx)
    if not job_store(ctx).oauth.delete(job_team(ctx), client_id):
        raise _not_found()
    return MockReply(body={"message": "OAuth app deleted successfully", "client_id": client_id})


@generator("regenerateOAuthClientSecret")
def regenerate_secret(ctx) -> MockReply:
    store = job_store(ctx)
    client_id = _client_id(ctx)
    secret = store.oauth.regenerate_secret(job_team(ctx), client_id, store.now_ms())
    if secret is None:
        raise _not_found()
    return MockReply(
        body={"client_id": client_id, "client_secret": secret, "message": "Client secret regenerated successfully"}
    )
