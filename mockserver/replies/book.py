"""The reply rules in force, in order, with their match counts (thread-safe)."""

from __future__ import annotations

from mockserver.replies.facts import RequestFacts
from mockserver.replies.rules import Answer, ReplyRule
from mockserver.scenarios.rulelist import RuleList


class ReplyBook(RuleList[ReplyRule]):
    def pick(self, facts: RequestFacts) -> tuple[ReplyRule, Answer] | None:
        """Count this request for every rule it matches; the first that fires, with its answer."""
        return self.first_firing(
            lambda rule: rule.matches(facts) and rule.fits(facts.operation), lambda rule: rule.next_answer()
        )

    def reset(self) -> None:
        """What ``/__mock/reset`` forgets: the rules added at run time, and every count."""
        with self._lock:
            self._rules = [rule for rule in self._rules if rule.source != "admin"]
            for rule in self._rules:
                rule.calls = rule.fired = 0
