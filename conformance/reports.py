"""Reports a person or a CI system can act on: console summary, JSON, JUnit XML.

Everything passes through the redactor once more on the way out: no key is ever written.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from conformance.redact import Redactor
from conformance.results import FailureRecord, RunResult

VERDICTS = {0: "CONFORMANT", 1: "BREACHES FOUND", 2: "HARNESS ERROR"}


def summary_text(result: RunResult, redactor: Redactor | None = None, *, max_failures: int = 50) -> str:
    redactor = redactor or Redactor()
    lines = [f"aistats-mock conform: {result.base_url}  spec {result.spec}  profile {result.profile}", ""]
    lines += ["Operations:"]
    for label, summary in sorted(result.operations.items()):
        failed = summary.failed
        state = "skipped" if summary.skipped and not summary.cases else ("FAIL" if failed else "ok")
        lines.append(f"  {state:<7} {label:<58} {summary.cases:>5} cases  {failed:>3} failed checks")
    lines += ["", "Statuses (documented statuses seen / documented; answered codes):"]
    for label, op in sorted(result.coverage.operations.items()):
        missing = [code for code in op.documented if code not in op.covered]
        seen = ",".join(str(code) for code in sorted(op.seen)) or "none"
        lines.append(
            f"  {len(op.covered):>2}/{len(op.documented):<2} {label:<58} seen {seen}"
            + (f"  not seen {','.join(missing)}" if missing else "")
        )
    lines += ["", "Checks:"]
    for name, tally in result.check_totals().items():
        state = "FAIL" if tally.failed else "ok"
        lines.append(f"  {state:<5} {name:<40} passed {tally.passed:>6}  failed {tally.failed:>4}")
    if result.failures:
        lines += ["", f"Failures ({len(result.failures)}):"]
    for number, failure in enumerate(result.failures[:max_failures], 1):
        lines += [
            "",
            f"{number}. [{failure.check}] {failure.operation} — {failure.title} ({failure.phase}"
            f"{', ×' + str(failure.occurrences) if failure.occurrences > 1 else ''}{_seed_note(failure)})",
        ]
        lines += [f"   {line}" for line in failure.message.splitlines() if line.strip()][:12]
        if failure.status is not None:
            lines.append(f"   Response: {failure.status} {(failure.response_excerpt or '')[:200]!r}")
        for curl in failure.curl:
            lines.append("   Reproduce: " + curl.replace("\n", "\n              "))
    if len(result.failures) > max_failures:
        lines.append(f"... and {len(result.failures) - max_failures} more (see the JSON report)")
    if result.findings:
        lines += ["", f"Findings ({len(result.findings)}; client compatibility and the like, not breaches):"]
    for finding in result.findings[:max_failures]:
        lines += ["", f"- [{finding.check}] {finding.operation} — {finding.title}"]
        lines += [f"   {line}" for line in finding.message.splitlines() if line.strip()][:8]
        lines += ["   Reproduce: " + curl for curl in finding.curl[-1:]]
    for title, items in (
        ("Harness errors", result.harness_errors),
        ("Notes", result.notes),
        ("Clean-up", result.cleanup),
    ):
        if items:
            lines += ["", f"{title}:"] + [f"  - {item}" for item in items]
    if result.stopped_early:
        lines += ["", f"Stopped early: {result.stopped_early}"]
    seeds = [seed for seed in result.seeds if seed is not None]
    lines += ["", result.coverage.summary_line() + (f"   Seeds: {_seed_range(seeds)}" if seeds else "")]
    lines += result.coverage_failures
    lines += [
        f"Spent: {result.spent_usd:.9f} USD   Time: {result.duration_s:.1f} s   "
        f"Verdict: {VERDICTS[result.exit_code]} (exit {result.exit_code})",
    ]
    return redactor.text("\n".join(lines))


def _seed_note(failure: FailureRecord) -> str:
    if failure.seed is None:
        return ""
    others = [seed for seed in failure.seeds if seed != failure.seed]
    return f", seed {failure.seed}" + (f", also seeds {','.join(map(str, others))}" if others else "")


def _seed_range(seeds: list[int]) -> str:
    return str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}..{seeds[-1]} ({len(seeds)})"


def write_json(result: RunResult, path: Path, redactor: Redactor) -> None:
    Path(path).write_text(
        json.dumps(redactor.data(result.to_dict()), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_junit(result: RunResult, path: Path, redactor: Redactor) -> None:
    """One testsuite per run, one testcase per (operation, check) pair that ran or failed."""
    suite = ET.Element("testsuite", name="aistats-conformance", time=f"{result.duration_s:.3f}")
    cases = failures = errors = 0
    by_pair = {(f.operation, f.check): f for f in reversed(result.failures)}
    pairs = {(label, name) for label, s in result.operations.items() for name in s.checks} | set(by_pair)
    for operation, check in sorted(pairs):
        cases += 1
        case = ET.SubElement(suite, "testcase", classname=operation, name=check)
        failure = by_pair.get((operation, check))
        if failure is not None:
            failures += 1
            node = ET.SubElement(case, "failure", message=redactor.text(failure.title), type=check)
            node.text = redactor.text("\n".join([failure.message, *failure.curl]))
    for message in result.harness_errors:
        cases += 1
        errors += 1
        case = ET.SubElement(suite, "testcase", classname="harness", name="run")
        ET.SubElement(case, "error", message=redactor.text(message))
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
