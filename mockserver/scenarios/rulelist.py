"""An ordered, thread-safe list of counted rules: what scenario rules and scripted reply rules share.

Every rule counts the requests it matches (``calls``); the first rule whose ``fires_on(calls)``
holds answers. Rules come from a ``source`` (``file`` or ``admin``) and can be cleared by it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar


def call_numbers(value: Any, refusal: Exception) -> frozenset[int] | None:
    """A rule's ``nth``: one call number or a list of them, each an integer >= 1 (else
    ``refusal`` is raised); None when absent."""
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise refusal
    return frozenset(values)


class CountedRule(Protocol):
    source: str
    calls: int

    def fires_on(self, call: int) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=CountedRule)
T = TypeVar("T")


class RuleList(Generic[R]):
    def __init__(self, rules: Iterable[R] = ()):
        self._lock = threading.Lock()
        self._rules: list[R] = list(rules)

    def first_firing(self, matches: Callable[[R], bool], answer: Callable[[R], T]) -> tuple[R, T] | None:
        """Count this request for every rule it ``matches``; the first that fires, with ``answer(rule)``
        (taken under the lock, so a rule's own sequence advances once per firing)."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if not matches(rule):
                    continue
                rule.calls += 1
                if chosen is None and rule.fires_on(rule.calls):
                    chosen = (rule, answer(rule))
        return chosen

    def add(self, rules: Iterable[R]) -> list[R]:
        added = list(rules)
        with self._lock:
            self._rules.extend(added)
        return added

    def clear(self, source: str | None = None) -> int:
        """Remove every rule, or those of one source (``file`` or ``admin``); how many went."""
        with self._lock:
            kept = [rule for rule in self._rules if source is not None and rule.source != source]
            removed = len(self._rules) - len(kept)
            self._rules = kept
        return removed

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_dict() for rule in self._rules]

    def __len__(self) -> int:
        return len(self._rules)
