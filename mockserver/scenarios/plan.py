"""The plan a request follows: an optional failure and reshaping of the reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext

Reshape = Callable[[MockReply], MockReply]


@dataclass
class ScenarioPlan:
    name: str | None = None
    failure: GatewayFailure | None = None
    reshapers: list[Reshape] = field(default_factory=list)

    def shape(self, reply: MockReply) -> MockReply:
        for reshape in self.reshapers:
            reply = reshape(reply)
        return reply


Selector = Callable[[SynthesisContext], "ScenarioPlan | None"]


def select(ctx: SynthesisContext, selectors: list[Selector]) -> ScenarioPlan:
    """The first plan a selector returns, or the empty plan."""
    for selector in selectors:
        plan = selector(ctx)
        if plan is not None:
            return plan
    return ScenarioPlan()
