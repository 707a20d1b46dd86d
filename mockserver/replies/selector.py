"""The pipeline stage that answers from reply rules (pipeline/assembly.py lists it).

It runs after the scenario control: a request that asked for a scenario (``X-Mock-Scenario``,
``Prefer: code``), or that a scenario rule or the error rate fails, never reaches it.
Otherwise the first reply rule that fires gives the plan: a scripted answer that
synthesis then answers from (usage, pricing, meta, timing and stream framing shared with
synthesized answers), or an error scenario. Either way the scenario control adds its
latency and violations, and the rule's name travels in the plan to the journal. With
``--replies-strict`` a text or embedding request no rule answers is a 400
``no_scripted_reply``; otherwise it falls through to the last selector (:class:`PlainPlan`) and synthesis.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from mockserver.engines.script import EMBEDDING_OPERATIONS, TEXT_OPERATIONS
from mockserver.errors import GatewayFailure
from mockserver.replies.book import ReplyBook
from mockserver.replies.facts import read_facts
from mockserver.replies.rules import Answer, ErrorAnswer, ReplyRule, load_replies_file
from mockserver.scenarios.catalogue import SCENARIOS, plan_for, unsuitable
from mockserver.scenarios.control import ScenarioControl
from mockserver.scenarios.failures import ScenarioParamError
from mockserver.scenarios.plan import ScenarioPlan
from mockserver.synthesis.context import SynthesisContext

SCRIPTABLE = TEXT_OPERATIONS | EMBEDDING_OPERATIONS


def load_reply_files(paths: tuple[Path, ...], operations: Collection[str] = ()) -> list[ReplyRule]:
    rules: list[ReplyRule] = []
    for path in paths:
        rules.extend(load_replies_file(path, start=len(rules), operations=operations))
    return rules


class ScriptedReplies:
    """Reply rules of one running mock (the admin API's ``/__mock/replies``)."""

    def __init__(self, rules: list[ReplyRule] | ReplyBook, scenarios: ScenarioControl, *, strict: bool = False):
        self.book = rules if isinstance(rules, ReplyBook) else ReplyBook(rules)
        self.scenarios = scenarios
        self.strict = strict

    def select(self, ctx: SynthesisContext) -> ScenarioPlan | None:
        request = ctx.request
        if request.operation.operation_id not in SCRIPTABLE or not (self.strict or len(self.book)):
            return None  # no rules: nothing to read from the request
        picked = self.book.pick(read_facts(request))
        if picked is None:
            if self.strict:
                raise GatewayFailure(
                    400,
                    "no_scripted_reply",
                    f"no reply rule matches this {request.operation.operation_id} request "
                    f"(--replies-strict; {len(self.book)} rules loaded, GET /__mock/replies lists them)",
                )
            return None
        rule, answer = picked
        plan = scripted_plan(answer, ctx, f"reply rule {rule.name!r}")
        plan.reply = rule.name
        return self.scenarios.decorate(ctx, plan)

    # ---- the admin API's view (scenarios/admin_api.ReplyAdmin) ---------------------------

    def snapshot(self) -> list[dict[str, Any]]:
        return self.book.snapshot()

    def add_from(self, data: Any) -> list[dict[str, Any]]:
        """Rules sent to ``POST /__mock/replies`` (a :class:`ReplyRuleError` names what is wrong)."""
        return [rule.as_dict() for rule in self.book.add_from(data)]

    def clear(self, source: str | None = None) -> int:
        return self.book.clear(source)

    def reset(self) -> None:
        self.book.reset()


def scripted_plan(answer: Answer, ctx: SynthesisContext, source: str) -> ScenarioPlan:
    """The plan of a scripted answer (a reply rule's or a hand-written cassette's): synthesis
    answers from a script; an error answer's scenario is planned, or refused with a 400 naming
    ``source`` when its parameters are bad or it does not suit the request."""
    if not isinstance(answer, ErrorAnswer):
        return ScenarioPlan(name="scripted_reply", script=answer)
    try:
        plan = plan_for(answer.scenario, ctx, answer.params)
        reason = unsuitable(SCENARIOS[answer.scenario], ctx, answer.params)
    except ScenarioParamError as exc:
        raise _refused(source, answer, str(exc)) from None
    if reason:
        raise _refused(source, answer, reason)
    return plan


def _refused(source: str, answer: ErrorAnswer, reason: str) -> GatewayFailure:
    return GatewayFailure(400, "invalid_request", f"{source}: {answer.scenario}: {reason}")
