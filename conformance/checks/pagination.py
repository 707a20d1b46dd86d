"""List endpoints respect ``limit`` and ``offset`` (GATEWAY-BEHAVIOUR §9)."""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.checks._support import fail, is_probe, json_body, register

register("list_pagination_respected", "a list answer holds at most `limit` items and echoes limit/offset")

MAX_LIMIT = 250


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def list_items(body: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The page of a list answer: the one array-valued top-level key (``models``, ``keys``...)."""
    arrays = [
        (key, value)
        for key, value in body.items()
        if isinstance(value, list) and key not in ("endpoints", "sample_models")
    ]
    return arrays[0] if len(arrays) == 1 else None


@schemathesis.check
def list_pagination_respected(ctx, response, case):
    if is_probe(case):
        return None
    query = case.query if isinstance(case.query, dict) else {}
    if "limit" not in query or not 200 <= response.status_code < 300:
        return None
    body = json_body(response)
    page = list_items(body) if isinstance(body, dict) else None
    limit = _int(query.get("limit"))
    if page is None or limit is None or not 1 <= limit <= MAX_LIMIT:
        return None
    key, items = page
    if len(items) > limit:
        raise fail(
            "list_pagination_respected",
            case,
            "Page larger than limit",
            f"at most {limit} `{key}`",
            f"{len(items)} items",
        )
    if "limit" in body and body["limit"] != limit:
        raise fail("list_pagination_respected", case, "limit not echoed", f"limit {limit}", f"limit {body['limit']}")
    offset = _int(query.get("offset"))
    if offset is not None and offset >= 0 and "offset" in body and body["offset"] != offset:
        raise fail(
            "list_pagination_respected",
            case,
            "offset not echoed",
            f"offset {offset}",
            f"offset {body['offset']}",
        )
    total = body.get("total")
    if isinstance(total, int) and items and offset is not None and offset >= 0 and total < offset + len(items):
        raise fail(
            "list_pagination_respected",
            case,
            "total smaller than the page",
            f"total ≥ {offset + len(items)}",
            f"total {total}",
        )
    return None
