"""Tenant isolation (RESTler's namespace rule): what one team creates, another cannot read,
change or delete. Judged by conformance/tenant_flow.py with a key of each team."""

from __future__ import annotations

from typing import Any

from conformance.checks._support import register

register(
    "tenants_isolated",
    "keys, jobs, generation records and activity of one team are not readable, changeable or deletable by another",
)

#: What another team's resource may answer: absent (404) or forbidden (403).
REFUSALS = (403, 404)


def mentions(value: Any, identifier: str) -> bool:
    """Whether ``identifier`` appears anywhere in a JSON value (a list answer, say)."""
    if isinstance(value, str):
        return identifier in value
    if isinstance(value, dict):
        return any(mentions(item, identifier) for item in value.values())
    if isinstance(value, list):
        return any(mentions(item, identifier) for item in value)
    return False


def unchanged(before: Any, after: Any, fields: tuple[str, ...]) -> list[str]:
    """The ``fields`` whose value differs between two reads of the same resource."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [name for name in fields if before.get(name) != after.get(name)]
