"""The reply rules in force, in order, with their match counts (thread-safe; shared by every
worker when given shared counters and rule sets: :mod:`mockserver.scenarios.rulelist`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from mockserver.replies.facts import RequestFacts
from mockserver.replies.rules import Answer, ReplyRule, parse_replies
from mockserver.scenarios.rulelist import RuleList
from mockserver.state.counters import Counters
from mockserver.state.shared_rules import RuleSets


def fired_key(rule: ReplyRule) -> str:
    """The counter of a rule's firings (which answer of its sequence comes next)."""
    return f"{rule.key}#fired"


class ReplyBook(RuleList[ReplyRule]):
    def __init__(
        self,
        rules: Iterable[ReplyRule] = (),
        *,
        operations: Collection[str] = (),
        counters: Counters | None = None,
        sets: RuleSets | None = None,
    ):
        """``operations``: the operationIds a rule added at run time may name (unchecked when empty)."""

        def parse_added(payload: Any, start: int) -> list[ReplyRule]:
            return parse_replies(payload, source="admin", start=start, operations=operations)

        super().__init__(rules, parse_added, kind="reply", counters=counters, sets=sets)

    def pick(self, facts: RequestFacts) -> tuple[ReplyRule, Answer] | None:
        """Count this request for every rule it matches; the first that fires, with its answer."""
        return self.first_firing(lambda rule: rule.matches(facts) and rule.fits(facts.operation), self._answer)

    def _answer(self, rule: ReplyRule) -> Answer:
        rule.fired = self.counters.bump([fired_key(rule)])[0]
        return rule.answer_at(rule.fired)

    def snapshot(self) -> list[dict[str, Any]]:
        rules = self._current()
        fired = self.counters.read([fired_key(rule) for rule in rules])
        for rule, count in zip(rules, fired, strict=True):
            rule.fired = count
        return super().snapshot()

    def reset(self) -> None:
        """What ``/__mock/reset`` forgets: the rules added at run time, and every count."""
        self.sets.clear(self.kind, "admin")
        self.counters.reset()
