"""The run as SARIF 2.1.0, the format code-scanning tabs read.

One rule per check (built-in or gateway), one result per breach: its message (title,
expected vs actual, the redacted ``curl``), the operation as a logical location and, when
the contract is a local file, the line of its path item as the physical location (code
scanning needs one). Harness errors and coverage shortfalls are tool notifications.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "aistats-mock conform"
TOOL_URI = "https://github.com/aistats/aistats-mock#checking-a-gateway-aistats-mock-conform"


def sarif_log(result: RunResult, redactor: Redactor) -> dict[str, Any]:
    names = sorted({*result.check_totals(), *(f.check for f in result.failures)})
    rule_index = {name: number for number, name in enumerate(names)}
    locations = _spec_locations(result.spec)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "informationUri": TOOL_URI,
                "version": _version(),
                "rules": [_rule(name) for name in names],
            }
        },
        "invocations": [_invocation(result)],
        "results": [_result(failure, rule_index, locations) for failure in result.failures],
        "properties": {
            "baseUrl": result.base_url,
            "spec": result.spec,
            "profile": result.profile,
            "seeds": result.seeds,
            "spentUsd": round(result.spent_usd, 9),
            "coverage": result.coverage.to_dict(),
        },
    }
    return redactor.data({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]})


def write_sarif(result: RunResult, path: Path, redactor: Redactor) -> None:
    Path(path).write_text(
        json.dumps(sarif_log(result, redactor), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _rule(name: str) -> dict[str, Any]:
    from conformance.checks import ALL_CHECKS

    text = ALL_CHECKS.get(name) or {"target_answers": "the target answers every request"}.get(name, name)
    return {
        "id": name,
        "name": "".join(part.capitalize() for part in name.split("_")),
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{name}: {text}"},
        "defaultConfiguration": {"level": "error"},
        "helpUri": TOOL_URI,
    }


def _result(
    failure: FailureRecord, rule_index: dict[str, int], spec_lines: dict[str, tuple[str, int]]
) -> dict[str, Any]:
    method, _, path = failure.operation.partition(" ")
    location: dict[str, Any] = {
        "logicalLocations": [{"name": failure.operation, "fullyQualifiedName": failure.operation, "kind": "function"}]
    }
    if path in spec_lines:
        uri, line = spec_lines[path]
        location["physicalLocation"] = {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}
    lines = [f"{failure.operation}: {failure.title}", failure.message.strip()]
    if failure.status is not None:
        lines.append(f"Response: {failure.status} {(failure.response_excerpt or '')[:300]}")
    lines += [f"Reproduce: {curl}" for curl in failure.curl[:2]]
    return {
        "ruleId": failure.check,
        "ruleIndex": rule_index[failure.check],
        "level": "error",
        "message": {"text": "\n".join(line for line in lines if line)},
        "locations": [location],
        "partialFingerprints": {"aistatsBreach/v1": _fingerprint(failure)},
        "properties": {
            "operation": failure.operation,
            "method": method,
            "phase": failure.phase,
            "occurrences": failure.occurrences,
            "seed": failure.seed,
            "seeds": failure.seeds,
            "status": failure.status,
            "expected": failure.expected,
            "actual": failure.actual,
            "responseExcerpt": failure.response_excerpt,
            "curl": failure.curl,
        },
    }


def _invocation(result: RunResult) -> dict[str, Any]:
    notes = [{"level": "error", "message": {"text": text}} for text in result.harness_errors]
    notes += [{"level": "warning", "message": {"text": text}} for text in result.coverage_failures]
    notes += [{"level": "note", "message": {"text": text}} for text in result.notes]
    invocation: dict[str, Any] = {
        "executionSuccessful": not result.harness_errors,
        "exitCode": result.exit_code,
        "toolExecutionNotifications": notes,
    }
    if result.stopped_early:
        invocation["exitCodeDescription"] = f"stopped early: {result.stopped_early}"
    return invocation


def _fingerprint(failure: FailureRecord) -> str:
    return hashlib.sha256("\x1f".join(failure.seed_key).encode("utf-8")).hexdigest()[:32]


def _spec_locations(spec: str) -> dict[str, tuple[str, int]]:
    """``{"/chat/completions": ("spec/2026-03/paths/text.yaml", 4)}`` for a local contract."""
    if spec.startswith(("http://", "https://")):
        return {}
    from mockserver.contract.locate import path_locations

    name = None if spec == "packaged 2026-03" else spec
    return {path: (_uri(file), line) for path, (file, line) in path_locations(name).items()}


def _uri(file: Path) -> str:
    """Relative to the working directory when inside it (code scanning resolves repo paths)."""
    try:
        return Path(os.path.relpath(file)).as_posix() if file.is_relative_to(Path.cwd()) else file.as_uri()
    except ValueError:
        return file.as_uri()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aistats-mock")
    except PackageNotFoundError:
        return "0"
