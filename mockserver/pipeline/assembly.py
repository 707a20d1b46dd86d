"""The one place the mock is put together: the runtime, and the dispatcher's stages in order.

The server's middleware is listed the same way, in :func:`mockserver.server.app.middleware`.
ARCHITECTURE.md shows both lists; ``tests/unit/test_architecture.py`` checks that it agrees.
"""

from __future__ import annotations

from typing import Any

from mockserver import operations  # noqa: F401  (every domain generator registers itself on import)
from mockserver.catalogue import load_catalogue
from mockserver.contract import DEFAULT_CONTRACT, ContractIndex, load_contract, load_surface
from mockserver.control_secret import ControlSecretCheck
from mockserver.dialects.base import Surface
from mockserver.dialects.registry import Basis, dialects_for
from mockserver.engines.text.routing import ModelRouteCheck
from mockserver.enrichment.consistency import UsageConsistency
from mockserver.pipeline.runtime import Runtime
from mockserver.pipeline.sharing import sharing_for
from mockserver.pipeline.stages import Stages
from mockserver.recording.library import CassetteLibrary, load_directory
from mockserver.recording.recorder import CassetteRecorder
from mockserver.recording.selector import CassetteReplay
from mockserver.replies.book import ReplyBook
from mockserver.replies.selector import ScriptedReplies, load_reply_files
from mockserver.scenarios.control import PlainPlan, ScenarioControl
from mockserver.settings import RecordingSettings, Settings
from mockserver.state.factory import open_store
from mockserver.state.hooks import CreditCheck, KeyLimitCheck, LedgerRecorder, make_authenticator
from mockserver.validation.schemas import SchemaCompiler

#: The root key by which an older contract names the dialect it is served through.
DIALECT_KEY = "x-aistats-dialect"


def assemble(settings: Settings) -> Runtime:
    """A runtime for ``settings``: contract, catalogue, state, scenarios and stages."""
    served = load_contract(settings.api.spec or settings.api.contract)
    # An older contract (one that names its dialect) is served through that dialect over the current one.
    spec = load_contract(DEFAULT_CONTRACT) if served.get(DIALECT_KEY) else served
    index = ContractIndex(spec)
    compiler = SchemaCompiler(spec)
    catalogue = load_catalogue()
    basis = Basis(index, catalogue, settings.api.epoch)
    surface = surface_for(settings, served, Surface(spec, index, compiler), basis)
    store = open_store(settings.state)
    shared = sharing_for(settings)
    # What a rule's operation may name: the operation served, or the contract's that answers it.
    operation_ids = frozenset(surface.index.operations) | frozenset(index.operations)
    scenarios = ScenarioControl(
        settings,
        surface.index.base_path,
        journal=shared.journal,
        counters=shared.scenario_counters,
        rule_sets=shared.rule_sets,
        operations=operation_ids,
    )
    book = ReplyBook(
        load_reply_files(settings.replies.replies_files, operation_ids),
        operations=operation_ids,
        counters=shared.reply_counters,
        sets=shared.rule_sets,
    )
    replies = ScriptedReplies(book, scenarios, strict=settings.replies.replies_strict)
    replay, recorder = _recording(settings.recording, scenarios)
    runtime = Runtime(
        settings=settings,
        spec=spec,
        index=index,
        compiler=compiler,
        surface=surface,
        catalogue=catalogue,
        state=store,
        media=shared.media,
        scenarios=scenarios,
        replies=replies,
        replay=replay,
        recorder=recorder,
        stages=Stages(),
        authenticate=make_authenticator(store, settings.api.key_kind),
        occurrences=shared.occurrences,
    )
    runtime.scenarios.on_reset = runtime.reset_state
    runtime.stages = stages_for(runtime)
    return runtime


def surface_for(settings: Settings, served: dict[str, Any], contract: Surface, basis: Basis) -> Surface:
    """What the server serves: the contract itself, or a surface of dialects over it (the
    providers' APIs, or an older contract)."""
    any_key = settings.api.surface != "gateway"
    if any_key:
        served = load_surface(settings.api.surface)
    elif served is contract.spec:
        return contract
    index = ContractIndex(served)
    return Surface(served, index, SchemaCompiler(served), dialects_for(index, basis), any_key=any_key)


def stages_for(runtime: Runtime) -> Stages:
    """The dispatcher's stages, in the order it runs them (ARCHITECTURE.md lists the same)."""
    return Stages(
        selectors=(runtime.scenarios, runtime.replies, runtime.replay, PlainPlan(runtime.scenarios)),
        gates=(KeyLimitCheck(), CreditCheck(), ModelRouteCheck(), ControlSecretCheck()),
        enrichers=(UsageConsistency(),),
        recorders=(LedgerRecorder(),),
    )


def _recording(
    settings: RecordingSettings, scenarios: ScenarioControl
) -> tuple[CassetteReplay, CassetteRecorder | None]:
    """The replay selector (inert without ``--replay``) and, when requests are forwarded
    (``--record``, ``--replay-miss forward``), the recorder of their cassettes."""
    library = CassetteLibrary(load_directory(settings.replay_dir)) if settings.replay_dir is not None else None
    replay = CassetteReplay(
        library,
        scenarios,
        miss=settings.replay_miss,
        pace=settings.replay_pace,
        directory=str(settings.replay_dir or ""),
        secrets=(settings.upstream_key,) if settings.upstream_key else (),
    )
    recorder = None
    if settings.record_dir is not None:
        recorder = CassetteRecorder(settings.record_dir)
    elif settings.replay_dir is not None and settings.replay_miss == "forward":
        recorder = CassetteRecorder(settings.replay_dir, library)
    if recorder is not None and not settings.upstream_url:
        raise ValueError("recording (record_dir, or replay_miss='forward') needs upstream_url")
    return replay, recorder
