"""``conformance.run(options)``: the whole suite as one Python call (the CLI and the
pytest plugin are thin layers over it)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from conformance.options import EXPENSIVE_PATH_PREFIXES, Options
from conformance.redact import Redactor
from conformance.results import RunResult
from conformance.spec import (
    HarnessError,
    expensive_operation_ids,
    load_spec,
    schemathesis_view,
    select_operations,
)


def run(options: Options | None = None, *, progress: Callable[[str], None] | None = None, **fields: Any) -> RunResult:
    """Check the gateway at ``options.base_url`` against the contract.

    Never raises for the target's faults: they are the result's failures (exit 1), and
    problems of the harness itself are its ``harness_errors`` (exit 2).
    """
    options = (options or Options(**fields)).resolved()
    redactor = Redactor(options.api_key, options.api_key_2)
    say = _redacting(progress or (lambda message: None), redactor)
    result = RunResult(base_url=options.base_url, spec=options.spec or "packaged 2026-03", profile=options.profile)
    started = time.monotonic()
    try:
        _run(options, result, redactor, say)
    except HarnessError as exc:
        result.harness_errors.append(redactor.text(str(exc)))
    finally:
        result.duration_s = time.monotonic() - started
    _write_reports(options, result, redactor)
    return result


def _run(options: Options, result: RunResult, redactor: Redactor, say: Callable[[str], None]) -> None:
    import schemathesis

    from conformance import checks  # noqa: F401  (registers the gateway checks)
    from conformance.context import RunContext, attach
    from conformance.engine import ENGINE_PHASES, EngineRun, build_config, selected_checks
    from conformance.findings import FindingSink
    from conformance.gateway_flows import run_gateway_flows
    from conformance.guards import CleanupRegistry, SpendGuard
    from conformance.spend import open_wallet, settle_spend
    from conformance.workflows import Workflows
    from mockserver.contract import ContractIndex

    try:
        selected = selected_checks(options)
    except ValueError as exc:
        raise HarnessError(str(exc)) from exc
    spec = load_spec(options.spec, timeout=options.request_timeout)
    _preflight(options)
    drop: set[str] = set()
    if options.is_live and not options.allow_expensive:
        drop = expensive_operation_ids(ContractIndex(spec), EXPENSIVE_PATH_PREFIXES)
        if drop:
            result.notes.append(
                f"live profile: skipped {len(drop)} expensive media operations "
                f"(--allow-expensive to include): {', '.join(sorted(drop))}"
            )
    if options.max_spend_usd is not None and options.max_spend_usd <= 0:
        drop |= {op.operation_id for op in ContractIndex(spec).operations.values() if op.priced}
        result.notes.append("spend cap is 0: billed operations left out")
    chosen = select_operations(spec, options.include, options.exclude, drop)
    if not chosen.get("paths"):
        raise HarnessError("no operation of the spec matches --include/--exclude")
    context = RunContext.build(chosen)
    try:
        schema = schemathesis.openapi.from_dict(
            schemathesis_view(chosen), config=build_config(options, chosen, selected)
        )
    except Exception as exc:
        raise HarnessError(f"Schemathesis cannot load the spec: {exc}") from exc
    attach(schema, context)
    engine = EngineRun(schema, result, redactor, say)
    guard = SpendGuard(options.max_spend_usd, on_exhausted=lambda: _stop(engine, result, guard))
    meter, wallet_start = open_wallet(options)
    guard.attach_wallet(meter, wallet_start)
    cleanup = CleanupRegistry()
    context.guard = guard
    context.findings = FindingSink(result, redactor)
    context.priced = frozenset(op.operation_id for op in context.index.operations.values() if op.priced)

    @schema.hook
    def after_call(ctx, case, response):
        guard.observe(case, response)
        cleanup.observe(case, response)

    if any(phase in options.phases for phase in ENGINE_PHASES):
        count = len(context.index.operations)
        say(f"checking {options.base_url} ({count} operations, {len(selected)} checks)")
        engine.execute()
    if "workflows" in options.phases:
        priced = context.priced
        Workflows(
            schema,
            options,
            result,
            redactor,
            selected,
            say,
            allow_call=lambda op: guard.allows_more() or op.definition.raw.get("operationId") not in priced,
        ).run_all()
        if guard.allows_more():
            run_gateway_flows(options, result, redactor, selected, say, context, meter)
    _clean_up(spec, options, cleanup, result, say)
    settle_spend(result, guard, meter, wallet_start)


def _stop(engine: Any, result: RunResult, guard: Any) -> None:
    if guard.out_of_credit:
        result.stopped_early = "the key ran out of credit (402)"
        engine.stop()
        return
    result.stopped_early = (
        f"spend cap: spent {guard.spent_usd:.9f} USD; one more call could pass the {guard.cap_nanos / 1e9:.9f} USD cap"
    )
    engine.stop()


def _preflight(options: Options) -> None:
    import httpx

    try:
        httpx.get(options.base_url + "/", timeout=min(options.request_timeout, 10.0))
    except httpx.HTTPError as exc:
        raise HarnessError(f"target {options.base_url} is unreachable: {type(exc).__name__}: {exc}") from exc


def _clean_up(
    spec: dict[str, Any], options: Options, cleanup: Any, result: RunResult, say: Callable[[str], None]
) -> None:
    import httpx

    headers = {**options.extra_headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    for kind, create_path, identifier in cleanup.remaining():
        path = _delete_path(spec, kind, create_path)
        if path is None:
            result.cleanup.append(f"{kind} {identifier}: no delete operation in the spec; left in place")
            continue
        url = options.base_url + path.replace("{id}", identifier).replace("{video_id}", identifier)
        status: int | str
        try:
            status = httpx.delete(url, headers=headers, timeout=options.request_timeout).status_code
        except httpx.HTTPError as exc:
            status = f"failed ({type(exc).__name__})"
        result.cleanup.append(f"{kind} {identifier}: DELETE {path} → {status}")
    if result.cleanup:
        say(f"clean-up: {len(result.cleanup)} resources")


def _delete_path(spec: dict[str, Any], kind: str, create_path: str) -> str | None:
    """The delete route of a created resource, from the whole spec (it may not be under test)."""
    paths = spec.get("paths", {})
    own = [
        p
        for p, item in paths.items()
        if "delete" in item
        and p.startswith(create_path.rstrip("/") + "/{")
        and p.count("/") == create_path.rstrip("/").count("/") + 1
    ]
    if own:
        return own[0]
    if kind == "key":
        return next((p for p, item in paths.items() if "delete" in item and p.endswith("/keys/{id}")), None)
    return None


def _redacting(progress: Callable[[str], None], redactor: Redactor) -> Callable[[str], None]:
    started = time.monotonic()
    return lambda message: progress(f"[{time.monotonic() - started:6.1f}s] " + redactor.text(message))


def _write_reports(options: Options, result: RunResult, redactor: Redactor) -> None:
    from conformance.reports import write_json, write_junit

    try:
        if options.report:
            write_json(result, options.report, redactor)
        if options.junit:
            write_junit(result, options.junit, redactor)
    except OSError as exc:
        result.harness_errors.append(f"cannot write report: {exc}")
        print(f"aistats-mock conform: cannot write report: {exc}", file=sys.stderr)
