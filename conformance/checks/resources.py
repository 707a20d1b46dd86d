"""Stateful properties of jobs and management keys, judged against the run's history.

Schemathesis's stateful phase (following the spec's links) and the suite's scripted
workflows both feed these checks; each answer is compared with what the run saw before.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.checks._support import fail, is_probe, json_body, path_parameter, register, request_header
from conformance.context import context_for, registered
from conformance.state import TERMINAL_JOB_STATUSES

register("job_status_never_regresses", "a job's status and progress never go back between polls")
register("job_content_not_ready_then_bytes", "job content is 409 not_ready before completion, bytes after")
register("deleted_job_gone", "a deleted job answers 404 on every later read")
register("key_lifecycle_enforced", "a deleted key reads 404; a disabled or deleted key cannot authenticate")

JOB_ID_PARAMS = ("video_id", "music_id")


def job_id(case: Any) -> str | None:
    return path_parameter(case, *JOB_ID_PARAMS)


def job_route(case: Any) -> str | None:
    """``poll``, ``content``, ``delete`` or ``create`` for job operations, else None."""
    operation = context_for(case).operation(case)
    if operation is None:
        return None
    if operation.family == "job":
        if case.method.upper() == "DELETE":
            return "delete"
        return "content" if case.operation.path.endswith("/content") else "poll"
    if case.method.upper() == "POST" and case.operation.path.rstrip("/").endswith(
        ("/videos", "/video/generations", "/music/generate", "/music/generations")
    ):
        return "create"
    return None


def _progress(body: dict[str, Any]) -> float | None:
    value = body.get("progress")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@schemathesis.check
def job_status_never_regresses(ctx, response, case):
    if is_probe(case):
        return None
    route = job_route(case)
    body = json_body(response)
    if route not in ("poll", "create") or not 200 <= response.status_code < 300 or not isinstance(body, dict):
        return None
    identifier = job_id(case) if route == "poll" else body.get("id")
    if not isinstance(identifier, str):
        return None
    status = body.get("status") if isinstance(body.get("status"), str) else None
    problems = context_for(case).tracker.observe_job(identifier, status, _progress(body))
    if problems:
        raise fail(
            "job_status_never_regresses",
            case,
            "Job status regressed",
            "monotonic status and progress",
            f"job {identifier}: " + "; ".join(problems),
        )
    return None


@schemathesis.check
def job_content_not_ready_then_bytes(ctx, response, case):
    if is_probe(case):
        return None
    if job_route(case) != "content":
        return None
    record = context_for(case).tracker.job(job_id(case) or "")
    status = response.status_code
    if status == 409:
        body = json_body(response)
        if isinstance(body, dict) and body.get("error") != "not_ready":
            raise fail(
                "job_content_not_ready_then_bytes",
                case,
                "409 is not not_ready",
                "error `not_ready`",
                body.get("error"),
            )
        if record is not None and record.status == "completed" and not record.deleted:
            raise fail(
                "job_content_not_ready_then_bytes",
                case,
                "Content refused after completion",
                "200 with the bytes once the job completed",
                "409 not_ready",
            )
    elif 200 <= status < 300:
        if not response.content:
            raise fail("job_content_not_ready_then_bytes", case, "Empty content", "the media bytes", "0 bytes")
        if record is not None and record.status in TERMINAL_JOB_STATUSES - {"completed"}:
            raise fail(
                "job_content_not_ready_then_bytes",
                case,
                "Content of an unfinished job",
                "409 for a job that did not complete",
                f"200 while the job is {record.status}",
            )
    return None


@schemathesis.check
def deleted_job_gone(ctx, response, case):
    if is_probe(case):
        return None
    route = job_route(case)
    identifier = job_id(case)
    if route not in ("poll", "content", "delete") or identifier is None:
        return None
    tracker = context_for(case).tracker
    record = tracker.job(identifier)
    refused = response.status_code == 401  # the request's own credentials were refused first
    if record is not None and record.deleted and response.status_code != 404 and not refused:
        raise fail(
            "deleted_job_gone",
            case,
            "Deleted job still answers",
            "404 not_found",
            f"{response.status_code} for job {identifier}",
        )
    if route == "delete" and 200 <= response.status_code < 300:
        tracker.mark_job_deleted(identifier)
    return None


def _key_route(case: Any) -> str | None:
    path = case.operation.path
    if not path.endswith(("/keys", "/keys/{id}", "/key")) or "invalidate" in path:
        return None
    method = case.method.upper()
    if method == "POST":
        return "create"
    if method == "GET" and (path.endswith("{id}") or path.endswith("/key")):
        return "get"
    return {"PATCH": "update", "DELETE": "delete"}.get(method)


def _key_id(case: Any) -> str | None:
    found = path_parameter(case, "id")
    if found is None and isinstance(case.query, dict) and case.query.get("id") is not None:
        found = str(case.query["id"])
    return found


@schemathesis.hook("before_call")
def note_key_request(ctx: Any, case: Any, **kwargs: Any) -> None:
    """Before a request of a suite run leaves: time the requests ``key_lifecycle_enforced`` judges,
    and count a change to a key as in flight, so concurrent workers are not misjudged. (Schemathesis
    takes ``before_call`` hooks only globally: runs of other schemas are left alone.)"""
    context = registered(case.operation.schema)
    if context is None:
        return
    tracker = context.tracker
    route = _key_route(case)
    token = _bearer_of(case)
    if route is None and (token is None or tracker.key_by_token(token) is None):
        return
    tracker.request_sent(id(case))
    identifier = _key_id(case) if route in ("update", "delete") else None
    if identifier:
        tracker.change_sent(identifier)


def _bearer_of(case: Any) -> str | None:
    headers = {str(k).lower(): v for k, v in (case.headers or {}).items()}
    value = str(headers.get("authorization") or "")
    return value[len("Bearer ") :].strip() if value.startswith("Bearer ") else None


@schemathesis.check
def key_lifecycle_enforced(ctx, response, case):
    if is_probe(case):
        return None
    tracker = context_for(case).tracker
    try:
        _judge_key_answer(case, response, tracker)
    finally:
        tracker.forget_request(id(case))
    return None


def _judge_key_answer(case: Any, response: Any, tracker: Any) -> None:
    _reject_dead_token(case, response, tracker)
    route = _key_route(case)
    if route is None:
        return None
    success = 200 <= response.status_code < 300
    body = json_body(response)
    if route == "create" and success and isinstance(body, dict) and isinstance(body.get("key"), dict):
        key = body["key"]
        if isinstance(key.get("id"), str):
            tracker.key_created(key["id"], key.get("key"), key.get("status") or "active")
        return None
    identifier = _key_id(case)
    if not identifier:
        return None
    record = tracker.key(identifier)
    if record is None:
        return None
    if route == "get":
        if tracker.settled(identifier, id(case)):
            _check_read(case, response, body, record)
        return None
    if route == "update" and success and isinstance(case.body, dict) and isinstance(case.body.get("status"), str):
        tracker.key_changed(identifier, case.body["status"])
    elif route == "delete" and success:
        tracker.key_deleted(identifier)
    if route in ("update", "delete"):
        tracker.change_answered(identifier)
    return None


def _check_read(case, response, body, record) -> None:
    if response.status_code == 401:
        return  # the request's own credentials were refused first
    if record.deleted and response.status_code != 404:
        raise fail("key_lifecycle_enforced", case, "Deleted key still readable", "404", str(response.status_code))
    if not record.deleted and 200 <= response.status_code < 300 and isinstance(body, dict):
        status = (body.get("key") or {}).get("status") if isinstance(body.get("key"), dict) else None
        if status is not None and status != record.status:
            raise fail(
                "key_lifecycle_enforced",
                case,
                "Key status not kept",
                f"status {record.status!r}",
                f"status {status!r}",
            )


def _reject_dead_token(case, response, tracker) -> None:
    operation = context_for(case).operation(case)
    authorization = request_header(response, "Authorization") or ""
    if operation is None or not operation.requires_auth or not authorization.startswith("Bearer "):
        return
    found = tracker.key_by_token(authorization[len("Bearer ") :].strip())
    if found is None:
        return
    key_id, record = found
    if not tracker.settled(key_id, id(case)):
        return  # sent while the key was changing: either answer is right
    if (record.deleted or record.status != "active") and response.status_code != 401:
        state = "deleted" if record.deleted else record.status
        raise fail(
            "key_lifecycle_enforced",
            case,
            "A dead key still authenticates",
            "401 unauthorised",
            f"{response.status_code} with the {state} key {key_id}",
        )
