"""Everything one server builds once and every request shares (built by :mod:`.assembly`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver import ids
from mockserver.catalogue import Catalogue
from mockserver.contract import ContractIndex, Operation
from mockserver.dialects.base import Surface
from mockserver.pipeline.stages import Stages
from mockserver.scenarios.traffic import Traffic
from mockserver.settings import Settings
from mockserver.validation.schemas import SchemaCompiler

if TYPE_CHECKING:
    from mockserver.replies.selector import ScriptedReplies
    from mockserver.scenarios.control import ScenarioControl
    from mockserver.state.store import Store
    from mockserver.synthesis.media.store import MediaStore


@dataclass
class Runtime:
    settings: Settings
    #: The current contract: what synthesis, scenarios and enrichment work on.
    spec: dict[str, Any]
    index: ContractIndex
    compiler: SchemaCompiler
    #: What the server routes, validates and answers: the contract itself, or another API
    #: served through dialects around the same dispatcher (``aistats-mock providers``).
    surface: Surface
    catalogue: Catalogue
    #: Keys, wallets and ledger, jobs, generation records (SQLite, in memory or a file).
    state: Store
    #: Generated files behind ``/__mock/media/`` (bounded LRU).
    media: MediaStore
    #: Rules, journal, fault rate, latency and violations (the admin API's subject).
    scenarios: ScenarioControl
    #: Reply rules (``--replies``, ``/__mock/replies``): the selector that scripts answers.
    replies: ScriptedReplies
    #: The dispatcher's stages, in order.
    stages: Stages
    #: ``Authorization`` header → the caller's key (or a 401 :class:`GatewayFailure`).
    authenticate: Callable[[str | None], Any]
    #: How many times each request seed was seen (unique generation ids; forgotten on reset).
    occurrences: ids.Occurrences = field(default_factory=ids.Occurrences)
    #: Requests, latency and streams answered (``GET /__mock/metrics``; never reset).
    traffic: Traffic = field(default_factory=Traffic)

    def contract_of(self, operation: Operation) -> tuple[ContractIndex, SchemaCompiler]:
        """The contract an operation belongs to: the current one, or the served surface's (an
        operation no dialect maps to a current one is answered in its own contract)."""
        if self.index.operations.get(operation.operation_id) is operation:
            return self.index, self.compiler
        return self.surface.index, self.surface.compiler

    def reset_state(self) -> None:
        """Forget every key, wallet, job and generation record, the id counts, and the reply
        rules added at run time (with every reply rule's count)."""
        self.state.reset()
        self.replies.reset()
        self.occurrences.clear()
