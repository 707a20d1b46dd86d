"""Domain generators, registered per operation id.

A generator takes a :class:`SynthesisContext` and returns a :class:`MockReply`. It is
the first choice of the synthesis chain; without one, the spec's examples and then
schema-driven data answer. The table is filled when :mod:`mockserver.operations`
is imported, which the assembly (:mod:`mockserver.pipeline.assembly`) does; the registry
itself imports no generator.
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext

Generator = Callable[[SynthesisContext], MockReply]
_GENERATORS: dict[str, Generator] = {}
#: Operations whose answer takes real CPU (media synthesis and encoding, many vectors):
#: the server runs them off its event loop. ``_LIKE`` maps an older contract's operation
#: to the current one that answers it.
_HEAVY: set[str] = set()
_LIKE: dict[str, str] = {}


def generator(*operation_ids: str, heavy: bool = False, like: str | None = None) -> Callable[[Generator], Generator]:
    """Register the decorated function for each named operation (aliases included).

    ``heavy``: answering takes long enough (tens of ms and more) to be worth a thread;
    ``like``: the operation costs what that other operation costs.
    """

    def register(func: Generator) -> Generator:
        for operation_id in operation_ids:
            if operation_id in _GENERATORS and _GENERATORS[operation_id] is not func:
                raise ValueError(f"two generators registered for {operation_id}")
            _GENERATORS[operation_id] = func
            if heavy:
                _HEAVY.add(operation_id)
            if like is not None:
                _LIKE[operation_id] = like
        return func

    return register


def is_heavy(operation_id: str) -> bool:
    """Whether answering ``operation_id`` is CPU-heavy (see ``generator(heavy=...)``)."""
    return operation_id in _HEAVY or _LIKE.get(operation_id) in _HEAVY


def generator_for(operation_id: str) -> Generator | None:
    return _GENERATORS.get(operation_id)
