"""Everything one server builds once and every request shares (built by :mod:`.assembly`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver import ids
from mockserver.catalogue import Catalogue
from mockserver.contract import ContractIndex
from mockserver.pipeline.stages import Stages
from mockserver.scenarios.traffic import Traffic
from mockserver.settings import Settings
from mockserver.validation.schemas import SchemaCompiler

if TYPE_CHECKING:
    from mockserver.replies.selector import ScriptedReplies
    from mockserver.scenarios.control import ScenarioControl
    from mockserver.state.blobs import BlobStore
    from mockserver.state.counters import CountedOccurrences
    from mockserver.state.store import Store


@dataclass
class Runtime:
    settings: Settings
    spec: dict[str, Any]
    index: ContractIndex
    compiler: SchemaCompiler
    catalogue: Catalogue
    #: Keys, wallets and ledger, jobs, generation records (SQLite, in memory or a file).
    state: Store
    #: Generated files behind ``/__mock/media/`` (bounded LRU).
    media: BlobStore
    #: Rules, journal, fault rate, latency and violations (the admin API's subject).
    scenarios: ScenarioControl
    #: Reply rules (``--replies``, ``/__mock/replies``): the selector that scripts answers.
    replies: ScriptedReplies
    #: The dispatcher's stages, in order.
    stages: Stages
    #: ``Authorization`` header → the caller's key (or a 401 :class:`GatewayFailure`).
    authenticate: Callable[[str | None], Any]
    #: How many times each request seed was seen (unique generation ids; forgotten on reset).
    occurrences: ids.Occurrences | CountedOccurrences = field(default_factory=ids.Occurrences)
    #: Requests, latency and streams answered (``GET /__mock/metrics``; never reset).
    traffic: Traffic = field(default_factory=Traffic)

    def reset_state(self) -> None:
        """Forget every key, wallet, job and generation record, the id counts, and the reply
        rules added at run time (with every reply rule's count)."""
        self.state.reset()
        self.replies.reset()
        self.occurrences.clear()
