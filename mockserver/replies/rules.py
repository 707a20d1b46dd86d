"""Reply rules: parsed from a reply file or the admin API, matched against request facts (pure).

A rule is ``{name?, match: {...}, reply: {...}}`` or ``{name?, match, replies: [...]}`` (a
sequence answered over successive matches, the last one repeating). ``match`` holds any of:

- ``operation`` (operationId, or a list of them: the operation served or the contract's that
  answers it, provider mode's ``openaiCreateChatCompletion`` or ``createChatCompletion``), ``model`` (glob);
- ``user`` and ``system``: a string (substring), or ``{contains|regex|equals: text}``;
- ``tool_result`` (bool), ``turn`` (int: assistant turns before), ``tools`` (names all offered);
- ``headers``: name → a string (exact) or ``{contains|regex|equals: text}``;
- ``nth`` (a call number or a list: fire only on those matches) or ``times`` (the first N).

A reply is ``text``, ``tool_calls`` (``[{name, arguments, id?}]``, optionally with ``text``),
``json`` (a structured answer), ``embedding`` (a list of numbers) or ``scenario`` (an
``X-Mock-Scenario`` name, with optional ``params``).
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.engines.script import Script, ScriptedCall
from mockserver.replies.facts import RequestFacts
from mockserver.scenarios.catalogue import SCENARIOS
from mockserver.scenarios.rulelist import call_numbers, read_rules_file, unknown_operation

_RULE_KEYS = {"name", "match", "reply", "replies"}
_MATCH_KEYS = {"operation", "model", "user", "system", "tool_result", "turn", "tools", "headers", "nth", "times"}
_REPLY_KEYS = {"text", "tool_calls", "json", "embedding", "scenario", "params"}
_TEXT_MODES = ("contains", "regex", "equals")


class ReplyRuleError(ValueError):
    """A reply rule that cannot be used; the message names the rule and the field."""


@dataclass(frozen=True)
class TextMatch:
    mode: str
    value: str
    pattern: re.Pattern[str] | None = None

    def __call__(self, text: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(text) is not None
        return self.value == text if self.mode == "equals" else self.value in text

    def as_data(self) -> dict[str, str]:
        return {self.mode: self.value}


@dataclass(frozen=True)
class ErrorAnswer:
    scenario: str
    params: dict[str, str] = field(default_factory=dict)


Answer = Script | ErrorAnswer


@dataclass
class ReplyRule:
    name: str
    answers: tuple[Answer, ...]
    source: str = "file"
    operations: tuple[str, ...] = ()
    model: str | None = None
    user: TextMatch | None = None
    system: TextMatch | None = None
    tool_result: bool | None = None
    turn: int | None = None
    tools: tuple[str, ...] = ()
    headers: dict[str, TextMatch] = field(default_factory=dict)
    nth: frozenset[int] | None = None
    times: int | None = None
    #: The raw rule as given (listed back by ``GET /__mock/replies``).
    data: dict[str, Any] = field(default_factory=dict)
    calls: int = 0
    fired: int = 0
    #: The name of its counters (set by the :class:`~.book.ReplyBook` holding it).
    key: str = ""

    def matches(self, facts: RequestFacts) -> bool:
        checks = (
            not self.operations or bool({facts.operation, facts.served_operation} & set(self.operations)),
            self.model is None or fnmatch.fnmatchcase(facts.model, self.model),
            self.user is None or self.user(facts.user),
            self.system is None or self.system(facts.system),
            self.tool_result is None or facts.tool_result == self.tool_result,
            self.turn is None or facts.turn == self.turn,
            all(name in facts.tools for name in self.tools),
            all(test(facts.headers.get(name, "")) for name, test in self.headers.items()),
        )
        return all(checks)

    def fits(self, operation: str) -> bool:
        """Whether this rule's answers can be given on ``operation`` (errors fit anywhere)."""
        return all(isinstance(answer, ErrorAnswer) or answer.fits(operation) for answer in self.answers)

    def fires_on(self, call: int) -> bool:
        if self.nth is not None:
            return call in self.nth
        return self.times is None or call <= self.times

    def answer_at(self, firing: int) -> Answer:
        """The answer of its ``firing``-th firing (from 1): successive answers of a sequence,
        the last repeating."""
        return self.answers[min(max(firing, 1), len(self.answers)) - 1]

    def as_dict(self) -> dict[str, Any]:
        return {**self.data, "name": self.name, "source": self.source, "calls": self.calls, "fired": self.fired}


