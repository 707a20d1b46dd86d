"""Per-run context the gateway checks read: the contract index, validators, run state.

Checks get only ``(ctx, response, case)`` from Schemathesis; they find the run they
belong to through the schema object of the case. A schema the suite did not prepare
(a plain Schemathesis run that imported these checks) gets a context built lazily from
its raw spec.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from conformance.state import Tracker
from mockserver.contract import ContractIndex, Operation
from mockserver.validation.schemas import SchemaCompiler


@dataclass
class RunContext:
    spec: dict[str, Any]
    index: ContractIndex
    compiler: SchemaCompiler
    tracker: Tracker = field(default_factory=Tracker)
    #: The run's spend guard (None outside a suite run) and its billed operations.
    guard: Any = None
    priced: frozenset[str] = frozenset()
    #: Where findings go without failing the case (conformance/findings.py); None: raise them.
    findings: Any = None

    @classmethod
    def build(cls, spec: dict[str, Any]) -> RunContext:
        return cls(spec=spec, index=ContractIndex(spec), compiler=SchemaCompiler(spec))

    def operation(self, case: Any) -> Operation | None:
        definition = case.operation.definition.raw if hasattr(case.operation, "definition") else {}
        op_id = definition.get("operationId") if isinstance(definition, dict) else None
        if op_id and op_id in self.index.operations:
            return self.index.operations[op_id]
        found = self.index.match(case.method, case.operation.path)
        return found[0] if found else None


#: Keyed by ``id(schema)`` (schemas are unhashable); entries leave with their schema.
_CONTEXTS: dict[int, RunContext] = {}
_LOCK = threading.Lock()


def attach(schema: Any, context: RunContext) -> None:
    with _LOCK:
        _CONTEXTS[id(schema)] = context
    weakref.finalize(schema, _forget, id(schema))


def _forget(key: int) -> None:
    with _LOCK:
        _CONTEXTS.pop(key, None)


def registered(schema: Any) -> RunContext | None:
    """The context of a suite run, without building one for foreign schemas."""
    with _LOCK:
        return _CONTEXTS.get(id(schema))


def context_for(case: Any) -> RunContext:
    schema = case.operation.schema
    with _LOCK:
        context = _CONTEXTS.get(id(schema))
    if context is None:
        context = RunContext.build(schema.raw_schema)
        attach(schema, context)
    return context
