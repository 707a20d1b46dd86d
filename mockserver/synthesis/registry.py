"""Domain generators, registered per operation id.

A generator takes a :class:`SynthesisContext` and returns a :class:`MockReply`. It is
the first choice of the synthesis chain; without one, the spec's examples and then
schema-driven data answer.
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext

Generator = Callable[[SynthesisContext], MockReply]
_GENERATORS: dict[str, Generator] = {}


def generator(*operation_ids: str) -> Callable[[Generator], Generator]:
    """Register the decorated function for each named operation (aliases included)."""

    def register(func: Generator) -> Generator:
        for operation_id in operation_ids:
            if operation_id in _GENERATORS and _GENERATORS[operation_id] is not func:
                raise ValueError(f"two generators registered for {operation_id}")
            _GENERATORS[operation_id] = func
        return func

    return register


def generator_for(operation_id: str) -> Generator | None:
    _load_generators()
    return _GENERATORS.get(operation_id)


def registered() -> dict[str, Generator]:
    _load_generators()
    return dict(_GENERATORS)


_loaded = False


def _load_generators() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from mockserver.synthesis import generators  # noqa: F401  (registers on import)
