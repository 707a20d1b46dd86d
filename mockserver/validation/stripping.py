"""Drop the keys a request object does not list, as the gateway's Zod objects do.

The contract loader marks the objects below the top level of a request body with
``x-aistats-drops-unknown-keys`` (``mockserver/contract/openness.py``): the validator
accepts keys they do not list, and the body the mock then reads no longer holds them,
so nothing the gateway would have dropped is echoed back or acted upon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.contract.openness import DROPS_UNKNOWN

_REF = "#/components/schemas/"


class UnknownKeyDropper:
    """Removes unlisted keys, in place, from a body already valid against its schema."""

    def __init__(self, schemas: dict[str, Any], is_valid: Callable[[dict[str, Any], Any], bool]):
        self._schemas = schemas
        self._is_valid = is_valid

    def drop(self, node: Any, value: Any, also_listed: frozenset[str] = frozenset()) -> None:
        """``also_listed``: keys the sibling branches of an ``allOf`` list (kept)."""
        node = self._resolve(node)
        if not isinstance(node, dict):
            return
        if isinstance(value, dict):
            self._drop_in_object(node, value, also_listed)
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for item in value:
                self.drop(node["items"], item)
        for key in ("oneOf", "anyOf"):
            branch = next((b for b in node.get(key, []) if self._is_valid(b, value)), None)
            if branch is not None:
                self.drop(branch, value)
        branches = [self._resolve(branch) for branch in node.get("allOf", [])]
        listed = frozenset(
            key for branch in branches if isinstance(branch, dict) for key in branch.get("properties", {})
        )
        for branch in branches:
            self.drop(branch, value, listed | also_listed)

    def _drop_in_object(self, node: dict[str, Any], value: dict[str, Any], also_listed: frozenset[str]) -> None:
        properties = node.get("properties", {})
        if node.get(DROPS_UNKNOWN):
            for key in [key for key in value if key not in properties and key not in also_listed]:
                del value[key]
        for key, sub in properties.items():
            if key in value:
                self.drop(sub, value[key])
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            for key in value:
                if key not in properties:
                    self.drop(extra, value[key])

    def _resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            ref = node["$ref"]
            node = self._schemas.get(ref[len(_REF) :]) if ref.startswith(_REF) else None
            seen += 1
        return node
