"""Load a contract: a root OpenAPI document plus the fragment files it lists.

A contract lives in ``spec/<name>/openapi.yaml``. Its ``x-aistats-fragments`` list names
further YAML files (relative to the root) whose top-level ``paths`` and ``components``
are merged into the root. Fragments refer to each other with local ``#/components/...``
references, so the merged dict is one self-contained OpenAPI document: that is what
Connexion, openapi-core and Schemathesis all receive. A root that sets
``x-aistats-request-objects`` then has its request bodies opened below the top level
(``openness.py``).

A single-file spec (YAML or JSON, e.g. the published reference) loads as is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mockserver.contract.openness import OpennessError, open_request_objects
from mockserver.resources import spec_dir

CONTRACTS = ("2026-03", "2025-12")
#: Surfaces served through dialects (``spec/<name>/``): other APIs than the gateway's.
SURFACES = ("providers",)
DEFAULT_CONTRACT = "2026-03"
FRAGMENTS_KEY = "x-aistats-fragments"
_MERGED_SECTIONS = ("paths", "components", "tags")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContractError(ValueError):
    """The spec cannot be loaded: missing file, bad syntax, or clashing fragments."""


def _read_document(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError(f"cannot read spec file {path}: {exc}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ContractError(f"{path} is not valid YAML/JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{path} does not hold a mapping at its top level")
    return data


def _merge_section(target: Any, addition: Any, where: str) -> Any:
    if isinstance(addition, list) and isinstance(target, list):
        return target + addition
    if not (isinstance(addition, dict) and isinstance(target, dict)):
        raise ContractError(f"{where} is defined twice with different kinds of value")
    for key, value in addition.items():
        if key not in target:
            target[key] = value
        elif isinstance(target[key], dict) and isinstance(value, dict) and not _is_leaf(where):
            _merge_section(target[key], value, f"{where}/{key}")
        else:
            raise ContractError(f"{where}/{key} is defined in more than one fragment")
    return target


def _is_leaf(where: str) -> bool:
    # /components/<section>/<name> is one definition: never merge two of them.
    return where.count("/") >= 3


def bundle(root_path: Path) -> dict[str, Any]:
    """Read a root document and merge the fragments it lists into one OpenAPI dict."""
    root = _read_document(root_path)
    for relative in root.pop(FRAGMENTS_KEY, []):
        fragment = _read_document(root_path.parent / relative)
        for section in _MERGED_SECTIONS:
            if section in fragment:
                root[section] = _merge_section(
                    root.get(section, type(fragment[section])()), fragment[section], f"/{section}"
                )
        unexpected = set(fragment) - set(_MERGED_SECTIONS)
        if unexpected:
            raise ContractError(f"fragment {relative} has top-level keys {sorted(unexpected)}")
    try:
        open_request_objects(root)
    except OpennessError as exc:
        raise ContractError(str(exc)) from exc
    return root


@lru_cache(maxsize=8)
def _load_cached(location: str) -> dict[str, Any]:
    path = Path(location)
    if path.is_dir():
        path = path / "openapi.yaml"
    if not path.is_file():
        raise ContractError(f"no spec at {location}")
    return bundle(path)


def contract_path(name_or_path: str | Path | None = None) -> Path:
    """The root file of a named contract (``2026-03``) or of a spec given by path."""
    if name_or_path is None:
        name_or_path = DEFAULT_CONTRACT
    if str(name_or_path) in CONTRACTS:
        return spec_dir() / str(name_or_path) / "openapi.yaml"
    return Path(name_or_path).expanduser().resolve()


def load_contract(name_or_path: str | Path | None = None) -> dict[str, Any]:
    """A fresh, fully merged copy of the contract; callers may mutate it."""
    return fresh_copy(_load_cached(str(contract_path(name_or_path))))


def fresh_copy(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON-like document (several times faster than ``copy.deepcopy``)."""
    return json.loads(json.dumps(document, default=str))


def load_admin_contract() -> dict[str, Any]:
    """The OpenAPI description of the mock's own admin API (``/__mock/``)."""
    return fresh_copy(_load_cached(str(spec_dir() / "admin" / "openapi.yaml")))


def load_surface(name: str) -> dict[str, Any]:
    """The OpenAPI description of a surface served through dialects (``providers``)."""
    if name not in SURFACES:
        raise ContractError(f"no surface {name!r}; known: {', '.join(SURFACES)}")
    return fresh_copy(_load_cached(str(spec_dir() / name / "openapi.yaml")))


def resolve_ref(spec: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` chains until a non-reference node."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            raise ContractError(f"unresolvable reference {ref}")
        seen.add(ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
