"""Account routes over the live state: ``/credits``, ``/activity`` and ``/generations?id=``.

Everything reported is what really went through this mock: the wallet balance, the
ledger of charges and the record of every generation (GATEWAY-BEHAVIOUR §9).
"""

from __future__ import annotations

from typing import Any

from mockserver.enrichment.pricing import NANOS_PER_CENT
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.operations.jobs_common import job_store, job_team
from mockserver.operations.keys import check_team, page_bounds
from mockserver.state.ledger import DAY_MS
from mockserver.synthesis.registry import generator

THIRTY_DAYS = 30


@generator("getCredits")
def credits(ctx) -> MockReply:
    store = job_store(ctx)
    team = check_team(ctx, ctx.request.query_value("team_id"))
    since = store.now_ms() - THIRTY_DAYS * DAY_MS
    summary = {
        "remaining": store.ledger.balance(team),
        "thirty_day_usage": store.ledger.spend_since(team, since),
        "thirty_day_requests": store.ledger.requests_since(team, since),
    }
    return MockReply(body={"ok": True, "credits": summary})


def _activity_entry(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "request_id": record["request_id"],
        "provider": record["provider"],
        "model": record["model_id"],
        "endpoint": record["endpoint"],
        "usage": record["usage"],
        "cost_cents": record["cost_nanos"] / NANOS_PER_CENT,
        "latency_ms": record["latency_ms"],
        "timestamp": record["created_at"],
    }


@generator("getActivity")
def activity(ctx) -> MockReply:
    store = job_store(ctx)
    team = check_team(ctx, ctx.request.query_value("team_id"))
    days_text = ctx.request.query_value("days")
    days = int(days_text) if days_text and days_text.isdigit() else THIRTY_DAYS
    limit, offset = page_bounds(ctx)
    total, records = store.ledger.activity(team, store.now_ms() - days * DAY_MS, limit, offset)
    entries = [_activity_entry(record) for record in records]
    return MockReply(
        body={
            "ok": True,
            "period_days": days,
            "limit": limit,
            "offset": offset,
            "total": total,
            "total_cost_cents": sum(entry["cost_cents"] for entry in entries),
            "activity": entries,
        }
    )


@generator("getGeneration")
def generation(ctx) -> MockReply:
    record = job_store(ctx).ledger.generation(job_team(ctx), ctx.request.query_value("id") or "")
    if record is None:
        raise GatewayFailure(404, "not_found")
    return MockReply(body=record)
