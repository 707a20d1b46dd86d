"""What a run found: per-operation and per-check tallies, each failure with its reproduction."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.coverage import Coverage

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
    #: The first seed that found this breach, and every seed that did (``--seeds N``).
    seed: int | None = None
    seeds: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.operation, self.title)

    @property
    def seed_key(self) -> tuple[str, str, str]:
        """What makes two seeds' findings one breach: check, operation and message shape."""
        return (self.check, self.operation, message_shape(self.message or self.title))


def message_shape(message: str) -> str:
    """The message with its generated particulars (numbers, ids, quoted values) blanked out."""
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", "'…'", message)
    text = re.sub(r"[0-9A-Fa-f]{8,}|\d+", "#", text)
    return " ".join(text.split())[:400]


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
    #: The seeds run (``--seed S --seeds N`` runs S … S+N-1).
    seeds: list[int | None] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    #: One line per ``--min-coverage`` threshold the run did not reach: any of these means exit 1.
    coverage_failures: list[str] = field(default_factory=list)
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
        return EXIT_BREACHES if self.failures or self.coverage_failures else EXIT_CONFORMANT

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_CONFORMANT

    def merge_seed(self, part: RunResult, seed: int | None) -> None:
        """Fold one seed's run into this result; a breach found again is counted, not repeated."""
        self.seeds.append(seed)
        self._merge_tallies(part)
        _merge_records(self.failures, part.failures, seed)
        _merge_records(self.findings, part.findings, seed)
        self._merge_rest(part)

    def _merge_tallies(self, part: RunResult) -> None:
        for label, theirs in part.operations.items():
            mine = self.operation(label)
            mine.cases += theirs.cases
            mine.skipped = mine.skipped or theirs.skipped
            for name, tally in theirs.checks.items():
                mine.tally(name).passed += tally.passed
                mine.tally(name).failed += tally.failed

    def _merge_rest(self, part: RunResult) -> None:
        for mine_list, theirs_list in (
            (self.harness_errors, part.harness_errors),
            (self.notes, part.notes),
            (self.cleanup, part.cleanup),
        ):
            mine_list.extend(item for item in theirs_list if item not in mine_list)
        self.stopped_early = self.stopped_early or part.stopped_early
        self.spent_usd += part.spent_usd
        self.coverage.merge(part.coverage)

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
            "seeds": self.seeds,
            "coverage": self.coverage.to_dict(),
            "coverage_failures": self.coverage_failures,
            "failures": [asdict(failure) for failure in self.failures],
            "findings": [asdict(finding) for finding in self.findings],
        }


def _merge_records(mine: list[FailureRecord], theirs: list[FailureRecord], seed: int | None) -> None:
    """Add one seed's records to ``mine``: each breach (or finding) once, with every seed that found it."""
    known = {record.seed_key: record for record in mine}
    for record in theirs:
        record.seed = seed if record.seed is None else record.seed
        existing = known.get(record.seed_key)
        if existing is None:
            record.seeds = [seed] if seed is not None else []
            mine.append(record)
            known[record.seed_key] = record
            continue
        existing.occurrences += record.occurrences
        if seed is not None and seed not in existing.seeds:
            existing.seeds.append(seed)
