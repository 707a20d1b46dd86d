"""Render a :class:`GatewayFailure` in the error envelope of its route family (§2)."""

from __future__ import annotations

from typing import Any

from mockserver.encoding.dialect_envelopes import error_dialect
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply

_RAW_EXTRA = ("request_id", "team_id", "video_id", "music_id", "batch_id", "file_id")
_CONTROL_EXTRA = ("code", "max_offset", "privacy_scope")
PRETTY_FAMILIES = ("control", "oauth", "generations", "public")


def render_failure(failure: GatewayFailure, family: str, generation_id: str, dialect: str | None = None) -> MockReply:
    """The reply the gateway sends for ``failure`` on a route of ``family``.

    ``dialect`` names an older contract's error envelopes (``ContractIndex.dialect``).
    """
    older = error_dialect(dialect)
    if older is not None:
        return older.reshape(render_failure(failure, older.family, generation_id))
    render = _RENDERERS.get(family, _control)
    body = render(failure, generation_id)
    headers = {"Cache-Control": "no-store", **failure.headers}
    if family == "inference":
        headers["X-Gateway-Error-Attribution"] = failure.attribution
    return MockReply(
        status=failure.status, body=body, headers=headers, pretty=family in PRETTY_FAMILIES, failure=failure
    )


def _inference(failure: GatewayFailure, generation_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"generation_id": generation_id, "status_code": failure.status, "error": failure.code}
    if not failure.passthrough:
        body["error_type"] = failure.error_type
    body["description"] = failure.description
    if failure.details:
        body["details"] = [detail.as_dict() for detail in failure.details]
    return body


def _raw(failure: GatewayFailure, generation_id: str, *, with_request_id: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"error": failure.code}
    if failure.reason:
        body["reason"] = failure.reason
    elif failure.description != failure.code:
        body["message"] = failure.description
    if with_request_id and (failure.status == 401 or "request_id" in failure.extra):
        body["request_id"] = generation_id
    body.update({key: failure.extra[key] for key in _RAW_EXTRA if key in failure.extra and key != "request_id"})
    if failure.details:
        body["details"] = [detail.as_dict() for detail in failure.details]
    return body


def _files(failure: GatewayFailure, generation_id: str) -> dict[str, Any]:
    return _raw(failure, generation_id, with_request_id=False)


def _control(failure: GatewayFailure, generation_id: str) -> dict[str, Any]:
    if failure.status == 401:
        return _raw(failure, generation_id)
    return _ok_false(failure)


def _ok_false(failure: GatewayFailure) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error": failure.code}
    if failure.reason:
        body["reason"] = failure.reason
    if failure.description not in (failure.code, failure.reason):
        body["message"] = failure.description
    body.update({key: failure.extra[key] for key in _CONTROL_EXTRA if key in failure.extra})
    if failure.details:
        body["details"] = [detail.as_dict() for detail in failure.details]
    return body


def _generations(failure: GatewayFailure, generation_id: str) -> dict[str, Any]:
    return _ok_false(failure)


_RENDERERS = {
    "inference": _inference,
    "job": _raw,
    "files": _files,
    "control": _control,
    "oauth": _raw,
    "generations": _generations,
    "public": _control,
}
