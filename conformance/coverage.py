"""How much of the contract a run exercised: operations answered, documented statuses seen.

Every answer the run receives (generated traffic and scripted workflows alike, through the
``after_call`` hook) is counted under its operation. A documented status is covered when an
answer had that code, or for a range (``4XX``) any code of the range. ``default`` documents
"anything else" and is not a status to cover. ``--min-coverage ops=100,statuses=80`` turns
the two percentages into thresholds: a run below one of them exits 1.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
THRESHOLD_NAMES = ("ops", "statuses")


def documented_statuses(spec: dict[str, Any]) -> dict[str, list[str]]:
    """``{"POST /chat/completions": ["200", "400", "4XX", ...]}`` for every operation of ``spec``."""
    found: dict[str, list[str]] = {}
    for path, item in (spec.get("paths") or {}).items():
        for method, op in (item or {}).items():
            if method not in HTTP_METHODS or not isinstance(op, dict):
                continue
            codes = {str(code).upper() for code in op.get("responses") or {}}
            found[f"{method.upper()} {path}"] = sorted(code for code in codes if code != "DEFAULT")
    return dict(sorted(found.items()))


def status_covered(documented: str, seen: set[int]) -> bool:
    if documented.endswith("XX"):
        return any(str(code).startswith(documented[0]) for code in seen)
    return documented.isdigit() and int(documented) in seen


@dataclass
class OperationCoverage:
    documented: list[str]
    seen: dict[int, int] = field(default_factory=dict)

    @property
    def covered(self) -> list[str]:
        return [code for code in self.documented if status_covered(code, set(self.seen))]

    @property
    def undocumented(self) -> list[int]:
        """Codes answered that no documented status (exact or range) describes."""
        return sorted(
            code
            for code in self.seen
            if str(code) not in self.documented and f"{str(code)[0]}XX" not in self.documented
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "documented": self.documented,
            "seen": {str(code): count for code, count in sorted(self.seen.items())},
            "covered": self.covered,
            "missing": [code for code in self.documented if code not in self.covered],
            "undocumented_seen": self.undocumented,
        }


@dataclass
class Coverage:
    operations: dict[str, OperationCoverage] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Coverage:
        return cls({label: OperationCoverage(codes) for label, codes in documented_statuses(spec).items()})

    @property
    def ops_percent(self) -> float:
        return _percent(sum(1 for op in self.operations.values() if op.seen), len(self.operations))

    @property
    def statuses_percent(self) -> float:
        covered = sum(len(op.covered) for op in self.operations.values())
        return _percent(covered, sum(len(op.documented) for op in self.operations.values()))

    def percent(self, name: str) -> float:
        return self.ops_percent if name == "ops" else self.statuses_percent

    def merge(self, other: Coverage) -> None:
        for label, theirs in other.operations.items():
            mine = self.operations.setdefault(label, OperationCoverage(theirs.documented))
            for code, count in theirs.seen.items():
                mine.seen[code] = mine.seen.get(code, 0) + count

    def summary_line(self) -> str:
        answered = sum(1 for op in self.operations.values() if op.seen)
        covered = sum(len(op.covered) for op in self.operations.values())
        documented = sum(len(op.documented) for op in self.operations.values())
        return (
            f"Coverage: operations {answered}/{len(self.operations)} ({self.ops_percent:.1f}%), "
            f"documented statuses {covered}/{documented} ({self.statuses_percent:.1f}%)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ops_percent": round(self.ops_percent, 1),
            "statuses_percent": round(self.statuses_percent, 1),
            "operations": {label: op.to_dict() for label, op in sorted(self.operations.items())},
        }


class CoverageRecorder:
    """Thread-safe tally of answered statuses per operation label.

    The engine's phases report every answer of a scenario (its recorder holds the checks'
    own requests too); the scripted workflows report through the ``after_call`` hook,
    which counts only while ``hooked`` is set (so no engine answer is counted twice).
    """

    def __init__(self, coverage: Coverage):
        self.coverage = coverage
        self.hooked = False
        self._seen: dict[str, Counter[int]] = {}
        self._lock = threading.Lock()

    def hook(self, case: Any, response: Any) -> None:
        if self.hooked:
            self.observe(case, response)

    def observe(self, case: Any, response: Any) -> None:
        label = f"{case.method.upper()} {case.operation.path}"
        with self._lock:
            self._seen.setdefault(label, Counter())[int(response.status_code)] += 1

    def finish(self) -> Coverage:
        with self._lock:
            for label, counts in self._seen.items():
                op = self.coverage.operations.get(label)
                if op is None:
                    continue  # a method the contract does not document (the coverage phase probes them)
                for code, count in counts.items():
                    op.seen[code] = op.seen.get(code, 0) + count
            self._seen.clear()
        return self.coverage


def parse_thresholds(text: str) -> dict[str, float]:
    """``"ops=100,statuses=80"`` → ``{"ops": 100.0, "statuses": 80.0}``; ValueError names the bad part."""
    thresholds: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in THRESHOLD_NAMES:
            raise ValueError(
                f"--min-coverage: {part!r} is not NAME=PERCENT with NAME one of {', '.join(THRESHOLD_NAMES)}"
            )
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--min-coverage: {value.strip()!r} in {part!r} is not a number") from None
        if not 0 <= number <= 100:
            raise ValueError(f"--min-coverage: {part!r} must be a percentage between 0 and 100")
        thresholds[name] = number
    return thresholds


def shortfalls(coverage: Coverage, thresholds: dict[str, float]) -> list[str]:
    """One clear line per threshold the run did not reach."""
    words = {"ops": "operations exercised", "statuses": "documented statuses seen"}
    return [
        f"coverage below threshold: {words[name]} {coverage.percent(name):.1f}% < required {minimum:g}% "
        f"(--min-coverage {name}={minimum:g})"
        for name, minimum in thresholds.items()
        if coverage.percent(name) + 1e-9 < minimum
    ]


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 100.0
