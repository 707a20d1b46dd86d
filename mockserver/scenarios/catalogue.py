"""The named scenarios a client can ask for, what each does and where it applies.

A scenario is picked by the ``X-Mock-Scenario`` header (``NAME`` or ``NAME; key=value``),
by a rule, or by the seeded error rate. :func:`plan_for` turns it into a
:class:`ScenarioPlan`; :func:`unsuitable` says why it cannot apply to a request (a
failure whose status the operation does not document, a stream scenario on a request
that does not stream), so that no scenario ever produces an undocumented answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mockserver.contract import resolve_ref
from mockserver.encoding.sse import mid_stream_error_frame
from mockserver.errors import GatewayFailure
from mockserver.scenarios import breakage, failures
from mockserver.scenarios.failures import ScenarioParamError
from mockserver.scenarios.latency import LatencyError, parse_delay_ms
from mockserver.scenarios.plan import ScenarioPlan
from mockserver.synthesis.context import SynthesisContext

JOB_OUTCOME_HEADER = "x-mock-job-outcome"
#: Frames sent before a stream is broken, unless ``after=N`` says otherwise.
DEFAULT_FRAMES_BEFORE_BREAK = 2
SLOW_DEFAULT_MS = 2000.0
#: What the gateway writes when a provider's mid-stream failure carries no message (§5).
STREAM_ERROR_MESSAGE = "stream_error"


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    #: Where it applies: ``inference`` (needs ``status`` documented), ``stream``, ``job``, ``any``.
    scope: str
    build: Callable[[SynthesisContext, Mapping[str, str]], ScenarioPlan]
    status: int | None = None


def _failure(
    make: Callable[[Mapping[str, str]], GatewayFailure],
) -> Callable[[SynthesisContext, Mapping[str, str]], ScenarioPlan]:
    def build(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
        return ScenarioPlan(failure=make(params))

    return build


def _timeout(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    wait = _ms(params, "delay_ms", ctx.settings.scenarios.timeout_ms)
    return ScenarioPlan(failure=failures.upstream_timeout(params), reshapers=[breakage.added_delay(wait)])


def _slow(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    return ScenarioPlan(reshapers=[breakage.added_delay(_ms(params, "delay_ms", SLOW_DEFAULT_MS))])


def _interrupted(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    message = params.get("message", STREAM_ERROR_MESSAGE)
    try:
        frame = mid_stream_error_frame(ctx.operation.operation_id, message)
    except ValueError:  # a chat-shaped surface of another contract (e.g. 2025-12)
        frame = mid_stream_error_frame("chat", message)
    return ScenarioPlan(reshapers=[breakage.interrupted(_frames(params), frame)], cuts_answer=True)


def _stalled(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    stall = _ms(params, "stall_ms", ctx.settings.scenarios.stall_ms)
    return ScenarioPlan(reshapers=[breakage.stalled(_frames(params), stall)])


def _reset(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    return ScenarioPlan(reshapers=[breakage.reset(_frames(params))], cuts_answer=True)


def _job_failed(ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    # The job lifecycle reads the same header a client may send itself.
    return ScenarioPlan(request_headers={JOB_OUTCOME_HEADER: "failed"})


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "insufficient_credit",
            "402 insufficient_funds: the team wallet is under the $1.00 minimum",
            "inference",
            _failure(failures.insufficient_credit),
            402,
        ),
        Scenario(
            "key_limit",
            "429 key_limit_exceeded (reason=daily_request_limit_reached by default)",
            "inference",
            _failure(failures.key_limit),
            429,
        ),
        Scenario(
            "upstream_rate_limited",
            "the provider's 429 passed through (no error_type)",
            "inference",
            _failure(failures.upstream_rate_limited),
            429,
        ),
        Scenario(
            "upstream_error",
            "the provider's 5xx passed through (status=500|502|503|504, default 500)",
            "inference",
            _failure(failures.upstream_error),
            500,
        ),
        Scenario(
            "all_providers_failed",
            "502 upstream_error: every provider candidate failed",
            "inference",
            _failure(failures.all_providers_failed),
            502,
        ),
        Scenario(
            "upstream_timeout",
            "the provider's 504 passed through after delay_ms (default --timeout-ms)",
            "inference",
            _timeout,
            504,
        ),
        Scenario("slow", "the normal answer, delay_ms (default 2000) late", "any", _slow),
        Scenario(
            "stream_interrupted",
            "after=N frames (default 2), the surface's error frame, then the end",
            "stream",
            _interrupted,
        ),
        Scenario(
            "stream_stalled",
            "after=N frames, a pause of stall_ms (default --stall-ms), then the rest",
            "stream",
            _stalled,
        ),
        Scenario(
            "connection_reset", "the socket is closed mid-answer (after=N frames, or half the body)", "any", _reset
        ),
        Scenario("job_failed", "the async job this request creates ends in status failed", "job", _job_failed),
    )
}


def unsuitable(scenario: Scenario, ctx: SynthesisContext, params: Mapping[str, str]) -> str | None:
    """Why ``scenario`` cannot answer this request, or None when it can."""
    operation = ctx.operation
    if scenario.scope == "inference":
        status = (
            int(params["status"])
            if str(params.get("status", "")).isdigit() and len(str(params["status"])) <= 3
            else scenario.status
        )
        if operation.family != "inference":
            return f"{scenario.name} applies to inference operations, not {operation.operation_id}"
        if not operation.documents(status):
            return f"{operation.operation_id} does not document status {status}"
    if scenario.scope == "stream" and not asks_for_stream(ctx):
        return f"{scenario.name} applies to streamed requests (stream: true)"
    if scenario.scope == "job" and not creates_job(ctx):
        return f"{scenario.name} applies to requests that create an async job"
    return None


def asks_for_stream(ctx: SynthesisContext) -> bool:
    response = ctx.operation.response(ctx.operation.success_status)
    if response is None or "text/event-stream" not in response.media_types:
        return False
    return ctx.request.field("stream") is True or ctx.request.field("stream_format") == "sse"


def creates_job(ctx: SynthesisContext) -> bool:
    """True for the inference operations whose answer links to a job route (video, music)."""
    operation = ctx.operation
    if operation.family != "inference" or operation.method != "POST":
        return False
    response = resolve_ref(
        ctx.index.spec, operation.definition.get("responses", {}).get(str(operation.success_status), {})
    )
    for link in response.get("links", {}).values():
        linked = ctx.index.operations.get(resolve_ref(ctx.index.spec, link).get("operationId", ""))
        if linked is not None and linked.family == "job":
            return True
    return False


def plan_for(name: str, ctx: SynthesisContext, params: Mapping[str, str]) -> ScenarioPlan:
    """The plan of scenario ``name``; raises ScenarioParamError for bad parameters."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ScenarioParamError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    plan = scenario.build(ctx, params)
    plan.name = name
    return plan


def _ms(params: Mapping[str, str], key: str, default: float) -> float:
    try:
        value = parse_delay_ms(params.get(key))
    except LatencyError as exc:
        raise ScenarioParamError(f"{key}: {exc}") from None
    return default if value is None else value


def _frames(params: Mapping[str, str]) -> int:
    text = str(params.get("after", DEFAULT_FRAMES_BEFORE_BREAK))
    if not text.isdigit() or len(text) > 9:
        raise ScenarioParamError(f"after must be a number of frames, not {text[:20]!r}")
    return int(text)
