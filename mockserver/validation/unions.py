"""Explain a failed ``oneOf``/``anyOf`` by the innermost field that is wrong.

jsonschema-rs reports a union that nothing matched as one error on the union's
location, with the errors of every branch in ``kind.context``. A client needs the
field inside the branch it meant, so the branch is chosen the way a discriminated union
is read: branches whose discriminator (``type``, ``role``, ``object``) or JSON type
disagrees with the instance are set aside, and of the rest the one with the fewest,
then deepest, errors wins; its errors are explained in turn (they may be unions too).
When every branch is set aside, the instance itself is named: a wrong JSON type
(``null is not allowed (expected string or array)``) or a discriminator outside the
values the branches accept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema_rs

from mockserver.errors import ValidationDetail

DISCRIMINATORS = ("type", "role", "object")
UNION_KEYWORDS = ("oneOf", "anyOf")

Explain = Callable[[jsonschema_rs.ValidationError, list[str | int]], list[ValidationDetail]]
Branch = list[jsonschema_rs.ValidationError]


def union_details(
    error: jsonschema_rs.ValidationError, prefix: list[str | int], explain: Explain
) -> list[ValidationDetail] | None:
    """Details naming the innermost failing field, or None to keep the plain message."""
    branches: list[Branch] = list(getattr(error.kind, "context", None) or [])
    if not branches:
        return None
    base = list(error.instance_path)
    candidates = [branch for branch in branches if not _set_aside(branch, base)]
    if candidates:
        best = min(candidates, key=lambda branch: (len(branch), -_depth(branch)))
        return _alternatives(best, base, branches, prefix) or [d for sub in best for d in explain(sub, prefix)]
    path = prefix + base
    kinds = _expected_kinds(branches, base)
    if kinds:
        expected = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
        message = f"{_show(error.instance)} is not allowed (expected {expected})"
        return [ValidationDetail(message, path, "type")]
    return _bad_discriminator(branches, base, prefix) or None


def _set_aside(branch: Branch, base: list[str | int]) -> bool:
    """Does this branch plainly describe another kind of value than the instance?

    A branch that is itself a union at the same place is set aside when all of its own
    branches are.
    """
    inner = _inner_union(branch, base)
    if inner is not None:
        return all(_set_aside(sub, base) for sub in inner)
    for error in branch:
        where = list(error.instance_path)
        keyword = error.kind.name
        if where == base and keyword in ("type", "enum", "const"):
            return True
        if keyword in ("enum", "const") and where[:-1] == base and where[-1:] and where[-1] in DISCRIMINATORS:
            return True
    return False


def _inner_union(branch: Branch, base: list[str | int]) -> list[Branch] | None:
    """The branches of a union that is this branch's only error, at the same place."""
    if len(branch) != 1 or list(branch[0].instance_path) != base or branch[0].kind.name not in UNION_KEYWORDS:
        return None
    return list(getattr(branch[0].kind, "context", None) or []) or None


def _depth(branch: Branch) -> int:
    return max((len(error.instance_path) for error in branch), default=0)


def _alternatives(
    best: Branch, base: list[str | int], branches: list[Branch], prefix: list[str | int]
) -> list[ValidationDetail] | None:
    """``anyOf: [{required: [a]}, {required: [b]}]``: say that either field will do."""
    missing = [_missing_here(branch, base) for branch in branches]
    if len(best) != 1 or None in missing or len(set(missing)) < 2:
        return None
    names = list(dict.fromkeys(name for name in missing if name))
    first = names[0]
    message = f"Missing required field: {' or '.join(names)}"
    return [ValidationDetail(message, prefix + base + [first], "required")]


def _missing_here(branch: Branch, base: list[str | int]) -> str | None:
    if len(branch) != 1 or branch[0].kind.name != "required" or list(branch[0].instance_path) != base:
        return None
    missing = getattr(branch[0].kind, "property", None)
    return missing if isinstance(missing, str) else None


def _expected_kinds(branches: list[Branch], base: list[str | int]) -> list[str]:
    """When every branch wants another JSON type at the union's place: the types wanted."""
    kinds: list[str] = []
    for branch in branches:
        inner = _inner_union(branch, base)
        if inner is not None:
            nested = _expected_kinds(inner, base)
            if not nested:
                return []
            kinds.extend(nested)
            continue
        errors = [error for error in branch if list(error.instance_path) == base]
        type_errors = [error for error in errors if error.kind.name == "type"]
        enum_errors = [error for error in errors if error.kind.name in ("enum", "const")]
        if type_errors:
            kinds.extend(str(kind) for kind in getattr(type_errors[0].kind, "types", ()) if kind != "null")
        elif enum_errors:
            kinds.append("one of " + ", ".join(_show(option) for option in _options(enum_errors[0])))
        else:
            return []
    return list(dict.fromkeys(kinds))


def _bad_discriminator(
    branches: list[Branch], base: list[str | int], prefix: list[str | int]
) -> list[ValidationDetail]:
    """Every branch refused the discriminator's value: list the values they accept."""
    accepted: dict[str | int, list[Any]] = {}
    value: Any = None
    for branch in _flattened(branches, base):
        for error in branch:
            where = list(error.instance_path)
            if (
                error.kind.name in ("enum", "const")
                and where[:-1] == base
                and where[-1:]
                and where[-1] in DISCRIMINATORS
            ):
                accepted.setdefault(where[-1], []).extend(_options(error))
                value = error.instance
    if not accepted:
        return []
    field, options = next(iter(accepted.items()))
    shown = ", ".join(dict.fromkeys(_show(option) for option in options))
    return [ValidationDetail(f"{_show(value)} is not one of {shown}", prefix + base + [field], "enum")]


def _flattened(branches: list[Branch], base: list[str | int]) -> list[Branch]:
    """The branches, with a branch that is a union at the same place replaced by its own."""
    flat: list[Branch] = []
    for branch in branches:
        inner = _inner_union(branch, base)
        flat.extend(_flattened(inner, base) if inner is not None else [branch])
    return flat


def _options(error: jsonschema_rs.ValidationError) -> list[Any]:
    kind = error.kind
    if kind.name == "const":
        return [getattr(kind, "expected_value", None)]
    return list(getattr(kind, "options", []) or [])


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
