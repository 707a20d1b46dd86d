"""The plan a request follows: an optional failure and reshaping of the reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mockserver.engines.script import Script
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply

Reshape = Callable[[MockReply], MockReply]


@dataclass
class ScenarioPlan:
    name: str | None = None
    failure: GatewayFailure | None = None
    reshapers: list[Reshape] = field(default_factory=list)
    #: The rule (rules file or admin API) that chose this plan, if one did.
    rule: str | None = None
    #: Request headers the scenario stands for (``job_failed`` asks the job lifecycle to fail
    #: through the header a client could send itself); the dispatcher adds them to the request.
    request_headers: dict[str, str] = field(default_factory=dict)
    #: The reply rule (``--replies``, ``/__mock/replies``) that answers, if one does.
    reply: str | None = None
    #: The answer that rule scripted, which synthesis gives instead of a synthesized one.
    script: Script | None = None
    #: A whole answer given instead of a generated one (a replayed cassette): the dispatcher
    #: sends it as it is, without gates, synthesis, enrichment or the ledger.
    answer: MockReply | None = None
    #: The cassette (``--replay``) that answers, if one does.
    cassette: str | None = None
    #: The reshaping cuts the answer short (a broken stream, a reset socket): the client never
    #: receives the usage it would have reported, so the journal shows none.
    cuts_answer: bool = False

    def shape(self, reply: MockReply) -> MockReply:
        for reshape in self.reshapers:
            reply = reshape(reply)
        return reply
