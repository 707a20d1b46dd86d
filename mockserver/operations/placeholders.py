"""Routes the gateway answers with 501 (GATEWAY-BEHAVIOUR §8)."""

from __future__ import annotations

from mockserver.errors import not_found
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

_FILES = "Files endpoint is not implemented yet."
_BATCHES = "Batch endpoint is not implemented yet."
_REALTIME = {
    "createRealtimeSessionPlaceholder": "realtime",
    "createRealtimeSessionsPlaceholder": "realtime.sessions",
    "createRealtimeClientSecretsPlaceholder": "realtime.client_secrets",
    "createRealtimeCallPlaceholder": "realtime.calls",
    "getRealtimeCallPlaceholder": "realtime.calls.retrieve",
}


def _not_implemented(description: str, **extra) -> MockReply:
    return MockReply(
        status=501, body={"status_code": 501, "error": "not_implemented", "description": description, **extra}
    )


@generator("uploadFile", "listFiles")
def files(ctx: SynthesisContext) -> MockReply:
    return _not_implemented(_FILES)


@generator("retrieveFile")
def file(ctx: SynthesisContext) -> MockReply:
    return _not_implemented(_FILES, file_id=ctx.request.path_params.get("file_id", ""))


@generator("createBatch", "createBatchAlias")
def batches(ctx: SynthesisContext) -> MockReply:
    return _not_implemented(_BATCHES)


@generator("retrieveBatch", "retrieveBatchAlias")
def batch(ctx: SynthesisContext) -> MockReply:
    batch_id = ctx.request.path_params.get("batch_id") or ctx.request.path_params.get("id", "")
    raise not_found("batch_not_found_or_not_owned", batch_id=batch_id, team_id=ctx.request.key.team_id)


def _realtime(operation_id: str):
    name = _REALTIME[operation_id]

    def answer(ctx: SynthesisContext) -> MockReply:
        return MockReply(
            status=501, body={"error": {"type": "not_implemented", "message": f"{name} is not implemented yet"}}
        )

    return answer


for _operation_id in _REALTIME:
    generator(_operation_id, _operation_id.replace("Realtime", "AudioRealtime", 1))(_realtime(_operation_id))


@generator("openResponsesWebSocket")
def websocket_upgrade_required(ctx: SynthesisContext) -> MockReply:
    """Plain HTTP on the WebSocket route: 426, checked before authentication (§5)."""
    return MockReply(
        status=426,
        body={
            "error": {
                "type": "invalid_request_error",
                "code": "websocket_upgrade_required",
                "message": "Use WebSocket upgrade for /v1/responses/ws.",
            }
        },
    )
