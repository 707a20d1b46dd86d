"""What a run found: per-operation and per-check tallies, each failure with its reproduction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

EXIT_CONFORMANT, EXIT_BREACHES, EXIT_HARNESS = 0, 1, 2
#: Checks whose failures are client-compatibility findings (what the official clients
#: cannot use), not contract breaches.
CLIENT_COMPATIBILITY_CHECKS = frozenset({"client_echo_accepted", "sdk_parses_answers"})
#: Checks whose failures are findings: listed apart from the breaches, never change the exit code.
FINDING_CHECKS = CLIENT_COMPATIBILITY_CHECKS | {"job_charge_reported"}


@dataclass
class FailureRecord:
    check: str
    operation: str
    title: str
    message: str
    phase: str
    curl: list[str] = field(default_factory=list)
    expected: str | None = None
    actual: str | None = None
    status: int | None = None
    response_excerpt: str | None = None
    occurrences: int = 1

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.operation, self.title)


@dataclass
class CheckTally:
    passed: int = 0
    failed: int = 0


@dataclass
class OperationSummary:
    label: str
    cases: int = 0
    checks: dict[str, CheckTally] = field(default_factory=dict)
    skipped: str | None = None

    def tally(self, check: str) -> CheckTally:
        return self.checks.setdefault(check, CheckTally())

    @property
    def failed(self) -> int:
        return sum(t.failed for t in self.checks.values())


@dataclass
class RunResult:
    base_url: str
    spec: str
    profile: str
    duration_s: float = 0.0
    operations: dict[str, OperationSummary] = field(default_factory=dict)
    failures: list[FailureRecord] = field(default_factory=list)
    #: Problems of the harness itself (bad spec, unreachable target): any of these means exit 2.
    harness_errors: list[str] = field(default_factory=list)
    #: Non-fatal notes: skipped workflows, operations left out by the live profile...
    notes: list[str] = field(default_factory=list)
    spent_usd: float = 0.0
    stopped_early: str | None = None
    cleanup: list[str] = field(default_factory=list)
    #: Findings (:data:`FINDING_CHECKS`: client compatibility, unreported charges), apart from the breaches.
    findings: list[FailureRecord] = field(default_factory=list)

    def operation(self, label: str) -> OperationSummary:
        return self.operations.setdefault(label, OperationSummary(label))

    def add_failure(self, record: FailureRecord) -> None:
        records = self.findings if record.check in FINDING_CHECKS else self.failures
        for existing in records:
            if existing.key == record.key:
                existing.occurrences += record.occurrences
                return
        records.append(record)

    @property
    def exit_code(self) -> int:
        if self.harness_errors:
            return EXIT_HARNESS
        return EXIT_BREACHES if self.failures else EXIT_CONFORMANT

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_CONFORMANT

    def check_totals(self) -> dict[str, CheckTally]:
        totals: dict[str, CheckTally] = {}
        for summary in self.operations.values():
            for name, tally in summary.checks.items():
                total = totals.setdefault(name, CheckTally())
                total.passed += tally.passed
                total.failed += tally.failed
        for failure in self.failures:
            total = totals.setdefault(failure.check, CheckTally())
            total.failed = max(total.failed, 1)
        return dict(sorted(totals.items()))

    def failed_checks(self) -> list[str]:
        """The names of the checks that found at least one breach (for callers of ``conformance.run``)."""
        return sorted({failure.check for failure in self.failures})

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "spec": self.spec,
            "profile": self.profile,
            "exit_code": self.exit_code,
            "duration_s": round(self.duration_s, 3),
            "spent_usd": round(self.spent_usd, 9),
            "stopped_early": self.stopped_early,
            "harness_errors": self.harness_errors,
            "notes": self.notes,
            "cleanup": self.cleanup,
            "checks": {name: asdict(tally) for name, tally in self.check_totals().items()},
            "operations": {
                label: {
                    "cases": s.cases,
                    "skipped": s.skipped,
                    "checks": {name: asdict(t) for name, t in sorted(s.checks.items())},
                }
                for label, s in sorted(self.operations.items())
            },
            "failures": [asdict(failure) for failure in self.failures],
            "findings": [asdict(finding) for finding in self.findings],
        }
