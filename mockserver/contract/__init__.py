"""The contract: the one place that reads OpenAPI documents from disk.

Everything else in the mock and in the conformance suite asks this package for a
bundled spec dict (:func:`load_contract`) or for the operation index built from it
(:class:`ContractIndex`).
"""

from mockserver.contract.index import ContractIndex, Operation
from mockserver.contract.loader import (
    CONTRACTS,
    DEFAULT_CONTRACT,
    SURFACES,
    load_admin_contract,
    load_contract,
    load_surface,
    resolve_ref,
)

__all__ = [
    "CONTRACTS",
    "DEFAULT_CONTRACT",
    "SURFACES",
    "ContractIndex",
    "Operation",
    "load_admin_contract",
    "load_contract",
    "load_surface",
    "resolve_ref",
]
