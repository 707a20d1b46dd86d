"""The dependency rule and the flow of ARCHITECTURE.md, enforced.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``: web frameworks only
in the server, the conformance suite never reaching into the mock's server, the layers);
import-linter checks them over every import, function-local ones included.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mockserver.pipeline.assembly import assemble
from mockserver.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path


def test_the_import_contracts_hold():
    lint_imports = pytest.importorskip("importlinter.cli", reason="import-linter is in the [test] extra").lint_imports
    previous = os.getcwd()
    os.chdir(ROOT)  # it reads pyproject.toml from the working directory
    try:
        assert lint_imports(no_cache=True) == 0, "lint-imports reports a broken contract (run it for details)"
    finally:
        os.chdir(previous)


def test_only_the_contract_package_reads_spec_files():
    offenders = [
        name
        for name, path in _modules("mockserver")
        if "spec_dir(" in path.read_text(encoding="utf-8")
        and not name.startswith(("mockserver/contract/", "mockserver/resources.py"))
    ]
    assert offenders == []


def test_architecture_lists_the_stages_in_the_order_the_assembly_runs_them():
    listed = re.findall(
        r"^\s+(selector|gate|enricher|recorder)\s+(\w+)\s", (ROOT / "ARCHITECTURE.md").read_text(), re.M
    )
    runtime = assemble(Settings())
    try:
        assert [(kind + "s", name) for kind, name in listed] == runtime.stages.names()
    finally:
        runtime.state.close()


def test_the_assembly_registers_every_domain_generator():
    from mockserver.synthesis.registry import generator_for

    runtime = assemble(Settings())
    try:
        missing = [op for op in ("createChatCompletion", "createVideo", "listModels") if generator_for(op) is None]
        assert missing == []
    finally:
        runtime.state.close()
