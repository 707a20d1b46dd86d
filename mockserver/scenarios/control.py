"""Scenario control for one server: which plan each request follows.

Precedence: the ``X-Mock-Scenario`` header, then ``Prefer: code=NNN`` for an error status
(answered in the gateway's envelope rather than with schema data), then the first rule that
fires (rules file and admin API), then the seeded error rate; when none applies, the next
selectors (scripted replies, then :class:`PlainPlan`) decide. On top of whichever answer that
gives come the deliberate violations (``--violate``), the scenario's own breakage, and added
latency (``X-Mock-Latency-Ms`` or ``--latency``). The chosen scenario and rule travel in the
plan (then in the reply's ``outcome``) to the journal. The runtime holds one
:class:`ScenarioControl` (its ``scenarios``), the first selector of the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from mockserver.enrichment.meta import check_pace_headers
from mockserver.errors import GatewayFailure
from mockserver.scenarios import failures
from mockserver.scenarios.breakage import added_delay
from mockserver.scenarios.catalogue import SCENARIOS, plan_for, unsuitable
from mockserver.scenarios.error_rate import DEFAULT_SCENARIOS, ErrorRate
from mockserver.scenarios.failures import ScenarioParamError
from mockserver.scenarios.journal import Journal
from mockserver.scenarios.latency import LatencyError, parse_delay_ms, parse_latency
from mockserver.scenarios.plan import ScenarioPlan
from mockserver.scenarios.rules import Rule, RuleBook, load_rules_file
from mockserver.scenarios.shared_journal import AnyJournal
from mockserver.scenarios.violations import Violations
from mockserver.settings import Settings
from mockserver.state.counters import Counters, MemoryCounters
from mockserver.state.shared_rules import RuleSets
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.preferences import read_preferences

SCENARIO_HEADER = "x-mock-scenario"
LATENCY_HEADER = "x-mock-latency-ms"


def parse_scenario_header(value: str) -> tuple[str, dict[str, str]]:
    """``upstream_error; status=503`` → (``upstream_error``, ``{"status": "503"}``)."""
    name, *pairs = [part.strip() for part in value.split(";")]
    params = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep or not key.strip():
            raise ScenarioParamError(f"scenario parameter {pair!r} is not key=value")
        params[key.strip().lower()] = val.strip().strip('"')
    return name.lower(), params


class ScenarioControl:
    """Rules, journal, fault rate, latency and violations of one running mock."""

    def __init__(
        self,
        settings: Settings,
        base_path: str,
        on_reset: Callable[[], None] | None = None,
        *,
        journal: AnyJournal | None = None,
        counters: Counters | None = None,
        rule_sets: RuleSets | None = None,
        operations: Collection[str] = (),
    ):
        """``journal``, ``counters`` (the rules' and the error rate's) and ``rule_sets`` are
        the in-memory ones of a single worker unless the assembly passes shared ones; a rule's
        ``operation`` must be one of ``operations`` (when given)."""
        chosen = settings.scenarios
        self.base_path = base_path
        #: The ``--latency`` setting as given (the admin API lists it).
        self.latency_setting: str | None = chosen.latency
        #: What else an admin reset forgets (the runtime's state store and id counts).
        self.on_reset = on_reset
        initial = load_rules_file(chosen.scenarios_file, SCENARIOS, operations) if chosen.scenarios_file else []
        counters = counters or MemoryCounters()
        self.rules = RuleBook(initial, SCENARIOS, operations=operations, counters=counters, sets=rule_sets)
        if journal is None:  # (an empty journal is falsy)
            journal = Journal(chosen.journal_size, chosen.journal_max_bytes, chosen.journal_body_bytes)
        self.journal: AnyJournal = journal
        self.latency = parse_latency(chosen.latency) if chosen.latency else None
        self.error_rate = ErrorRate(
            chosen.error_rate, settings.api.seed, chosen.error_scenarios or DEFAULT_SCENARIOS, counters=counters
        )
        self.violations = Violations(chosen.violations)

    # ---- selection --------------------------------------------------------------------

    def select(self, ctx: SynthesisContext) -> ScenarioPlan | None:
        """The scenario's plan, or None when no scenario applies (a reply rule or synthesis
        answers then, and :class:`PlainPlan` adds the latency and violations)."""
        check_pace_headers(ctx.request.headers)
        try:
            plan = self._scenario_plan(ctx)
        except ScenarioParamError as exc:
            raise GatewayFailure(400, "invalid_request", str(exc)) from None
        if plan.name is None and plan.failure is None and not plan.reshapers:
            return None
        return self.decorate(ctx, plan)

    def decorate(self, ctx: SynthesisContext, plan: ScenarioPlan) -> ScenarioPlan:
        """``plan`` with what applies on top of any answer: the deliberate violations and the
        added latency (a scripted reply's plan gets them too). The pacing headers were checked
        by :meth:`select`, the pipeline's first stage."""
        try:
            extra_ms = self._latency_ms(ctx)
        except LatencyError as exc:
            raise GatewayFailure(400, "invalid_request", str(exc)) from None
        plan.reshapers = [*self.violations.reshapers(ctx), *plan.reshapers]
        if extra_ms:
            plan.reshapers.append(added_delay(extra_ms))
        return plan

    def _scenario_plan(self, ctx: SynthesisContext) -> ScenarioPlan:
        header = ctx.request.header(SCENARIO_HEADER)
        if header and header.strip():
            name, params = parse_scenario_header(header)
            scenario = SCENARIOS.get(name)
            if scenario is None:
                raise ScenarioParamError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
            plan = plan_for(name, ctx, params)  # checks the parameters first
            reason = unsuitable(scenario, ctx, params)
            if reason:
                raise ScenarioParamError(f"X-Mock-Scenario {name}: {reason}")
            return plan
        prefs = read_preferences(ctx.request)
        if (
            prefs.code
            and prefs.code >= 400
            and not prefs.example
            and not prefs.dynamic
            and ctx.operation.documents(prefs.code)
        ):
            # Prism's Prefer: code=NNN, answered with the gateway's own envelope and headers.
            failure = failures.failure_for_status(prefs.code, ctx.operation.family)
            return ScenarioPlan(name=f"status:{prefs.code}", failure=failure)
        picked = self.rules.pick(ctx.request, self.base_path, lambda rule: self._rule_usable(rule, ctx))
        if picked is not None:
            rule, _call = picked
            plan = self._rule_plan(rule, ctx)
            plan.rule = rule.name
            return plan
        drawn = self.error_rate.draw(lambda name: unsuitable(SCENARIOS[name], ctx, {}) is None)
        return plan_for(drawn, ctx, {}) if drawn else ScenarioPlan()

    def _rule_usable(self, rule: Rule, ctx: SynthesisContext) -> bool:
        if rule.status is not None:
            return ctx.operation.documents(rule.status)
        assert rule.scenario is not None  # a rule names exactly one of scenario or status
        return unsuitable(SCENARIOS[rule.scenario], ctx, rule.params) is None

    def _rule_plan(self, rule: Rule, ctx: SynthesisContext) -> ScenarioPlan:
        if rule.status is not None:
            failure = failures.failure_for_status(rule.status, ctx.operation.family)
            return ScenarioPlan(name=f"status:{rule.status}", failure=failure)
        assert rule.scenario is not None  # a rule names exactly one of scenario or status
        return plan_for(rule.scenario, ctx, rule.params)

    def _latency_ms(self, ctx: SynthesisContext) -> float:
        asked = parse_delay_ms(ctx.request.header(LATENCY_HEADER))
        if asked is not None:
            return asked
        return self.latency.sample_ms(ctx.fork("latency")) if self.latency else 0.0

    # ---- administration -----------------------------------------------------------------

    def reset(self) -> None:
        """Forget call counts, the journal, the fault sequence and, through ``on_reset``, all
        stateful resources."""
        self.rules.reset_counts()
        self.journal.clear()
        self.error_rate.reset()
        self.violations.reset()
        if self.on_reset is not None:
            self.on_reset()


class PlainPlan:
    """The last selector: the plan of a request no scenario and no reply rule chose, which
    gets only the added latency and the deliberate violations of its :class:`ScenarioControl`."""

    def __init__(self, control: ScenarioControl):
        self.control = control

    def select(self, ctx: SynthesisContext) -> ScenarioPlan:
        return self.control.decorate(ctx, ScenarioPlan())
