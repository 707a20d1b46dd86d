"""The contract the suite checks against: loading it, and the view Schemathesis gets.

A spec is a contract name (``2026-03``), a file (a fragment root like ours or a single
file like the published reference) or an http(s) URL. Loading goes through
:mod:`mockserver.contract` (the only reader of spec files); URLs are fetched here.
Nothing is written to disk: the Schemathesis view is a prepared copy of the dict.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Set as AbstractSet
from typing import Any

import yaml

from mockserver.contract import ContractIndex, load_contract
from mockserver.contract.index import HTTP_METHODS
from mockserver.contract.loader import ContractError
from mockserver.validation.schemas import X_JSON, to_json_schema


class HarnessError(Exception):
    """The suite could not run at all (bad spec, unreachable target, bad options): exit 2."""


def load_spec(location: str | None, *, timeout: float = 30.0) -> dict[str, Any]:
    """The merged OpenAPI dict for a contract name, a path or a URL."""
    if location and location.startswith(("http://", "https://")):
        return _fetch(location, timeout)
    try:
        spec = load_contract(location)
    except ContractError as exc:
        raise HarnessError(f"cannot load spec {location}: {exc}") from exc
    _require_openapi(spec, location or "default contract")
    return spec


def _fetch(url: str, timeout: float) -> dict[str, Any]:
    import httpx

    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise HarnessError(f"cannot fetch spec {url}: {exc}") from exc
    if response.status_code != 200:
        raise HarnessError(f"cannot fetch spec {url}: HTTP {response.status_code}")
    try:
        spec = json.loads(response.text) if response.text.lstrip().startswith("{") else yaml.safe_load(response.text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise HarnessError(f"spec at {url} is not valid JSON/YAML: {exc}") from exc
    _require_openapi(spec, url)
    return spec


def _require_openapi(spec: Any, where: str) -> None:
    if not isinstance(spec, dict) or not str(spec.get("openapi", "")).startswith("3."):
        raise HarnessError(f"{where} is not an OpenAPI 3 document")
    if not spec.get("paths"):
        raise HarnessError(f"{where} has no paths")


def operation_matches(pattern: str, operation_id: str, method: str, path: str) -> bool:
    """Glob match against the operationId, ``METHOD /path`` or the bare path."""
    candidates = (operation_id, f"{method.upper()} {path}", path)
    if " " in pattern:
        verb, _, rest = pattern.partition(" ")
        pattern = f"{verb.upper()} {rest}"
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


def select_operations(
    spec: dict[str, Any], include: tuple[str, ...], exclude: tuple[str, ...], drop: AbstractSet[str] = frozenset()
) -> dict[str, Any]:
    """A copy of ``spec`` holding only the selected operations (and links between them)."""
    selected = copy.deepcopy(spec)
    kept_ids = set()
    for path, item in list(selected.get("paths", {}).items()):
        for method in [m for m in HTTP_METHODS if m in item]:
            op_id = item[method].get("operationId", f"{method}{path}")
            wanted = not include or any(operation_matches(p, op_id, method, path) for p in include)
            unwanted = any(operation_matches(p, op_id, method, path) for p in exclude) or op_id in drop
            if wanted and not unwanted:
                kept_ids.add(op_id)
            else:
                del item[method]
        if not any(m in item for m in HTTP_METHODS):
            del selected["paths"][path]
    _prune_links(selected, kept_ids)
    return selected


def _prune_links(spec: dict[str, Any], kept_ids: set[str]) -> None:
    """Drop links whose target operation is not part of the run."""
    for item in spec.get("paths", {}).values():
        for method in (m for m in HTTP_METHODS if m in item):
            for response in item[method].get("responses", {}).values():
                links = response.get("links") if isinstance(response, dict) else None
                if not links:
                    continue
                for name in list(links):
                    link = links[name]
                    target = link.get("operationId") if isinstance(link, dict) else None
                    if isinstance(link, dict) and "$ref" in link:
                        continue
                    if target is not None and target not in kept_ids:
                        del links[name]
    _drop_dangling_link_refs(spec, kept_ids)


def _drop_dangling_link_refs(spec: dict[str, Any], kept_ids: set[str]) -> None:
    components = spec.get("components", {}).get("links", {})
    for item in spec.get("paths", {}).values():
        for method in (m for m in HTTP_METHODS if m in item):
            for response in item[method].get("responses", {}).values():
                links = (response.get("links") if isinstance(response, dict) else None) or {}
                for name in list(links):
                    ref = links[name].get("$ref", "") if isinstance(links[name], dict) else ""
                    target = components.get(ref.rsplit("/", 1)[-1], {}) if ref else {}
                    if ref and target.get("operationId") not in kept_ids:
                        del links[name]


def schemathesis_view(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as Schemathesis should see it: ``x-aistats-json`` as content keywords.

    Each schema node carrying ``x-aistats-json`` (the ``data`` of an SSE event) becomes
    JSON Schema with ``contentMediaType``/``contentSchema``, so Schemathesis decodes and
    validates every event's JSON payload.
    """
    return _with_content_keywords(copy.deepcopy(spec))


def _with_content_keywords(node: Any) -> Any:
    if isinstance(node, list):
        return [_with_content_keywords(item) for item in node]
    if not isinstance(node, dict):
        return node
    if X_JSON in node:
        return to_json_schema(node, content_keywords=True)
    return {key: _with_content_keywords(value) for key, value in node.items()}


def expensive_operation_ids(index: ContractIndex, prefixes: tuple[str, ...]) -> set[str]:
    """Billed operations whose path starts with one of ``prefixes`` (video, music, images, speech)."""
    return {
        op.operation_id
        for op in index.operations.values()
        if op.path.startswith(prefixes) and (op.priced or op.method == "POST")
    }
