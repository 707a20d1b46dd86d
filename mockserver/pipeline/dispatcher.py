"""The one dispatcher that serves every operation of the contract.

Flow: request → scenario/fault selection → synthesis (domain generator, spec examples,
schema data) → enrichment → reply. Validation and authentication have already run in
the server layer; encoding to bytes happens after. Nothing here knows about Connexion.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from mockserver import ids
from mockserver.encoding.envelopes import PRETTY_FAMILIES, render_failure
from mockserver.errors import GatewayFailure, ValidationDetail, validation_failure
from mockserver.model import MockReply, MockRequest, Outcome
from mockserver.pipeline.runtime import Runtime
from mockserver.pipeline.stages import Stages
from mockserver.scenarios import ScenarioPlan
from mockserver.settings import Settings
from mockserver.synthesis.chain import synthesize
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.preferences import read_preferences


def request_seed(
    settings: Settings, method: str, path: str, query: bytes | str, body: bytes, seed_header: str | None
) -> int:
    """Same server seed (or ``X-Mock-Seed``) and same request → same seed.

    An ``X-Mock-Seed`` that is not an integer of at most :data:`MAX_SEED_DIGITS` digits
    is a 400 naming the header.
    """
    base: Any = settings.api.seed
    if seed_header is not None and seed_header.strip():
        base = parse_seed_header(seed_header)
    return ids.derive_seed(base, method.upper(), path, query, body)


#: ``X-Mock-Seed`` takes integers of up to 40 digits (more than 128 bits).
MAX_SEED_DIGITS = 40


def parse_seed_header(value: str) -> int:
    text = value.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_SEED_DIGITS:
        detail = ValidationDetail(
            f"Invalid header (an integer of at most {MAX_SEED_DIGITS} digits expected)", ["X-Mock-Seed"], "header"
        )
        raise validation_failure([detail])
    return int(text)


def request_generation_id(settings: Settings, seed: int, occurrence: int = 1) -> str:
    """The request's ``G-…`` id: from its seed, and for the n-th identical request (same
    seed) from n too, so that ids are unique per request yet the same sequence of
    requests gives the same ids."""
    salt = ("generation-id",) if occurrence <= 1 else ("generation-id", occurrence)
    rng = random.Random(ids.derive_seed(seed, *salt))
    stamp_ms = (settings.api.epoch + ids.derive_seed(seed, "stamp") % (30 * 86400)) * 1000
    return ids.generation_id(rng, stamp_ms + rng.randrange(1000))


class Dispatcher:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def context(self, request: MockRequest) -> SynthesisContext:
        runtime = self.runtime
        index, compiler = runtime.contract_of(request.operation)
        return SynthesisContext(
            request=request,
            index=index,
            compiler=compiler,
            catalogue=runtime.catalogue,
            epoch=runtime.settings.api.epoch,
            settings=runtime.settings,
            state=runtime.state,
            media=runtime.media,
        )

    def handle(self, request: MockRequest) -> MockReply:
        """Selectors → gates → synthesis → enrichers → recorders → the plan's reshaping."""
        stages = self.runtime.stages
        ctx = self.context(request)
        plan = ScenarioPlan()
        try:
            plan = _first_plan(ctx, stages)
            if plan.request_headers:
                ctx = self.context(replace(request, headers={**request.headers, **plan.request_headers}))
            ctx.script = plan.script
            if plan.failure is not None:
                raise plan.failure
            reply = plan.answer if plan.answer is not None else self._generated(ctx, stages, request)
        except GatewayFailure as failure:
            reply = render_failure(failure, request.operation.family, request.generation_id)
            for recorder in stages.recorders:
                recorder.failed(ctx, failure, reply)
        if request.operation.family in PRETTY_FAMILIES and reply.content is None and reply.stream is None:
            reply.pretty = True
        shaped = plan.shape(reply)
        usage = None if plan.cuts_answer else shaped.reported_usage()
        shaped.outcome = Outcome(
            scenario=plan.name, rule=plan.rule, reply=plan.reply, cassette=plan.cassette, usage=usage
        )
        return shaped

    def _generated(self, ctx: SynthesisContext, stages: Stages, request: MockRequest) -> MockReply:
        """Gates → synthesis → enrichers → recorders (a replayed answer skips them all)."""
        for gate in stages.gates:
            gate.check(ctx)
        reply = synthesize(ctx, read_preferences(request))
        for enricher in stages.enrichers:
            reply = enricher.enrich(ctx, reply)
        for recorder in stages.recorders:
            recorder.succeeded(ctx, reply)
        return reply


def _first_plan(ctx: SynthesisContext, stages: Stages) -> ScenarioPlan:
    """The plan of the first selector that returns one, or the empty plan."""
    for selector in stages.selectors:
        plan = selector.select(ctx)
        if plan is not None:
            return plan
    return ScenarioPlan()
