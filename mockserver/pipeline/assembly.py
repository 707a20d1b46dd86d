"""The one place the mock is put together: the runtime, and the dispatcher's stages in order.

The server's middleware is listed the same way, in :func:`mockserver.server.app.middleware`.
ARCHITECTURE.md shows both lists; ``tests/unit/test_architecture.py`` checks that it agrees.
"""

from __future__ import annotations

from typing import Any

from mockserver.catalogue import load_catalogue
from mockserver.contract import DEFAULT_CONTRACT, ContractIndex, load_contract, load_surface
from mockserver.control_secret import ControlSecretCheck
from mockserver.dialects.base import Surface
from mockserver.dialects.registry import Basis, dialects_for
from mockserver.enrichment.consistency import UsageConsistency
from mockserver.pipeline.runtime import Runtime
from mockserver.pipeline.stages import Stages
from mockserver.replies.selector import ScriptedReplies, load_reply_files
from mockserver.scenarios.control import PlainPlan, ScenarioControl
from mockserver.settings import Settings
from mockserver.state.hooks import CreditCheck, KeyLimitCheck, LedgerRecorder, make_authenticator
from mockserver.state.store import Store
from mockserver.synthesis import generators  # noqa: F401  (every domain generator registers itself on import)
from mockserver.synthesis.media.store import MediaStore
from mockserver.synthesis.text.routing import ModelRouteCheck
from mockserver.validation.schemas import SchemaCompiler

#: The root key by which an older contract names the dialect it is served through.
DIALECT_KEY = "x-aistats-dialect"


def assemble(settings: Settings) -> Runtime:
    """A runtime for ``settings``: contract, catalogue, state, scenarios and stages."""
    served = load_contract(settings.spec or settings.contract)
    # An older contract (one that names its dialect) is served through that dialect over the current one.
    spec = load_contract(DEFAULT_CONTRACT) if served.get(DIALECT_KEY) else served
    index = ContractIndex(spec)
    compiler = SchemaCompiler(spec)
    catalogue = load_catalogue()
    basis = Basis(index, catalogue, settings.epoch)
    surface = surface_for(settings, served, Surface(spec, index, compiler), basis)
    store = Store.from_settings(settings)
    scenarios = ScenarioControl(settings, surface.index.base_path)
    replies = ScriptedReplies(load_reply_files(settings.replies_files), scenarios, strict=settings.replies_strict)
    runtime = Runtime(
        settings=settings,
        spec=spec,
        index=index,
        compiler=compiler,
        surface=surface,
        catalogue=catalogue,
        state=store,
        media=MediaStore(),
        scenarios=scenarios,
        replies=replies,
        stages=Stages(),
        authenticate=make_authenticator(store, settings.key_kind),
    )
    runtime.scenarios.on_reset = runtime.reset_state
    runtime.stages = stages_for(runtime)
    return runtime


def surface_for(settings: Settings, served: dict[str, Any], contract: Surface, basis: Basis) -> Surface:
    """What the server serves: the contract itself, or a surface of dialects over it (the
    providers' APIs, or an older contract)."""
    any_key = settings.surface != "gateway"
    if any_key:
        served = load_surface(settings.surface)
    elif served is contract.spec:
        return contract
    index = ContractIndex(served)
    return Surface(served, index, SchemaCompiler(served), dialects_for(index, basis), any_key=any_key)


def stages_for(runtime: Runtime) -> Stages:
    """The dispatcher's stages, in the order it runs them (ARCHITECTURE.md lists the same)."""
    return Stages(
        selectors=(runtime.scenarios, runtime.replies, PlainPlan(runtime.scenarios)),
        gates=(KeyLimitCheck(), CreditCheck(), ModelRouteCheck(), ControlSecretCheck()),
        enrichers=(UsageConsistency(),),
        recorders=(LedgerRecorder(),),
    )
