"""The one dependency rule of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_FRAMEWORKS = {"connexion", "starlette", "flask", "werkzeug", "uvicorn", "a2wsgi"}
#: Modules allowed to import a web framework: the server host and the CLI that starts it.
WEB_ALLOWED = ("mockserver/server/", "mockserver/cli.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path


def test_only_the_server_package_imports_web_frameworks():
    offenders = {
        name: sorted(_imports(path) & WEB_FRAMEWORKS)
        for name, path in _modules("mockserver")
        if not name.startswith(WEB_ALLOWED) and _imports(path) & WEB_FRAMEWORKS
    }
    assert offenders == {}


def test_conformance_checks_do_not_import_the_mock_server_host():
    offenders = [
        name for name, path in _modules("conformance") if "mockserver.server" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_only_the_contract_package_reads_spec_files():
    offenders = [
        name
        for name, path in _modules("mockserver")
        if "spec_dir(" in path.read_text(encoding="utf-8")
        and not name.startswith(("mockserver/contract/", "mockserver/resources.py"))
    ]
    assert offenders == []
