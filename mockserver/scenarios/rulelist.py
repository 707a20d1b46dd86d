"""An ordered, thread-safe list of counted rules: what scenario rules and scripted reply rules share.

Every rule counts the requests it matches (``calls``); the first rule whose ``fires_on(calls)``
holds answers. Rules come from a ``source`` (``file`` or ``admin``) and can be cleared by it.

The counts live in a :class:`~mockserver.state.counters.Counters` and the rules added at run
time in a :class:`~mockserver.state.shared_rules.RuleSets`: in memory for a single worker,
in the shared state file with ``--workers N``, so that "fail twice, then succeed" counts
across every worker and a rule posted to one worker is used by all. Each rule has a ``key``
(``file:<i>`` or ``<set id>:<i>``) naming its counter.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import yaml

from mockserver.state.counters import Counters, MemoryCounters
from mockserver.state.shared_rules import MemoryRuleSets, RuleSets


def call_numbers(value: Any, refusal: Exception) -> frozenset[int] | None:
    """A rule's ``nth``: one call number or a list of them, each an integer >= 1 (else
    ``refusal`` is raised); None when absent."""
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise refusal
    return frozenset(values)


def unknown_operation(names: Iterable[str], known: Collection[str]) -> str | None:
    """Why the first of ``names`` that is not in ``known`` (the served API's operationIds and
    those of the contract answering it) names no operation; None when all are known, or when
    ``known`` is empty (nothing to check against)."""
    for name in names:
        if known and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            return f"operation {name!r} is not an operationId of the served API or of the contract answering it{hint}"
    return None


class CountedRule(Protocol):
    source: str
    calls: int
    key: str

    def fires_on(self, call: int) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=CountedRule)
T = TypeVar("T")

#: Parses an added rule set's payload into rules (``start``: where default names count from).
Parser = Callable[[Any, int], list[R]]


class RuleList(Generic[R]):
    def __init__(
        self,
        rules: Iterable[R],
        parse: Parser,
        *,
        kind: str,
        counters: Counters | None = None,
        sets: RuleSets | None = None,
    ):
        self._lock = threading.Lock()
        self.kind = kind
        self.parse = parse
        self.counters: Counters = counters or MemoryCounters()
        self.sets: RuleSets = sets or MemoryRuleSets()
        self._files: list[R] = list(rules)
        for index, rule in enumerate(self._files):
            rule.key = f"file:{index}"
        self._rules: list[R] = list(self._files)
        self._version = -1  # (the sets added before this process started are read on first use)

    def _current(self) -> list[R]:
        """The rules in force, parsed again when another worker (or this one) changed them."""
        version = self.sets.version()
        with self._lock:
            if version == self._version:
                return self._rules
        rules = [] if self.sets.files_dropped(self.kind) else list(self._files)
        for set_id, start, payload in self.sets.admin_sets(self.kind):
            rules.extend(self._keyed(self.parse(payload, start), set_id))
        with self._lock:
            self._rules, self._version = rules, version
        return rules

    @staticmethod
    def _keyed(rules: list[R], set_id: int) -> list[R]:
        for index, rule in enumerate(rules):
            rule.key = f"{set_id}:{index}"
        return rules

    def first_firing(self, matches: Callable[[R], bool], answer: Callable[[R], T]) -> tuple[R, T] | None:
        """Count this request for every rule it ``matches``; the first that fires, with ``answer(rule)``."""
        matching = [rule for rule in self._current() if matches(rule)]
        if not matching:
            return None
        for rule, call in zip(matching, self.counters.bump([rule.key for rule in matching]), strict=True):
            rule.calls = call
            if rule.fires_on(call):
                return rule, answer(rule)
        return None

    def add_from(self, payload: Any) -> list[R]:
        """Parse ``payload`` (a ValueError names what is wrong), then add its rules for every worker."""
        start = len(self)
        added = self.parse(payload, start)
        set_id = self.sets.add(self.kind, start, payload)
        self._current()
        return self._keyed(added, set_id)

    def clear(self, source: str | None = None) -> int:
        """Remove every rule, or those of one source (``file`` or ``admin``); how many went."""
        before = self._current()
        self.sets.clear(self.kind, source)
        return len(before) - len(self._current())

    def reset_counts(self) -> None:
        self.counters.reset()

    def snapshot(self) -> list[dict[str, Any]]:
        rules = self._current()
        for rule, calls in zip(rules, self.counters.read([rule.key for rule in rules]), strict=True):
            rule.calls = calls
        return [rule.as_dict() for rule in rules]

    def __len__(self) -> int:
        return len(self._current())


def read_rules_file(path: Path, what: str, error: type[Exception]) -> Any:
    """A rules file's data (YAML; JSON is YAML too), or ``error`` naming ``what`` and the file
    when it cannot be read or parsed."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{what} {path} is not valid YAML or JSON: {exc}") from None
