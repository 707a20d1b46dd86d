"""Scripted stateful workflows on the target's live clock.

Each workflow drives real operations of the loaded schema through Schemathesis
``Case`` objects, so every answer passes the same checks as generated traffic (and the
stateful gateway checks see the whole story): a video/music job is created, read
before it is ready, polled to a terminal state, downloaded and deleted; a management
key is created, read, disabled, used, deleted, read and used again; list endpoints are
paged with ``limit``/``offset``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from requests.structures import CaseInsensitiveDict
from schemathesis.checks import CHECKS, CheckContext, is_check_class, run_checks

from conformance.checks import GatewayCheckFailure
from conformance.checks.pagination import list_items
from conformance.context import registered
from conformance.guards import SpendCapReached
from conformance.options import Options
from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult
from conformance.state import TERMINAL_JOB_STATUSES

#: Built-ins that only read the answer (the others re-send requests).
PASSIVE_BUILTINS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
JOB_CREATES = ("createVideo", "generateMusic")
KEY_CREATES = ("createProvisioningKey", "createProvisioningKeyAlias", "createProvisioningKeyLegacy")


class Workflows:
    def __init__(
        self,
        schema: Any,
        options: Options,
        result: RunResult,
        redactor: Redactor,
        selected: list[str],
        progress: Callable[[str], None],
        allow_call: Callable[[Any], bool],
    ):
        self.schema = schema
        self.options = options
        self.result = result
        self.redactor = redactor
        self.progress = progress
        self.allow_call = allow_call
        self.headers = {**options.extra_headers}
        if options.api_key:
            self.headers["Authorization"] = f"Bearer {options.api_key}"
        registered = set(CHECKS.get_all_names())
        # run_checks calls plain check functions; class-based checks (none today) need schemathesis' RunChecks.
        self.checks = [
            check
            for name in selected
            if name in registered and (name in PASSIVE_BUILTINS or not _builtin(name))
            if not is_check_class(check := CHECKS.get_one(name))
        ]
        self.operations = {op.definition.raw.get("operationId"): op for op in _operations(schema)}

    # ---- plumbing ---------------------------------------------------------------------
    def call(self, op_id: str, *, headers: dict[str, str] | None = None, **parts: Any) -> Any | None:
        operation = self.operations.get(op_id)
        if operation is None or not self.allow_call(operation):
            return None
        case = operation.Case(**parts)
        sent = {**self.headers, **(headers or {})}
        try:
            response = case.call(base_url=self.options.base_url, headers=sent, timeout=self.options.request_timeout)
        except SpendCapReached as exc:
            self.result.notes.append(str(exc))
            return None
        except Exception as exc:
            self._failure("target_answers", case, "No answer from the target", f"{type(exc).__name__}: {exc}", sent)
            return None
        self._check(case, response, sent)
        return response

    def _check(self, case: Any, response: Any, headers: dict[str, str]) -> None:
        config = self.schema.config.checks_config_for(operation=case.operation, phase=None)
        ctx = CheckContext(
            override=None,
            auth=None,
            headers=CaseInsensitiveDict(headers),
            config=config,
            transport_kwargs={"base_url": self.options.base_url},
            recorder=None,
            response_checks=None,
        )
        summary = self.result.operation(case.operation.label)
        summary.cases += 1

        def on_failure(name, collected, failure):
            collected.add(failure)
            summary.tally(name).failed += 1
            self._record(name, case, response, failure, headers)

        def on_success(name, _case):
            summary.tally(name).passed += 1

        run_checks(
            case=case,
            response=response,
            ctx=ctx,
            checks=self.checks,
            on_failure=on_failure,
            on_success=on_success,
        )

    def _record(self, name: str, case: Any, response: Any, failure: Any, headers: dict[str, str]) -> None:
        excerpt = (response.content or b"")[:600].decode("utf-8", errors="replace") if response is not None else None
        gateway = isinstance(failure, GatewayCheckFailure)
        self.result.add_failure(
            FailureRecord(
                check=name,
                operation=case.operation.label,
                title=failure.title,
                message=self.redactor.text(failure.message or ""),
                phase="workflows",
                curl=[self.redactor.text(case.as_curl_command(headers=headers))],
                expected=self.redactor.text(failure.expected) if gateway else None,
                actual=self.redactor.text(failure.actual) if gateway else None,
                status=response.status_code if response is not None else None,
                response_excerpt=self.redactor.text(excerpt) if excerpt else None,
            )
        )

    def _failure(
        self,
        check: str,
        case: Any,
        title: str,
        actual: str,
        headers: dict[str, str],
        expected: str = "an answer",
    ) -> None:
        self.result.operation(case.operation.label).tally(check).failed += 1
        self.result.add_failure(
            FailureRecord(
                check=check,
                operation=case.operation.label,
                title=title,
                phase="workflows",
                message=self.redactor.text(f"Expected: {expected}\nActual: {actual}"),
                curl=[self.redactor.text(case.as_curl_command(headers=headers))],
                expected=expected,
                actual=self.redactor.text(actual),
            )
        )

    # ---- workflows --------------------------------------------------------------------
    def run_all(self) -> None:
        for op_id in JOB_CREATES:
            if op_id in self.operations:
                self.job_lifecycle(op_id)
        key_create = next((op for op in KEY_CREATES if op in self.operations), None)
        if key_create:
            self.key_lifecycle(key_create)
        self.pagination()

    def job_lifecycle(self, create_id: str) -> None:
        self.progress(f"[workflow] job lifecycle via {create_id}")
        response = self.call(
            create_id,
            body=_example_body(context_for_schema(self.schema).index, create_id),
            media_type="application/json",
        )
        if response is None or not 200 <= response.status_code < 300:
            self.result.notes.append(
                f"job workflow {create_id}: creation answered "
                f"{getattr(response, 'status_code', 'nothing')}; lifecycle not exercised"
            )
            return
        body = response.json()
        job_id, status = body.get("id"), body.get("status")
        poll, content, delete = _job_routes(self.operations, create_id)
        param = "video_id" if "ideo" in create_id else "music_id"
        if content and status not in TERMINAL_JOB_STATUSES:
            self.call(content, path_parameters={param: job_id})
        status = self._poll(poll, param, job_id, status)
        if status == "completed" and content:
            got = self.call(content, path_parameters={param: job_id})
            if got is not None and got.status_code != 200:
                self._failure(
                    "job_content_not_ready_then_bytes",
                    self.operations[content].Case(path_parameters={param: job_id}),
                    "No bytes after completion",
                    f"{got.status_code}",
                    self.headers,
                    expected="200 with the media bytes",
                )
        if delete:
            gone = self.call(delete, path_parameters={param: job_id})
            if gone is not None and 200 <= gone.status_code < 300:
                if poll:
                    self.call(poll, path_parameters={param: job_id})
                if content:
                    self.call(content, path_parameters={param: job_id})

    def _poll(self, poll: str | None, param: str, job_id: str, status: str | None) -> str | None:
        if poll is None:
            return status
        deadline = time.monotonic() + self.options.job_timeout
        while True:
            response = self.call(poll, path_parameters={param: job_id})
            if response is None or response.status_code != 200:
                return None
            status = response.json().get("status")
            if status in TERMINAL_JOB_STATUSES:
                # Once more: a terminal status must stay put.
                self.call(poll, path_parameters={param: job_id})
                return status
            if time.monotonic() >= deadline:
                case = self.operations[poll].Case(path_parameters={param: job_id})
                self._failure(
                    "job_reaches_terminal_state",
                    case,
                    "Job never finished",
                    f"still {status!r} after {self.options.job_timeout:.0f} s",
                    self.headers,
                    expected="a terminal status (completed/failed) within the poll timeout",
                )
                return status
            time.sleep(self.options.poll_interval)

    def key_lifecycle(self, create_id: str) -> None:
        self.progress(f"[workflow] key lifecycle via {create_id}")
        name = f"aistats-conformance-{uuid.uuid4().hex[:8]}"
        response = self.call(create_id, body={"name": name}, media_type="application/json")
        if response is None or not 200 <= response.status_code < 300:
            self.result.notes.append(f"key workflow: creation answered {getattr(response, 'status_code', 'nothing')}")
            return
        key = response.json().get("key") or {}
        key_id, token = key.get("id"), key.get("key")
        if token:
            self.redactor.add(token)
        get, update, delete = (_sibling(self.operations, create_id, method) for method in ("GET", "PATCH", "DELETE"))
        use = next((op for op in ("getCredits", "listModels", "listProviders") if op in self.operations), None)
        user = {"Authorization": f"Bearer {token}"} if token else None
        if get:
            self.call(get, path_parameters={"id": key_id})
        if update:
            self.call(
                update,
                path_parameters={"id": key_id},
                body={"status": "disabled"},
                media_type="application/json",
            )
            if get:
                self.call(get, path_parameters={"id": key_id})
            if use and user:
                self.call(use, headers=user)
        if delete:
            self.call(delete, path_parameters={"id": key_id})
            if get:
                self.call(get, path_parameters={"id": key_id})
            if use and user:
                self.call(use, headers=user)

    def pagination(self) -> None:
        for op_id, operation in self.operations.items():
            params = {p["name"]: p for p in operation.definition.raw.get("parameters", []) if "name" in p}
            required = [n for n, p in params.items() if p.get("required") and p.get("in") != "header"]
            if operation.method.upper() != "GET" or not {"limit", "offset"} <= set(params) or required:
                continue
            self.progress(f"[workflow] pagination of {operation.label}")
            first = self.call(op_id, query={"limit": 2, "offset": 0})
            second = self.call(op_id, query={"limit": 1, "offset": 1})
            if first is None or second is None or first.status_code != 200 or second.status_code != 200:
                continue
            page_one, page_two = list_items(first.json()), list_items(second.json())
            if not page_one or not page_two or len(page_one[1]) < 2:
                continue
            if page_two[1][:1] != page_one[1][1:2]:
                case = operation.Case(query={"limit": 1, "offset": 1})
                self._failure(
                    "list_pagination_respected",
                    case,
                    "offset does not page through the list",
                    f"{str(page_two[1][:1])[:200]}",
                    self.headers,
                    expected=f"the second item of limit=2 offset=0: {str(page_one[1][1:2])[:200]}",
                )


def context_for_schema(schema: Any) -> Any:
    from conformance.context import RunContext

    return registered(schema) or RunContext.build(schema.raw_schema)


def _builtin(name: str) -> bool:
    from conformance.checks import BUILTIN_CHECKS

    return name in BUILTIN_CHECKS


def _operations(schema: Any) -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        operation = result.ok() if hasattr(result, "ok") else result
        if operation is not None:
            found.append(operation)
    return found


def _example_body(index: Any, op_id: str) -> dict[str, Any]:
    """The first named JSON example of the operation's request body (refs resolved)."""
    operation = index.operations.get(op_id)
    media = operation.request_media_types.get("application/json") if operation else None
    for value in (media.examples if media else {}).values():
        if isinstance(value, dict):
            return value
    return {"model": "openai/sora-2", "prompt": "A lighthouse at dawn"}


def _job_routes(operations: dict[str, Any], create_id: str) -> tuple[str | None, str | None, str | None]:
    create = operations[create_id]
    base = create.path.rstrip("/")
    poll = content = delete = None
    for op_id, operation in operations.items():
        path, method = operation.path, operation.method.upper()
        if not path.startswith(base + "/{"):
            continue
        tail = path[len(base) :].split("/")
        if method == "GET" and len(tail) == 2:
            poll = op_id
        elif method == "GET" and path.endswith("/content"):
            content = op_id
        elif method == "DELETE":
            delete = op_id
    return poll, content, delete


def _sibling(operations: dict[str, Any], create_id: str, method: str) -> str | None:
    base = operations[create_id].path.rstrip("/")
    for op_id, operation in operations.items():
        if operation.method.upper() == method and operation.path == f"{base}/{{id}}":
            return op_id
    return None