def parse_replies(
    data: Any, *, source: str = "file", start: int = 0, operations: Collection[str] = ()
) -> list[ReplyRule]:
    """Rules from decoded YAML/JSON: a list, a single rule, or ``{"replies": [...]}``; a
    ``match.operation`` must name one of ``operations`` (when given)."""
    if isinstance(data, Mapping) and set(data) in ({"replies"}, {"rules"}) and _lists_rules(data):
        data = next(iter(data.values()))
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise ReplyRuleError("replies must be a list of rules (or {replies: [...]})")
    rules = [_rule(item, start + index, source) for index, item in enumerate(data)]
    for rule in rules:
        problem = unknown_operation(rule.operations, operations)
        if problem:
            raise ReplyRuleError(f"reply rule {rule.name!r}: match.{problem}")
    return rules


def _lists_rules(data: Mapping[str, Any]) -> bool:
    """``{replies: [...]}`` lists rules, unless its items are answers (a rule whose only key is
    ``replies``, a sequence that matches every request)."""
    items = next(iter(data.values()))
    if not isinstance(items, list):
        return True
    return not any(isinstance(item, Mapping) and set(item) & _REPLY_KEYS for item in items)


def load_replies_file(path: Path, start: int = 0, operations: Collection[str] = ()) -> list[ReplyRule]:
    """A reply file: YAML (JSON is YAML too)."""
    data = read_rules_file(path, "replies file", ReplyRuleError)
    try:
        return parse_replies(data or [], source="file", start=start, operations=operations)
    except ReplyRuleError as exc:
        raise ReplyRuleError(f"{path}: {exc}") from None


def _rule(item: Any, index: int, source: str) -> ReplyRule:
    if not isinstance(item, Mapping):
        raise ReplyRuleError(f"reply rule {index + 1} is not a mapping")
    name = item.get("name") or f"{source}-reply-{index + 1}"
    if not isinstance(name, str):
        raise ReplyRuleError(f"reply rule {index + 1}: name must be a string")
    where = f"reply rule {name!r}"
    _no_unknown(item, _RULE_KEYS, where)
    if ("reply" in item) == ("replies" in item):
        raise ReplyRuleError(f"{where} must have exactly one of reply or replies")
    given = item["replies"] if "replies" in item else [item["reply"]]
    if not isinstance(given, list) or not given:
        raise ReplyRuleError(f"{where}: replies must be a non-empty list")
    answers = tuple(parse_answer(answer, name, f"{where}: replies[{i}]") for i, answer in enumerate(given))
    match = item.get("match") or {}
    if not isinstance(match, Mapping):
        raise ReplyRuleError(f"{where}: match must be a mapping")
    _no_unknown(match, _MATCH_KEYS, f"{where}: match")
    return ReplyRule(
        name=name, answers=answers, source=source, data=json.loads(json.dumps(dict(item))), **_matchers(match, where)
    )


def _matchers(match: Mapping[str, Any], where: str) -> dict[str, Any]:
    operations = match.get("operation")
    operations = [operations] if isinstance(operations, str) else operations or []
    tools = match.get("tools") or []
    if not _strings(operations) or not _strings(tools):
        raise ReplyRuleError(f"{where}: match.operation and match.tools must be strings or lists of strings")
    headers = match.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise ReplyRuleError(f"{where}: match.headers must be a mapping")
    return dict(
        operations=tuple(operations),
        model=_optional(match, "model", str, where),
        user=_text_match(match.get("user"), f"{where}: match.user", "contains"),
        system=_text_match(match.get("system"), f"{where}: match.system", "contains"),
        tool_result=_optional(match, "tool_result", bool, where),
        turn=_count(match.get("turn"), f"{where}: match.turn", low=0),
        tools=tuple(tools),
        headers={str(k).lower(): _text_match(v, f"{where}: match.headers.{k}", "equals") for k, v in headers.items()},
        nth=call_numbers(match.get("nth"), ReplyRuleError(f"{where}: match.nth must be an integer >= 1")),
        times=_count(match.get("times"), f"{where}: match.times", low=1),
    )


