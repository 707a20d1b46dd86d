"""The gateway workflows that send their own requests (conformance/probes.py): round trips,
tenant isolation, the wallet, and malformed input. Run after the scripted workflows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.robustness import run_multipart, run_robustness
from conformance.money_flow import run_money
from conformance.options import Options
from conformance.probes import Probe
from conformance.redact import Redactor
from conformance.results import RunResult
from conformance.round_trip_flow import run_round_trips
from conformance.tenant_flow import run_tenant_isolation


def run_gateway_flows(
    options: Options,
    result: RunResult,
    redactor: Redactor,
    selected: list[str],
    progress: Callable[[str], None],
    context: Any,
    meter: Any,
) -> None:
    probe = Probe(options, result, redactor, selected, progress)
    steps: list[Callable[[], None]] = [
        lambda: run_robustness(probe, context),
        lambda: run_round_trips(probe, context),
        lambda: run_tenant_isolation(probe, context),
        lambda: run_money(probe, context, meter),
        lambda: run_multipart(probe, context),
    ]
    try:
        for step in steps:
            if not probe.alive():
                result.notes.append(
                    f"the target stopped answering at {options.base_url}: the remaining gateway workflows were not run"
                )
                return
            step()
    finally:
        probe.close()
