"""The aistats conformance suite: fuzz any gateway against the contract.

``conformance.run(Options(base_url=..., api_key=...))`` returns a :class:`RunResult`
(``exit_code`` 0 conformant, 1 breaches, 2 harness error). Importing this package is
cheap (the pytest plugin lives in it): the names below load on first use.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "run": "conformance.api",
    "Options": "conformance.options",
    "RunResult": "conformance.results",
    "FailureRecord": "conformance.results",
    "EXIT_CONFORMANT": "conformance.results",
    "EXIT_BREACHES": "conformance.results",
    "EXIT_HARNESS": "conformance.results",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'conformance' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
