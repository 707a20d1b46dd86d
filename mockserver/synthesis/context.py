"""What a generator gets to work with: the request, seeded randomness and the catalogue."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.catalogue import Catalogue
from mockserver.contract.index import ContractIndex
from mockserver.engines.fakers import SeededFakers
from mockserver.engines.script import Script
from mockserver.ids import derive_seed
from mockserver.model import MockRequest
from mockserver.settings import Settings
from mockserver.validation.schemas import SchemaCompiler

if TYPE_CHECKING:
    from faker import Faker

_FAKERS = SeededFakers()


def seeded_faker(seed: int) -> Faker:
    """A per-thread Faker, reseeded for each request (made on first use)."""
    return _FAKERS.get(seed)


@dataclass
class SynthesisContext:
    request: MockRequest
    index: ContractIndex
    compiler: SchemaCompiler
    catalogue: Catalogue
    epoch: int
    settings: Settings = field(default_factory=Settings)
    state: Any = None
    #: Generated files served at ``/__mock/media/`` (the runtime's store).
    media: Any = None
    #: The scripted answer a reply rule chose (:mod:`mockserver.replies`), or None: synthesize.
    script: Script | None = None

    def __post_init__(self):
        self._faker: Faker | None = None

    @property
    def faker(self) -> Faker:
        if self._faker is None:
            self._faker = seeded_faker(self.request.seed)
        return self._faker

    @property
    def operation(self):
        return self.request.operation

    def stamp(self) -> int:
        """Unix seconds for a stateless answer: deterministic per seed, near the epoch."""
        return self.epoch + derive_seed(self.request.seed, "stamp") % (30 * 86400)

    def fork(self, label: str) -> random.Random:
        """An independent random stream, so adding draws elsewhere does not shift this one."""
        return random.Random(derive_seed(self.request.seed, label))
