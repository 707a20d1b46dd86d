"""Everything one text answer needs, computed once before any byte is encoded.

:func:`prepare` resolves the model and provider, reads the request, runs the engine with
the request's seeded randomness (or, when a reply rule scripted the answer, asks the script
for the text and tool calls: :mod:`.scripted`), and fixes the pricing plan, the pace and the ids. The
surface generators then only encode. All randomness is spent here, eagerly, so a
stream's frames (built lazily while it is sent) stay byte-identical per seed.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mockserver import ids
from mockserver.engines.text.engine import TextOutcome, answer
from mockserver.engines.text.request import TextRequest, read_request
from mockserver.engines.text.routing import Route, resolve_model
from mockserver.engines.text.scripted import scripted_answer
from mockserver.enrichment.meta import MAX_PACE_MS, SpeedProfile, routing_meta, speed_profile, timing_meta
from mockserver.enrichment.usage import plan_for, price_rules
from mockserver.model import Chunk

_HEX = "0123456789abcdef"
_ANTHROPIC_HOSTS = {"anthropic", "amazon-bedrock", "google-vertex"}


@dataclass
class Generation:
    ctx: Any
    route: Route
    request: TextRequest
    outcome: TextOutcome
    profile: SpeedProfile
    plan: str
    rules: Any
    created: int
    native_id: str
    #: Sizes (in tokens) of successive stream deltas, drawn once per request.
    group_sizes: list[int]

    @property
    def id(self) -> str:
        return self.ctx.request.generation_id

    def meta(self, *, streamed: bool, routing: bool) -> dict[str, Any]:
        meta = timing_meta(self.profile, self.outcome.output_tokens, streamed=streamed)
        if routing:
            meta["routing"] = routing_meta(self.request.body, self.route.provider, len(self.route.model.providers))
        return meta

    def completed_at(self) -> int:
        return self.created + int(self.profile.generation_ms(self.outcome.output_tokens) // 1000) + 1

    def groups(self, parts: list[str]) -> list[list[str]]:
        """Token pieces grouped into stream deltas (1-3 tokens each, fixed per request)."""
        out, index, turn = [], 0, 0
        while index < len(parts):
            size = self.group_sizes[turn % len(self.group_sizes)]
            out.append(parts[index : index + size])
            index, turn = index + size, turn + 1
        return out

    def summary(
        self, usage: dict[str, Any], pricing: dict[str, Any], meta: dict[str, Any], status: str
    ) -> dict[str, Any]:
        """What after-hooks record about this generation (see ``MockReply.summary``)."""
        return {
            "model": self.route.model_id,
            "provider": self.route.provider,
            "usage": usage,
            "pricing": pricing,
            "meta": meta,
            "status": status,
            "stream": self.request.stream,
            "finish_reason": self.outcome.finish,
            "endpoint": self.request.surface,
        }


def prepare(ctx: Any, surface: str, new_call_id: Callable[[random.Random], str]) -> Generation:
    route = resolve_model(ctx)
    request = read_request(surface, ctx.request.body)
    rng = ctx.fork(f"text-{surface}")
    script = ctx.script
    if script is not None:  # a reply rule answers instead of the prose engine
        outcome = scripted_answer(request, script, rng, new_call_id)
    else:
        outcome = answer(request, route.model, rng, ctx.faker, new_call_id)
    plan = plan_for(request.body)
    pace = ctx.fork("stream-groups")
    return Generation(
        ctx=ctx,
        route=route,
        request=request,
        outcome=outcome,
        profile=speed_profile(route.model, ctx.settings.pacing, ctx.request.headers),
        plan=plan,
        rules=price_rules(route.model, plan),
        created=ctx.stamp(),
        native_id=native_id(route.provider, ctx.fork("native-id")),
        group_sizes=[pace.choice((1, 2, 2, 3)) for _ in range(16)],
    )


def native_id(provider: str, rng: random.Random) -> str:
    """The provider's own id for an answer, in that provider's style."""
    if provider in ("openai", "azure"):
        return "resp_" + ids.token(rng, 50, _HEX)
    if provider in _ANTHROPIC_HOSTS:
        return "msg_01" + ids.token(rng, 22)
    if provider in ("google-ai-studio",):
        return ids.token(rng, 22, string.ascii_letters + string.digits + "-_")
    return "chatcmpl-" + ids.token(rng, 32, _HEX)


def openai_call_id(rng: random.Random) -> str:
    return "call_" + ids.token(rng, 24)


def anthropic_tool_id(rng: random.Random) -> str:
    return "toolu_01" + ids.token(rng, 22)


def paced(gen: Generation, frames: Iterable[tuple[bytes, int]]) -> Iterator[Chunk]:
    """Frames as chunks: the first after the time to first token, then each after its tokens
    (all delays together at most ``MAX_PACE_MS``, the bound ``meta.generation_ms`` reports)."""
    first, left = True, MAX_PACE_MS / 1000.0
    for data, tokens in frames:
        delay = min(gen.profile.first_delay() if first else gen.profile.delay_for(tokens), left)
        first, left = False, left - delay
        yield Chunk(data=data, delay=delay)


def reply_delay(gen: Generation) -> float:
    """A non-streamed answer waits its simulated duration only when pacing was chosen explicitly."""
    if not gen.profile.explicit:
        return 0.0
    return gen.profile.generation_ms(gen.outcome.output_tokens) / 1000.0
