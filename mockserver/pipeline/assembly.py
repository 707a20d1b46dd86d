"""The one place the mock is put together: the runtime, and the dispatcher's stages in order.

The server's middleware is listed the same way, in :func:`mockserver.server.app.middleware`.
ARCHITECTURE.md shows both lists; ``tests/unit/test_architecture.py`` checks that it agrees.
"""

from __future__ import annotations

from mockserver.catalogue import load_catalogue
from mockserver.contract import ContractIndex, load_contract
from mockserver.control_secret import ControlSecretCheck
from mockserver.enrichment.consistency import UsageConsistency
from mockserver.pipeline.runtime import Runtime
from mockserver.pipeline.sharing import sharing_for
from mockserver.pipeline.stages import Stages
from mockserver.replies.book import ReplyBook
from mockserver.replies.selector import ScriptedReplies, load_reply_files
from mockserver.scenarios.control import PlainPlan, ScenarioControl
from mockserver.settings import Settings
from mockserver.state.hooks import CreditCheck, KeyLimitCheck, LedgerRecorder, make_authenticator
from mockserver.state.store import Store
from mockserver.synthesis import generators  # noqa: F401  (every domain generator registers itself on import)
from mockserver.synthesis.text.routing import ModelRouteCheck
from mockserver.validation.schemas import SchemaCompiler


def assemble(settings: Settings) -> Runtime:
    """A runtime for ``settings``: contract, catalogue, state, scenarios and stages."""
    spec = load_contract(settings.spec or settings.contract)
    index = ContractIndex(spec)
    store = Store.from_settings(settings)
    shared = sharing_for(settings)
    scenarios = ScenarioControl(
        settings,
        index.base_path,
        journal=shared.journal,
        counters=shared.scenario_counters,
        rule_sets=shared.rule_sets,
    )
    book = ReplyBook(load_reply_files(settings.replies_files), counters=shared.reply_counters, sets=shared.rule_sets)
    replies = ScriptedReplies(book, scenarios, strict=settings.replies_strict)
    runtime = Runtime(
        settings=settings,
        spec=spec,
        index=index,
        compiler=SchemaCompiler(spec),
        catalogue=load_catalogue(),
        state=store,
        media=shared.media,
        scenarios=scenarios,
        replies=replies,
        stages=Stages(),
        authenticate=make_authenticator(store, settings.key_kind),
        occurrences=shared.occurrences,
    )
    runtime.scenarios.on_reset = runtime.reset_state
    runtime.stages = stages_for(runtime)
    return runtime


def stages_for(runtime: Runtime) -> Stages:
    """The dispatcher's stages, in the order it runs them (ARCHITECTURE.md lists the same)."""
    return Stages(
        selectors=(runtime.scenarios, runtime.replies, PlainPlan(runtime.scenarios)),
        gates=(KeyLimitCheck(), CreditCheck(), ModelRouteCheck(), ControlSecretCheck()),
        enrichers=(UsageConsistency(),),
        recorders=(LedgerRecorder(),),
    )
