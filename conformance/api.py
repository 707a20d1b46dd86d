"""``conformance.run(options)``: the whole suite as one Python call (the CLI and the
pytest plugin are thin layers over it)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.coverage import shortfalls
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
    problems of the harness itself are its ``harness_errors`` (exit 2). With ``seeds > 1``
    the generated phases run once per seed (``seed``, ``seed + 1``, …) and a breach that
    several seeds find is reported once, with the first seed that found it.
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
    if not result.harness_errors:
        result.coverage_failures = shortfalls(result.coverage, options.min_coverage)
    _write_reports(options, result, redactor)
    return result


@dataclass
class _Prepared:
    spec: dict[str, Any]
    chosen: dict[str, Any]
    selected: list[str]
    guard: Any
    stop: list[Callable[[], None]] = field(default_factory=list)
    #: The key's wallet (GET /credits) and its reading before the run (None: not readable).
    meter: Any = None
    wallet_start: int | None = None

    def stop_all(self) -> None:
        for stop in self.stop:
            stop()


def _run(options: Options, result: RunResult, redactor: Redactor, say: Callable[[str], None]) -> None:
    from conformance.guards import SpendGuard
    from conformance.spend import open_wallet, settle_spend

    prepared = _prepare(options, result)
    # One spend guard for every seed: the cap is the run's, not each seed's; it reads the wallet.
    prepared.guard = SpendGuard(options.max_spend_usd, on_exhausted=prepared.stop_all)
    prepared.meter, prepared.wallet_start = open_wallet(options)
    prepared.guard.attach_wallet(prepared.meter, prepared.wallet_start)
    seeds = _seeds(options)
    for number, seed in enumerate(seeds):
        if len(seeds) > 1:
            say(f"seed {seed} ({number + 1}/{len(seeds)})")
        part = RunResult(base_url=result.base_url, spec=result.spec, profile=result.profile)
        # Scripted workflows do not depend on the seed: they run with the first one.
        phases = options.phases if number == 0 else tuple(p for p in options.phases if p != "workflows")
        seeded = replace(options, seed=seed, phases=phases)
        try:
            _run_seed(seeded, part, redactor, say, prepared)
        finally:
            result.merge_seed(part, seed)
        if result.stopped_early or result.harness_errors:  # the spend cap or a harness fault ends the run
            break
    settle_spend(result, prepared.guard, prepared.meter, prepared.wallet_start)


def _seeds(options: Options) -> list[int | None]:
    if options.seed is None:
        return [None] * max(1, options.seeds)
    return [options.seed + offset for offset in range(max(1, options.seeds))]


def _prepare(options: Options, result: RunResult) -> _Prepared:
    from conformance.engine import selected_checks
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
    return _Prepared(spec=spec, chosen=chosen, selected=selected, guard=None)


def _run_seed(
    options: Options, result: RunResult, redactor: Redactor, say: Callable[[str], None], prepared: _Prepared
) -> None:
    import schemathesis

    from conformance import checks  # noqa: F401  (registers the gateway checks)
    from conformance.context import RunContext, attach
    from conformance.coverage import Coverage, CoverageRecorder
    from conformance.engine import ENGINE_PHASES, EngineRun, build_config
    from conformance.findings import FindingSink
    from conformance.gateway_flows import run_gateway_flows
    from conformance.guards import CleanupRegistry
    from conformance.workflows import Workflows

    chosen, selected, guard = prepared.chosen, prepared.selected, prepared.guard
    context = RunContext.build(chosen)
    try:
        schema = schemathesis.openapi.from_dict(
            schemathesis_view(chosen), config=build_config(options, chosen, selected)
        )
    except Exception as exc:
        raise HarnessError(f"Schemathesis cannot load the spec: {exc}") from exc
    attach(schema, context)
    engine = EngineRun(schema, result, redactor, say)
    prepared.stop[:] = [lambda: _stop(engine, result, guard)]
    cleanup = CleanupRegistry()
    recorder = CoverageRecorder(Coverage.of(chosen))
    engine.coverage = recorder
    context.guard = guard
    context.findings = FindingSink(result, redactor)
    context.priced = frozenset(op.operation_id for op in context.index.operations.values() if op.priced)

    @schema.hook
    def after_call(ctx, case, response):
        guard.observe(case, response)
        cleanup.observe(case, response)
        recorder.hook(case, response)

    try:
        if any(phase in options.phases for phase in ENGINE_PHASES):
            count = len(context.index.operations)
            say(f"checking {options.base_url} ({count} operations, {len(selected)} checks, seed {options.seed})")
            engine.execute()
        recorder.hooked = True  # from here on, answers come from the scripted workflows
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
                run_gateway_flows(options, result, redactor, selected, say, context, prepared.meter)
        _clean_up(prepared.spec, options, cleanup, result, say)
    finally:
        result.coverage.merge(recorder.finish())


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
    """Delete what the run created: one keep-alive client (one TLS context, not one per call),
    ``workers`` deletes at a time (one at a time in the live profile)."""
    import httpx

    headers = {**options.extra_headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    targets: list[tuple[str, str, str]] = []
    for kind, create_path, identifier in cleanup.remaining():
        path = _delete_path(spec, kind, create_path)
        if path is None:
            result.cleanup.append(f"{kind} {identifier}: no delete operation in the spec; left in place")
        else:
            targets.append((kind, identifier, path))
    if targets:
        with httpx.Client(headers=headers, timeout=options.request_timeout) as client:

            def delete(target: tuple[str, str, str]) -> str:
                kind, identifier, path = target
                url = options.base_url + path.replace("{id}", identifier).replace("{video_id}", identifier)
                status: int | str
                try:
                    status = client.delete(url).status_code
                except httpx.HTTPError as exc:
                    status = f"failed ({type(exc).__name__})"
                return f"{kind} {identifier}: DELETE {path} → {status}"

            with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
                result.cleanup.extend(pool.map(delete, targets))
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
    from conformance.html_report import write_html
    from conformance.reports import write_json, write_junit
    from conformance.sarif import write_sarif

    writers = (
        (options.report, write_json),
        (options.junit, write_junit),
        (options.sarif, write_sarif),
        (options.html, write_html),
    )
    try:
        for path, write in writers:
            if path:
                write(result, path, redactor)
    except OSError as exc:
        result.harness_errors.append(f"cannot write report: {exc}")
        print(f"aistats-mock conform: cannot write report: {exc}", file=sys.stderr)
