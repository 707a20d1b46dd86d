"""The reply rules in force, in order, with their match counts (thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from mockserver.replies.facts import RequestFacts
from mockserver.replies.rules import Answer, ReplyRule


class ReplyBook:
    def __init__(self, rules: Iterable[ReplyRule] = ()):
        self._lock = threading.Lock()
        self._rules: list[ReplyRule] = list(rules)

    def pick(self, facts: RequestFacts) -> tuple[ReplyRule, Answer] | None:
        """Count this request for every rule it matches; the first that fires, with its answer."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if not (rule.matches(facts) and rule.fits(facts.operation)):
                    continue
                rule.calls += 1
                if chosen is None and rule.fires_on(rule.calls):
                    chosen = (rule, rule.next_answer())
        return chosen

    def add(self, rules: Iterable[ReplyRule]) -> list[ReplyRule]:
        added = list(rules)
        with self._lock:
            self._rules.extend(added)
        return added

    def clear(self, source: str | None = None) -> int:
        """Remove every rule, or those of one source (``file`` or ``admin``)."""
        with self._lock:
            kept = [rule for rule in self._rules if source is not None and rule.source != source]
            removed = len(self._rules) - len(kept)
            self._rules = kept
        return removed

    def reset(self) -> None:
        """What ``/__mock/reset`` forgets: the rules added at run time, and every count."""
        with self._lock:
            self._rules = [rule for rule in self._rules if rule.source != "admin"]
            for rule in self._rules:
                rule.calls = rule.fired = 0

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_dict() for rule in self._rules]

    def __len__(self) -> int:
        return len(self._rules)