def parse_answer(data: Any, rule: str, where: str) -> Answer:
    """One answer of a rule (``text``, ``tool_calls``, ``json``, ``embedding`` or ``scenario``);
    cassettes (mockserver/recording) take the same format."""
    if not isinstance(data, Mapping):
        raise ReplyRuleError(f"{where} must be a mapping")
    _no_unknown(data, _REPLY_KEYS, where)
    kinds = [key for key in ("text", "tool_calls", "json", "embedding", "scenario") if key in data]
    if not kinds or (len(kinds) > 1 and set(kinds) != {"text", "tool_calls"}):
        raise ReplyRuleError(f"{where} needs one of text, tool_calls (with optional text), json, embedding, scenario")
    if "scenario" in data:
        params = data.get("params") or {}
        if not isinstance(data["scenario"], str) or not isinstance(params, Mapping):
            raise ReplyRuleError(f"{where}: scenario must be a name and params a mapping")
        name = data["scenario"].lower()
        if name not in SCENARIOS:
            raise ReplyRuleError(f"{where}: unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
        return ErrorAnswer(name, {str(k).lower(): str(v) for k, v in params.items()})
    if "embedding" in data:
        vector = data["embedding"]
        if not (isinstance(vector, list) and vector and all(_finite(v) for v in vector)):
            raise ReplyRuleError(f"{where}: embedding must be a non-empty list of numbers")
        return Script(rule=rule, embedding=tuple(float(v) for v in vector))
    if "json" in data:
        return Script(rule=rule, value=data["json"], has_value=True)
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise ReplyRuleError(f"{where}: text must be a string")
    calls = tuple(_call(call, f"{where}: tool_calls[{i}]") for i, call in enumerate(data.get("tool_calls") or []))
    if "tool_calls" in data and not calls:
        raise ReplyRuleError(f"{where}: tool_calls must be a non-empty list")
    return Script(rule=rule, text=text, tool_calls=calls)


def _call(data: Any, where: str) -> ScriptedCall:
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str) or not data["name"]:
        raise ReplyRuleError(f"{where} must be a mapping with a tool name")
    _no_unknown(data, {"name", "arguments", "id"}, where)
    arguments = data.get("arguments", {})
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            raise ReplyRuleError(f"{where}: arguments is a string that is not JSON") from None
    if not isinstance(arguments, Mapping):
        raise ReplyRuleError(f"{where}: arguments must be an object")
    call_id = data.get("id")
    if call_id is not None and not isinstance(call_id, str):
        raise ReplyRuleError(f"{where}: id must be a string")
    return ScriptedCall(data["name"], dict(arguments), call_id)


def _text_match(value: Any, where: str, default_mode: str) -> TextMatch | None:
    if value is None:
        return None
    if isinstance(value, str):
        return TextMatch(default_mode, value)
    if not (isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _TEXT_MODES):
        raise ReplyRuleError(f"{where} must be a string or one of {{contains|regex|equals: text}}")
    mode, text = next(iter(value.items()))
    if not isinstance(text, str):
        raise ReplyRuleError(f"{where}.{mode} must be a string")
    if mode != "regex":
        return TextMatch(mode, text)
    try:
        return TextMatch(mode, text, re.compile(text))
    except re.error as exc:
        raise ReplyRuleError(f"{where}.regex is not a valid regular expression: {exc}") from None


def _no_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ReplyRuleError(f"{where} has unknown keys {sorted(map(str, unknown))}; allowed: {sorted(allowed)}")


def _optional(match: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = match.get(key)
    if value is not None and not isinstance(value, kind):
        raise ReplyRuleError(f"{where}: match.{key} must be a {kind.__name__}")
    return value


def _count(value: Any, where: str, *, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ReplyRuleError(f"{where} must be an integer >= {low}")
    return value


def _strings(values: Iterable[Any]) -> bool:
    return isinstance(values, list | tuple) and all(isinstance(v, str) and v for v in values)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
