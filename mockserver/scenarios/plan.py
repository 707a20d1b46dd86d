"""The plan a request follows: an optional failure and reshaping of the reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mockserver.errors import GatewayFailure
from mockserver.model import MockReply

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
