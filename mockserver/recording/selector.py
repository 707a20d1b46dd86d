"""The pipeline stage that answers from cassettes (pipeline/assembly.py lists it).

It runs after the scenario control and the scripted replies: a request that asked for a
scenario, or that a reply rule answers, never reaches it. Otherwise the request is
normalized as the recorder normalized it (:mod:`.normalize`) and the library's recording for
it is the answer: the recorded status, headers and body byte for byte, or the recorded stream
frame by frame, at the recorded pace (``--replay-pace recorded``: a whole body after the
``elapsed_ms`` the upstream took, each frame at its ``at_ms``) or at the mock's own
(``configured``: ``--ttft-ms``, ``--tokens-per-second``, ``X-Mock-*`` headers or the model's
profile; one frame per token; a whole body at once). Such an answer skips the gates, synthesis and the ledger (it
was priced when it was recorded). A hand-written cassette's ``reply`` is a scripted answer
and is generated like one. A miss is synthesized (``--replay-miss synthesize``), refused with
a 400 ``no_recorded_answer`` naming the closest cassette (``error``), or, with ``forward``,
was already sent upstream and recorded by the server's forwarding adapter.
"""

from __future__ import annotations

from mockserver.enrichment.meta import speed_profile
from mockserver.errors import GatewayFailure
from mockserver.model import Chunk, MockReply, MockRequest
from mockserver.recording.cassette import Cassette
from mockserver.recording.library import CassetteLibrary
from mockserver.recording.normalize import bearer_token, normalize_request
from mockserver.replies.selector import scripted_plan
from mockserver.scenarios.control import ScenarioControl
from mockserver.scenarios.latency import MAX_DELAY_MS
from mockserver.scenarios.plan import ScenarioPlan
from mockserver.settings import RecordingSettings
from mockserver.synthesis.context import SynthesisContext

MISS_MODES = ("synthesize", "error", "forward")
PACES = ("recorded", "configured")


def normalized(request: MockRequest, extra_secrets: tuple[str, ...] = ()) -> dict[str, object]:
    """``request`` normalized as its cassette holds it."""
    secrets = tuple(s for s in (bearer_token(request.header("authorization")), *extra_secrets) if s)
    return normalize_request(
        request.method, request.path, request.query, request.content_type, request.raw_body, secrets
    )


class CassetteReplay:
    """Selector: the recorded answer of a request, from the cassettes of ``--replay DIR``."""

    def __init__(
        self,
        library: CassetteLibrary | None,
        scenarios: ScenarioControl,
        *,
        miss: str = RecordingSettings.replay_miss,
        pace: str = RecordingSettings.replay_pace,
        directory: str = "",
        secrets: tuple[str, ...] = (),
    ):
        self.library = library
        self.scenarios = scenarios
        self.miss = miss
        self.pace = pace
        self.directory = directory
        #: Secrets redacted besides the client's key (the upstream key), as the recorder did.
        self.secrets = secrets

    def select(self, ctx: SynthesisContext) -> ScenarioPlan | None:
        if self.library is None:
            return None
        request = normalized(ctx.request, self.secrets)
        cassette = self.library.take(request)
        if cassette is None:
            if self.miss == "error":
                raise self._miss(ctx, request)
            return None
        if cassette.script is None:
            return ScenarioPlan(name="replayed", answer=self._answer(ctx, cassette), cassette=cassette.name)
        plan = scripted_plan(cassette.script, ctx, f"cassette {cassette.name!r}")
        plan.cassette = cassette.name
        return self.scenarios.decorate(ctx, plan)

    def reset(self) -> None:
        if self.library is not None:
            self.library.reset()

    def _answer(self, ctx: SynthesisContext, cassette: Cassette) -> MockReply:
        headers = dict(cassette.headers)
        media_type = headers.get("content-type", "application/octet-stream")
        reply = MockReply(status=cassette.status, media_type=media_type, headers=headers)
        if cassette.frames is None:
            reply.content = cassette.body or b""
            if self.pace == "recorded" and cassette.elapsed_ms:
                # waited out by the server before the first byte (off the event loop), as latency is
                reply.delay = min(cassette.elapsed_ms, MAX_DELAY_MS) / 1000.0
            return reply
        if self.pace == "configured":
            model = ctx.catalogue.get(str(ctx.request.field("model") or ""))
            profile = speed_profile(model, ctx.settings.pacing, ctx.request.headers)
            delays = [profile.first_delay()] + [profile.delay_for(1)] * (len(cassette.frames) - 1)
        else:
            offsets = [0.0] + [frame.at_ms for frame in cassette.frames]
            delays = [max(0.0, (offsets[i + 1] - offsets[i]) / 1000.0) for i in range(len(cassette.frames))]
        reply.stream = [Chunk(frame.data, delay) for frame, delay in zip(cassette.frames, delays, strict=True)]
        return reply

    def _miss(self, ctx: SynthesisContext, request: dict[str, object]) -> GatewayFailure:
        assert self.library is not None
        operation = ctx.request.operation.operation_id
        where = f"--replay {self.directory}, --replay-miss error; {len(self.library)} cassettes loaded"
        closest = self.library.closest(request)
        hint = (
            f"the closest is {closest[0].name} ({closest[0].source or 'added at run time'}), "
            f"which differs at {closest[1]}"
            if closest
            else "there is no cassette at all"
        )
        return GatewayFailure(
            400,
            "no_recorded_answer",
            f"no cassette records this {operation} request ({request['method']} {request['path']}): {hint} ({where})",
        )
