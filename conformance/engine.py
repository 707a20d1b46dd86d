"""Drive Schemathesis's engine over the prepared spec and fold its events into a result.

``schemathesis.engine.from_schema(schema).execute()`` is an internal API of
Schemathesis 4.32 (pinned in pyproject.toml): events are read for progress and results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

from conformance.checks import ALL_CHECKS, DISABLED_BUILTINS, GatewayCheckFailure
from conformance.options import Options
from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult

ENGINE_PHASES = ("examples", "coverage", "fuzzing", "stateful")
#: Positive data may meet a model id the catalogue does not serve: the gateway then answers
#: 400 unsupported_model_or_endpoint, a correct answer to a schema-valid request.
ACCEPTED_REJECTIONS = {"unsupported_model_or_endpoint"}
Progress = Callable[[str], None]


def checks_config(selected: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {"enabled": False}
    for name in selected:
        config[name] = {"enabled": True}
    if "negative_data_rejection" in selected:
        # Schema-violating input must be refused with a client error; 5xx is never a rejection.
        config["negative_data_rejection"]["expected-statuses"] = ["4XX"]
    for name in DISABLED_BUILTINS:
        config[name] = {"enabled": False}
    return config


def operation_overrides(spec: dict[str, Any], selected: list[str]) -> list[dict[str, Any]]:
    """Per-operation check settings for the gateway's designed non-2xx answers.

    - ``not_a_server_error`` accepts a documented 501 (placeholders, ``privacy_scope=team``)
      and, outside the inference family, a documented 503 (the server lacks configuration,
      e.g. ``control_secret_missing``): the gateway answers so by design. Inference 5xx
      are upstream failures and stay failures.
    - Operations that document no 2xx at all (placeholders, ``GET /responses/ws``) give
      their documented answer to any request: ``positive_data_acceptance`` and
      ``negative_data_rejection`` accept those statuses there.
    - Operations whose body is a form (multipart or urlencoded) carry every field as text:
      a schema-violating value, once encoded (an object ``{}`` becomes the text ``"{}"``),
      can be a valid text for the field, so ``negative_data_rejection`` accepts a 2xx there
      (a 5xx stays a failure).
    """
    entries = []
    for item in spec.get("paths", {}).values():
        for _method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            checks = _designed_answers(op, {str(code).upper() for code in op["responses"]}, selected)
            if checks and op.get("operationId"):
                entries.append({"include-operation-id": op["operationId"], "checks": checks})
    return entries


def _designed_answers(op: dict[str, Any], codes: set[str], selected: list[str]) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    designed_5xx = {"501"} & codes
    if op.get("x-aistats-family") != "inference":
        designed_5xx |= {"503"} & codes
    if designed_5xx and "not_a_server_error" in selected:
        checks["not_a_server_error"] = {"expected-statuses": ["2XX", "3XX", "4XX", *sorted(designed_5xx)]}
    if _form_body_only(op) and "negative_data_rejection" in selected:
        checks["negative_data_rejection"] = {"expected-statuses": ["2XX", "4XX"]}
    if not any(code.startswith("2") for code in codes):
        documented = {code for code in codes if code[0] in "12345"}
        if "positive_data_acceptance" in selected:
            checks["positive_data_acceptance"] = {"expected-statuses": sorted({*POSITIVE_DEFAULTS, *documented})}
        if "negative_data_rejection" in selected:
            checks["negative_data_rejection"] = {"expected-statuses": sorted({"4XX", *documented})}
    return checks


def _form_body_only(op: dict[str, Any]) -> bool:
    content = (op.get("requestBody") or {}).get("content") or {}
    forms = ("multipart/form-data", "application/x-www-form-urlencoded")
    return bool(content) and all(media in forms for media in content)


POSITIVE_DEFAULTS = ("2XX", "3XX", "401", "403", "404", "409", "429", "5XX")


def build_config(options: Options, spec: dict[str, Any], selected: list[str]) -> Any:
    headers = {**options.extra_headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    phases = {name: {"enabled": name in options.phases} for name in ENGINE_PHASES}
    data: dict[str, Any] = {
        "base-url": options.base_url,
        "headers": headers,
        "workers": max(1, options.workers),
        "generation": {"max-examples": options.max_examples, "database": "none"},
        "phases": phases,
        "checks": checks_config(selected),
        "max-stream-events": options.max_stream_events,
        "request-timeout": options.request_timeout,
        "color": False,
    }
    if options.seed is not None:
        data["seed"] = options.seed
    if options.rate_limit:
        data["rate-limit"] = options.rate_limit
    overrides = operation_overrides(spec, selected)
    if overrides:
        # Safe: operations are selected on the spec dict, not with schema.include().
        data["operations"] = overrides
    return schemathesis.Config.from_dict(data)


def selected_checks(options: Options) -> list[str]:
    unknown = [name for name in options.checks if name not in ALL_CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; known: {sorted(ALL_CHECKS)}")
    return list(options.checks) if options.checks else list(ALL_CHECKS)


class EngineRun:
    """One pass of the engine; ``stop()`` may be called from any thread (spend guard)."""

    def __init__(self, schema: Any, result: RunResult, redactor: Redactor, progress: Progress):
        self.schema = schema
        self.result = result
        self.redactor = redactor
        self.progress = progress
        self._stream: Any = None
        self._stop_requested = False
        #: Where answered statuses are counted (a ``CoverageRecorder``), when the run keeps coverage.
        self.coverage: Any = None

    def stop(self) -> None:
        self._stop_requested = True
        if self._stream is not None:
            self._stream.stop()

    def execute(self) -> None:
        self._stream = from_schema(self.schema).execute()
        if self._stop_requested:
            self._stream.stop()
        for event in self._stream:
            self._handle(event)

    def _handle(self, event: Any) -> None:
        if isinstance(event, events.PhaseStarted):
            self.progress(f"phase {event.phase.name.value} …")
        elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self._scenario(event)
        elif isinstance(event, events.NonFatalError):
            self._error(event)
        elif isinstance(event, events.FatalError):
            self.result.harness_errors.append(self.redactor.text(f"engine error: {event.exception}"))
        elif isinstance(event, events.EngineFinished) and event.stop_reason.value != "completed":
            self.result.stopped_early = self.result.stopped_early or event.stop_reason.value

    def _scenario(self, event: Any) -> None:
        recorder = event.recorder
        phase = event.phase.value if hasattr(event.phase, "value") else str(event.phase)
        summary = self.result.operation(recorder.label)
        if event.status.value == "skip":
            summary.skipped = summary.skipped or event.skip_reason
        summary.cases += len(recorder.cases)
        if self.coverage is not None:
            self._count_statuses(recorder)
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                tally = summary.tally(node.name)
                if node.failure_info is None:
                    tally.passed += 1
                    continue
                if self._accepted(node, recorder, case_id):
                    tally.passed += 1
                    continue
                tally.failed += 1
                self.result.add_failure(self._record(node, recorder, case_id, phase))
        mark = "FAIL" if summary.failed else "ok"
        self.progress(f"[{phase:>8}] {recorder.label:<55} {len(recorder.cases):>4} cases  {mark}")

    def _count_statuses(self, recorder: Any) -> None:
        """Every answer of the scenario, the checks' own requests (e.g. without auth) included."""
        for case_id, interaction in recorder.interactions.items():
            node = recorder.cases.get(case_id)
            if node is not None and interaction.response is not None:
                self.coverage.observe(node.value, interaction.response)

    def _accepted(self, node: Any, recorder: Any, case_id: str) -> bool:
        if node.name == "ensure_resource_availability":
            return deleted_earlier_through_an_alias(recorder, case_id)
        if node.name != "positive_data_acceptance":
            return False
        response = recorder.find_response(case_id=node.failure_info.failure.case_id or case_id)
        try:
            body = response.json() if response is not None else None
        except Exception:
            return False
        code = body.get("error") if isinstance(body, dict) else None  # an object in OpenAI's shape
        return response.status_code == 400 and isinstance(code, str) and code in ACCEPTED_REJECTIONS

    def _record(self, node: Any, recorder: Any, case_id: str, phase: str) -> FailureRecord:
        info = node.failure_info
        failure = info.failure
        response = recorder.find_response(case_id=failure.case_id or case_id)
        curls = [step.curl for step in info.steps] or [info.code_sample]
        excerpt = None
        if response is not None and response.content:
            excerpt = response.content[:600].decode("utf-8", errors="replace")
        expected = failure.expected if isinstance(failure, GatewayCheckFailure) else None
        actual = failure.actual if isinstance(failure, GatewayCheckFailure) else None
        return FailureRecord(
            check=node.name,
            operation=failure.operation or recorder.label,
            title=failure.title,
            message=self.redactor.text(failure.message or ""),
            phase=phase,
            curl=[self.redactor.text(_curl_only(curl)) for curl in curls],
            expected=self.redactor.text(expected) if expected else None,
            actual=self.redactor.text(actual) if actual else None,
            status=response.status_code if response is not None else None,
            response_excerpt=self.redactor.text(excerpt) if excerpt else None,
        )

    def _error(self, event: Any) -> None:
        import requests

        message = self.redactor.text(f"{type(event.value).__name__}: {event.value}")[:800]
        if isinstance(event.value, (requests.RequestException, TimeoutError, ConnectionError)):
            # The target failed to answer (reset, timeout, hang): a breach, not a harness problem.
            self.result.add_failure(
                FailureRecord(
                    check="target_answers",
                    operation=event.label,
                    title="No answer from the target",
                    message=message,
                    phase=event.phase.value if event.phase else "engine",
                )
            )
        else:
            self.result.notes.append(f"{event.label}: {message}")
        self.progress(f"error in {event.label}: {message[:160]}")


def _curl_only(code_sample: str) -> str:
    """Schemathesis code samples start with prose; keep the curl command."""
    start = code_sample.find("curl ")
    return code_sample[start:].strip() if start >= 0 else code_sample.strip()


def deleted_earlier_through_an_alias(recorder: Any, case_id: str) -> bool:
    """Whether an earlier step of the scenario deleted the resource this 404 is about.

    Schemathesis's ``ensure_resource_availability`` looks for a DELETE of the same path
    template only; the gateway has aliases (``/videos/{id}`` and ``/video/generations/{id}``
    name one job), so a job deleted through one and then read through the other is a correct
    404 that the built-in check reports as a breach.
    """
    target = recorder.cases.get(case_id)
    if target is None:
        return False
    wanted = {(name, str(value)) for name, value in (target.value.path_parameters or {}).items()}
    for earlier_id, node in recorder.cases.items():
        if earlier_id == case_id:
            return False  # only steps before this one count
        case = node.value
        named = {(name, str(value)) for name, value in (case.path_parameters or {}).items()}
        if case.method.upper() != "DELETE" or not wanted & named:
            continue
        response = recorder.find_response(case_id=earlier_id)
        if response is not None and 200 <= response.status_code < 300:
            return True
    return False
