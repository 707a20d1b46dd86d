"""The stages the dispatcher runs, as typed interfaces, in the order it runs them.

    selectors  → which scenario answers (a failure, or a plan that reshapes the answer)
    gates      → refusals before anything is generated (credit, model route, control secret)
    (synthesis → the registered generator, spec examples, schema data)
    enrichers  → repairs of the generated answer (usage and pricing consistency)
    recorders  → what happened is written down (wallet debits, generation records)

:class:`Stages` holds one ordered tuple per kind; :func:`mockserver.pipeline.assembly.stages_for`
builds it. Nothing installs itself: a feature offers a class with the named method, and the
assembly lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mockserver.errors import GatewayFailure
    from mockserver.model import MockReply
    from mockserver.scenarios.plan import ScenarioPlan
    from mockserver.synthesis.context import SynthesisContext


class Selector(Protocol):
    def select(self, ctx: SynthesisContext) -> ScenarioPlan | None:
        """The plan for this request, or None to leave it to the next selector."""


class Gate(Protocol):
    def check(self, ctx: SynthesisContext) -> None:
        """Raise a :class:`GatewayFailure` to refuse the request before synthesis."""


class Enricher(Protocol):
    def enrich(self, ctx: SynthesisContext, reply: MockReply) -> MockReply:
        """The generated answer, repaired or completed."""


class Recorder(Protocol):
    def succeeded(self, ctx: SynthesisContext, reply: MockReply) -> None:
        """Write down an answered request."""

    def failed(self, ctx: SynthesisContext, failure: GatewayFailure, reply: MockReply) -> None:
        """Write down a refused or failed request."""


@dataclass(frozen=True)
class Stages:
    selectors: tuple[Selector, ...] = ()
    gates: tuple[Gate, ...] = ()
    enrichers: tuple[Enricher, ...] = ()
    recorders: tuple[Recorder, ...] = ()

    def names(self) -> list[tuple[str, str]]:
        """``(kind, class name)`` of every stage, in the order the dispatcher runs them."""
        kinds = ("selectors", "gates", "enrichers", "recorders")
        return [(kind, type(stage).__name__) for kind in kinds for stage in getattr(self, kind)]
