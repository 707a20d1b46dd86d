"""Scenario rules: which requests get which scenario (or error status), and on which call.

A rules file (``--scenarios FILE``) is YAML: a list of rules, or ``{rules: [...]}``.
Each rule matches on any of ``method``, ``path`` (exact or ``*`` glob, with or without
the ``/v1`` base), ``operation`` (the operationId served, or of the contract
operation that answers it: provider mode's ``openaiCreateChatCompletion`` or
``createChatCompletion``), ``model`` (glob on the body's ``model``)
and ``headers`` (name → glob), and fires on the ``nth`` matching call(s) or the first
``times`` of them (every matching call when neither is given). It names a ``scenario``
(with optional ``params``) or a ``status`` (an error status in the route's envelope)::

    - {path: /v1/chat/completions, times: 2, scenario: upstream_error, params: {status: 503}}
    - {method: POST, model: "anthropic/*", nth: [3], status: 429}

Every rule counts its own matching calls; the first rule that fires wins.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.model import MockRequest
from mockserver.scenarios.rulelist import RuleList, call_numbers, read_rules_file, unknown_operation
from mockserver.state.counters import Counters
from mockserver.state.shared_rules import RuleSets

_KEYS = {"name", "method", "path", "operation", "model", "headers", "nth", "times", "scenario", "params", "status"}


class RuleError(ValueError):
    """A rule that cannot be used: unknown key, wrong type, nothing to do."""


@dataclass
class Rule:
    name: str
    scenario: str | None = None
    status: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path: str | None = None
    operation: str | None = None
    model: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    nth: frozenset[int] | None = None
    times: int | None = None
    source: str = "file"
    calls: int = 0
    #: The name of its call counter (set by the :class:`RuleBook` holding it).
    key: str = ""

    def matches(self, request: MockRequest, base_path: str) -> bool:
        if self.method and request.method.upper() != self.method:
            return False
        if self.operation and not request.is_operation(self.operation):
            return False
        if self.path and not _path_matches(self.path, request.path, base_path):
            return False
        if self.model and not fnmatch.fnmatchcase(str(request.field("model", "")), self.model):
            return False
        return all(fnmatch.fnmatchcase(request.header(name, "") or "", value) for name, value in self.headers.items())

    def fires_on(self, call: int) -> bool:
        if self.nth is not None:
            return call in self.nth
        return self.times is None or call <= self.times

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "source": self.source, "calls": self.calls}
        for key in ("method", "path", "operation", "model", "scenario", "status", "times"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.nth is not None:
            out["nth"] = sorted(self.nth)
        if self.params:
            out["params"] = dict(self.params)
        return out


def _path_matches(pattern: str, path: str, base_path: str) -> bool:
    relative = path[len(base_path) :] if base_path and path.startswith(base_path + "/") else path
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in (path, relative))


class RuleBook(RuleList[Rule]):
    """The scenario rules in force, in order, with their call counters (thread-safe)."""

    def __init__(
        self,
        rules: Iterable[Rule] = (),
        known_scenarios: Iterable[str] = (),
        *,
        operations: Collection[str] = (),
        counters: Counters | None = None,
        sets: RuleSets | None = None,
    ):
        known = tuple(known_scenarios)

        def parse(payload: Any, start: int) -> list[Rule]:
            return parse_rules(payload, source="admin", known_scenarios=known, operations=operations)

        super().__init__(rules, parse, kind="scenario", counters=counters, sets=sets)

    def pick(self, request: MockRequest, base_path: str, usable: Callable[[Rule], bool]) -> tuple[Rule, int] | None:
        """Count this call for every matching rule; the first that fires on it, with its call number."""
        return self.first_firing(lambda rule: rule.matches(request, base_path) and usable(rule), _calls_of)


def _calls_of(rule: Rule) -> int:
    return rule.calls


def parse_rules(
    data: Any, *, source: str = "file", known_scenarios: Iterable[str] = (), operations: Collection[str] = ()
) -> list[Rule]:
    """Rules from decoded YAML/JSON: a list, a single rule, or ``{"rules": [...]}``; an
    ``operation`` must be one of ``operations`` (when given)."""
    if isinstance(data, Mapping) and set(data) == {"rules"}:
        data = data["rules"]
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise RuleError("rules must be a list of mappings (or {rules: [...]})")
    known = set(known_scenarios)
    rules = [_rule(item, index, source, known) for index, item in enumerate(data)]
    for index, rule in enumerate(rules):
        problem = unknown_operation([rule.operation] if rule.operation else [], operations)
        if problem:
            raise RuleError(f"rule {index + 1} ({rule.name!r}): {problem}")
    return rules


def load_rules_file(path: Path, known_scenarios: Iterable[str] = (), operations: Collection[str] = ()) -> list[Rule]:
    data = read_rules_file(path, "scenarios file", RuleError)
    try:
        return parse_rules(data or [], source="file", known_scenarios=known_scenarios, operations=operations)
    except RuleError as exc:
        raise RuleError(f"{path}: {exc}") from None


def _rule(item: Any, index: int, source: str, known: set[str]) -> Rule:
    where = f"rule {index + 1}"
    if not isinstance(item, Mapping):
        raise RuleError(f"{where} is not a mapping")
    unknown = set(item) - _KEYS
    if unknown:
        raise RuleError(f"{where} has unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    scenario, status = item.get("scenario"), item.get("status")
    if (scenario is None) == (status is None):
        raise RuleError(f"{where} must name exactly one of scenario or status")
    if scenario is not None and (not isinstance(scenario, str) or (known and scenario not in known)):
        raise RuleError(f"{where}: unknown scenario {scenario!r}; known: {', '.join(sorted(known))}")
    if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
        raise RuleError(f"{where}: status must be an error status between 400 and 599")
    return Rule(
        name=str(item.get("name") or f"{source}-{index + 1}"),
        scenario=scenario,
        status=status,
        params={str(k): str(v) for k, v in _mapping(item, "params", where).items()},
        method=_text(item, "method", where, upper=True),
        path=_text(item, "path", where),
        operation=_text(item, "operation", where),
        model=_text(item, "model", where),
        headers={str(k).lower(): str(v) for k, v in _mapping(item, "headers", where).items()},
        nth=call_numbers(item.get("nth"), RuleError(f"{where}: nth must be a positive call number")),
        times=_positive(item.get("times"), "times", where),
        source=source,
    )


def _text(item: Mapping, key: str, where: str, *, upper: bool = False) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise RuleError(f"{where}: {key} must be a non-empty string")
    return value.upper() if upper else value


def _mapping(item: Mapping, key: str, where: str) -> Mapping:
    value = item.get(key) or {}
    if not isinstance(value, Mapping):
        raise RuleError(f"{where}: {key} must be a mapping")
    return value


def _positive(value: Any, key: str, where: str) -> int | None:
    return None if value is None else _call_number(value, key, where)


def _call_number(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleError(f"{where}: {key} must be a positive call number")
    return value
