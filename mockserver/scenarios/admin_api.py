"""The admin API under ``/__mock/`` as plain functions: (operationId, query, body) → answer.

Routes and shapes are described in spec/admin/openapi.yaml; Connexion routes each call by
it (mockserver/server/admin_routes.py) behind the guard of mockserver/server/admin.py, and
the server layer only converts the :class:`AdminAnswer`. What each operation does, and the
checks of its query and body, live here, over a :class:`ScenarioControl`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.contract import load_admin_contract
from mockserver.encoding.body import json_bytes
from mockserver.encoding.json_input import JsonLimitError, parse_json_body
from mockserver.scenarios import verify
from mockserver.scenarios.catalogue import SCENARIOS
from mockserver.scenarios.control import ScenarioControl
from mockserver.scenarios.journal import page_chunks
from mockserver.scenarios.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from mockserver.scenarios.metrics import MetricsExporter
from mockserver.scenarios.verify import VerifyQueryError
from mockserver.scenarios.violations import VIOLATIONS
from mockserver.state.interface import StateUnavailable

PREFIX = "/__mock"


@dataclass
class AdminAnswer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    #: A JSON body sent piece by piece instead of ``body`` (the journal's pages).
    stream: Iterator[bytes] | None = None
    #: A body that is not JSON, sent as is with its ``media_type`` (the metrics exposition).
    raw: bytes | None = None
    media_type: str = "application/json"


def _error(status: int, code: str, message: str, **headers: str) -> AdminAnswer:
    return AdminAnswer(status, {"error": code, "message": message}, dict(headers))


def no_route(path: str) -> AdminAnswer:
    """The answer to a path under ``/__mock`` that the admin contract does not describe."""
    return _error(404, "not_found", f"no admin route {path}; see {PREFIX}/openapi.json")


def wrong_method(path: str) -> AdminAnswer:
    """The answer to a method the admin contract does not list for ``path`` (or 404 if no path)."""
    methods = load_admin_contract()["paths"].get(path[len(PREFIX) :].rstrip("/") or "/")
    if methods is None:
        return no_route(path)
    allowed = ", ".join(name.upper() for name in methods if name in HTTP_METHODS)
    return _error(405, "method_not_allowed", f"{path} accepts {allowed}", Allow=allowed)


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ReplyAdmin(Protocol):
    """The reply rules in force, as the admin API sees them (mockserver/replies/selector.py)."""

    def snapshot(self) -> list[dict[str, Any]]: ...

    def add_from(self, data: Any) -> list[dict[str, Any]]:
        """Parse and add rules; a :class:`ValueError` names what is wrong."""
        ...

    def clear(self, source: str | None = None) -> int: ...


#: A read-only snapshot of the stored state, at most ``limit`` of each list (state/overview.py).
StateSnapshot = Callable[[int], dict[str, Any]]
#: How many jobs and generations ``GET /__mock/state`` returns unless asked, and at most.
STATE_LIMIT, STATE_MAX_LIMIT = 20, 500


class AdminApi:
    def __init__(
        self,
        control: ScenarioControl,
        replies: ReplyAdmin | None = None,
        metrics: MetricsExporter | None = None,
        state: StateSnapshot | None = None,
    ):
        self.control = control
        self.replies = replies
        self.metrics = metrics
        self.state = state
        #: operationId in spec/admin/openapi.yaml → the method that answers it
        self.operations: dict[str, Callable[[dict[str, list[str]], bytes], AdminAnswer]] = {
            "adminOpenApi": self.openapi,
            "adminJournal": self.journal,
            "adminClearJournal": self.clear_journal,
            "adminListRules": self.list_rules,
            "adminAddRules": self.add_rules,
            "adminClearRules": self.clear_rules,
            "adminReset": self.reset,
            "adminScenarios": self.scenarios,
            "adminListReplies": self.list_replies,
            "adminAddReplies": self.add_replies,
            "adminClearReplies": self.clear_replies,
            "adminFindRequests": self.requests,
            "adminCountRequests": self.count_requests,
            "adminMetrics": self.exposition,
            "adminState": self.state_snapshot,
        }

    def call(self, operation_id: str, query: dict[str, list[str]], body: bytes) -> AdminAnswer:
        """The answer of one admin operation; a bad query or a lost shared state is a clear error."""
        try:
            return self.operations[operation_id](query, body)
        except (_BadQuery, VerifyQueryError) as exc:
            return _error(400, "invalid_request", str(exc))
        except StateUnavailable as exc:  # the fleet's Redis is lost (journal, rules, counters)
            return _error(503, "state_unavailable", str(exc))

    # ---- routes ----------------------------------------------------------------------

    def openapi(self, query, body) -> AdminAnswer:
        return AdminAnswer(200, load_admin_contract())

    def journal(self, query, body) -> AdminAnswer:
        journal = self.control.journal
        limit = _int_param(query, "limit", 1, journal.capacity)
        since = _int_param(query, "since", 0, None) or 0
        cursor = _int_param(query, "cursor", 0, None)
        entries, next_cursor = journal.page(
            limit=limit, after=since if cursor is None else max(cursor, since), forward=cursor is not None
        )
        header = {
            "capacity": journal.capacity,
            "max_bytes": journal.max_bytes,
            "bytes": journal.bytes,
            "count": len(entries),
            "next_cursor": next_cursor,
        }
        return AdminAnswer(200, None, stream=page_chunks(header, entries, json_bytes))

    def clear_journal(self, query, body) -> AdminAnswer:
        return AdminAnswer(200, {"cleared": self.control.journal.clear()})

    def list_rules(self, query, body) -> AdminAnswer:
        return AdminAnswer(200, {"rules": self.control.rules.snapshot()})

    def add_rules(self, query, body) -> AdminAnswer:
        data = _json_body(body)
        if isinstance(data, AdminAnswer):
            return data
        if data is None:
            return _error(400, "invalid_rule", 'send a rule, a list of rules or {"rules": [...]}')
        try:
            added = self.control.rules.add_from(data)
        except ValueError as exc:  # a RuleError, or a rule set too large to keep
            return _error(400, "invalid_rule", str(exc))
        return AdminAnswer(201, {"added": [rule.as_dict() for rule in added], "rules": self.control.rules.snapshot()})

    def clear_rules(self, query, body) -> AdminAnswer:
        source = (query.get("source") or [None])[0]
        if source not in (None, "file", "admin"):
            raise _BadQuery("source must be file or admin")
        return AdminAnswer(200, {"cleared": self.control.rules.clear(source)})

    def reset(self, query, body) -> AdminAnswer:
        self.control.reset()
        return AdminAnswer(200, {"reset": True})

    def exposition(self, query, body) -> AdminAnswer:
        if self.metrics is None:
            return _error(404, "not_found", "this server keeps no metrics")
        return AdminAnswer(200, None, raw=self.metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    def state_snapshot(self, query, body) -> AdminAnswer:
        if self.state is None:
            return _error(404, "not_found", "this server keeps no state")
        limit = _int_param(query, "limit", 1, STATE_MAX_LIMIT) or STATE_LIMIT
        return AdminAnswer(200, self.state(limit))

    def scenarios(self, query, body) -> AdminAnswer:
        return AdminAnswer(
            200,
            {
                "scenarios": [
                    {"name": s.name, "summary": s.summary, "applies_to": s.scope} for s in SCENARIOS.values()
                ],
                "violations": [
                    {"name": name, "summary": summary, "active": name in self.control.violations}
                    for name, summary in VIOLATIONS.items()
                ],
                "error_rate": self.control.error_rate.rate,
                "latency": self.control.latency_setting,
            },
        )

    # ---- scripted replies -------------------------------------------------------------

    def list_replies(self, query, body) -> AdminAnswer:
        return AdminAnswer(200, {"replies": self.replies.snapshot() if self.replies else []})

    def add_replies(self, query, body) -> AdminAnswer:
        data = _json_body(body)
        if isinstance(data, AdminAnswer):
            return data
        if data is None:
            return _error(400, "invalid_reply", 'send a reply rule, a list of them or {"replies": [...]}')
        if self.replies is None:
            return _error(400, "invalid_reply", "this server takes no reply rules")
        try:
            added = self.replies.add_from(data)
        except ValueError as exc:
            return _error(400, "invalid_reply", str(exc))
        return AdminAnswer(201, {"added": added, "replies": self.replies.snapshot()})

    def clear_replies(self, query, body) -> AdminAnswer:
        source = (query.get("source") or [None])[0]
        if source not in (None, "file", "admin"):
            raise _BadQuery("source must be file or admin")
        return AdminAnswer(200, {"cleared": self.replies.clear(source) if self.replies else 0})

    # ---- verify -------------------------------------------------------------------------

    def requests(self, query, body) -> AdminAnswer:
        limit = _int_param(query, "limit", 1, self.control.journal.capacity)
        found = verify.select(self.control.journal.entries(), verify.parse_query(query))
        total = len(found)
        if limit:
            found = found[-limit:]
        return AdminAnswer(200, {"count": total, "requests": [verify.entry_view(entry) for entry in found]})

    def count_requests(self, query, body) -> AdminAnswer:
        if "limit" in query:
            raise _BadQuery("limit does not apply to a count")
        found = verify.select(self.control.journal.entries(), verify.parse_query(query))
        return AdminAnswer(200, {"count": len(found)})


def _json_body(body: bytes) -> Any:
    """The decoded JSON body (None when empty), or the 400 answer for a malformed one."""
    try:
        return parse_json_body(body) if body.strip() else None
    except JsonLimitError as exc:
        where = ".".join(str(part) for part in exc.path) or "body"
        return _error(400, "invalid_json", f"{where}: {exc}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(400, "invalid_json", f"body is not valid JSON: {exc}")


class _BadQuery(ValueError):
    pass


def _int_param(query: dict[str, list[str]], name: str, low: int, high: int | None) -> int | None:
    values = query.get(name)
    if not values:
        return None
    text = values[0]
    if (
        not (text.isascii() and text.isdigit())
        or len(text) > 18
        or int(text) < low
        or (high is not None and int(text) > high)
    ):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        raise _BadQuery(f"{name} must be an integer {bounds}")
    return int(text)
