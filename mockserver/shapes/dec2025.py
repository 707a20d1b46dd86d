"""2025-12 answers made from the current operation's answers (GATEWAY-BEHAVIOUR §11).

The 2025-12 dialect (:mod:`mockserver.dialects.dec2025`) sends each 2025-12 operation named
in :data:`~mockserver.shapes.tables.SOURCES` through the one dispatcher as its current
operation, then maps the answer here into the 2025-12 shape:

- the body is ``{requestId, ...payload}`` (chat's ``id`` becomes ``requestId``) and names
  its ``provider``;
- ``usage`` stays only when the request said ``usage: true``, re-keyed by meter
  (``input_text_tokens`` ...) with the same ``pricing``;
- ``meta`` stays only when the request said ``meta: true``, reduced to ``appTitle``,
  ``referer`` and ``timing``;
- stream frames get the same treatment one by one, lazily, keeping their pacing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.catalogue import Catalogue
from mockserver.encoding.body import sse_frame
from mockserver.ids import derive_seed
from mockserver.model import Chunk, MockReply, MockRequest
from mockserver.shapes import tables


@dataclass(frozen=True)
class View:
    """What the mapping reads: the 2025-12 request as received, the catalogue, the epoch."""

    request: MockRequest
    catalogue: Catalogue
    epoch: int

    def stamp(self) -> int:
        """Unix seconds for a stateless answer: deterministic per seed, near the epoch
        (the same stamp synthesis draws for the request)."""
        return self.epoch + derive_seed(self.request.seed, "stamp") % (30 * 86400)


def to_dec2025(ctx: View, reply: MockReply, payload: str) -> MockReply:
    """Map a successful current answer into its 2025-12 shape (failures pass unchanged)."""
    if not 200 <= reply.status < 300:
        return reply
    if reply.stream is not None:
        reply.stream = _frames(ctx, reply.stream)
    elif isinstance(reply.body, dict):
        reply.body = PAYLOADS[payload](ctx, reply, dict(reply.body))
    return reply


# --------------------------------------------------------------------------- envelope


def switched(ctx: View, name: str) -> bool:
    return ctx.request.field(name) is True


def meter_usage(usage: dict[str, Any], *, text: bool) -> dict[str, Any]:
    """A current usage object re-keyed by meter, with its pricing unchanged."""
    pricing = next((usage[key] for key in tables.PRICING_KEYS if isinstance(usage.get(key), dict)), None)
    out: dict[str, Any] = {"total_tokens": _count(usage.get("total_tokens"))}
    if text:
        entered, produced = next(
            ((_count(usage.get(a)), _count(usage.get(b))) for a, b in tables.TOKEN_PAIRS if a in usage), (0, 0)
        )
        cached = min(entered, _detail(usage, tables.CACHED_SOURCES))
        out.update(
            input_text_tokens=entered - cached,
            cached_read_text_tokens=cached,
            output_text_tokens=produced,
            reasoning_tokens=_detail(usage, tables.REASONING_SOURCES),
        )
    for line in (pricing or {}).get("lines", []):
        out.setdefault(line["dimension"], line["quantity"])
    for key in tables.KEPT_QUANTITIES:
        if isinstance(usage.get(key), int | float):
            out.setdefault(key, usage[key])
    if pricing is not None:
        out["pricing"] = pricing
    return out


def reduced_meta(ctx: View, meta: Any) -> dict[str, Any]:
    """The 2025-12 ``meta``: the app headers and the timing, nothing else."""
    meta = meta if isinstance(meta, dict) else {}
    timing = {key: meta.get(key) for key in tables.TIMING_KEYS}
    for key in ("latency_ms", "generation_ms"):
        timing[key] = timing[key] if isinstance(timing[key], int | float) else 0
    echoed = {name: ctx.request.header(header) for name, header in tables.META_HEADERS.items()}
    return {**echoed, "timing": timing}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _detail(usage: dict[str, Any], paths: Iterable[tuple[str, str]]) -> int:
    for outer, inner in paths:
        found = usage.get(outer)
        if isinstance(found, dict) and inner in found:
            return _count(found[inner])
    return 0


def _provider(ctx: View, reply: MockReply, body: dict[str, Any]) -> str:
    named = body.get("provider") or reply.summary.get("provider")
    if named:
        return str(named)
    model = ctx.catalogue.get(str(body.get("model") or ctx.request.field("model") or ""))
    return model.primary_provider if model is not None and model.providers else "unknown"


def _enveloped(ctx: View, reply: MockReply, body: dict[str, Any], *, text: bool) -> dict[str, Any]:
    request_id = body.pop("requestId", None) or ctx.request.generation_id
    usage, meta = body.pop("usage", None), body.pop("meta", None)
    out = {"requestId": request_id, **body, "provider": _provider(ctx, reply, body)}
    if switched(ctx, tables.USAGE_SWITCH) and isinstance(usage, dict):
        out["usage"] = meter_usage(usage, text=text)
    if switched(ctx, tables.META_SWITCH):
        out["meta"] = reduced_meta(ctx, meta or reply.summary.get("meta"))
    return out


# --------------------------------------------------------------------------- payloads


def _chat(ctx: View, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    body["requestId"] = body.pop("id", None) or ctx.request.generation_id
    return _enveloped(ctx, reply, body, text=True)


def _moderation(ctx: View, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    renames = tables.MODERATION_RESULT_RENAMES
    body["results"] = [
        {"index": index, **{renames.get(key, key): value for key, value in result.items()}}
        for index, result in enumerate(body.get("results") or [])
    ]
    body.setdefault("created", ctx.stamp())
    return _enveloped(ctx, reply, body, text=True)


def _image(ctx: View, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    out = _enveloped(ctx, reply, body, text=False)
    fmt = str(ctx.request.field("output_format") or "png")
    out["data"] = [_image_item(item, fmt) for item in out.get("data") or []]
    return {"requestId": out.pop("requestId"), "id": out.get("id") or ctx.request.generation_id, **out}


def _image_item(item: dict[str, Any], fmt: str) -> dict[str, Any]:
    url = item.get("url") or f"data:image/{fmt};base64,{item.get('b64_json', '')}"
    return {"url": url, **({"revised_prompt": item["revised_prompt"]} if "revised_prompt" in item else {})}


def _video(ctx: View, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    return _enveloped(ctx, reply, body, text=False)


def _record(ctx: View, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    return body


PAYLOADS = {"chat": _chat, "moderation": _moderation, "image": _image, "video": _video, "record": _record}


# --------------------------------------------------------------------------- streams


def _frames(ctx: View, chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    for chunk in chunks:
        yield Chunk(data=_reframe(ctx, chunk.data), delay=chunk.delay, action=chunk.action)


def _reframe(ctx: View, data: bytes) -> bytes:
    """Each JSON frame of an SSE piece mapped (or dropped); other frames unchanged."""
    out = []
    for block in data.split(b"\n\n"):
        if not block.strip():
            continue
        lines = block.split(b"\n")
        payload = b"\n".join(line[5:].lstrip(b" ") for line in lines if line.startswith(b"data:"))
        if not payload.startswith(b"{"):
            out.append(block + b"\n\n")
            continue
        event = next((line[6:].strip().decode() for line in lines if line.startswith(b"event:")), None)
        frame = chat_frame(ctx, json.loads(payload))
        if frame is not None:
            out.append(sse_frame(frame, event))
    return b"".join(out)


def chat_frame(ctx: View, frame: dict[str, Any]) -> dict[str, Any] | None:
    """One chat stream frame in 2025-12 form; None when the frame only carried unasked usage."""
    if "id" not in frame:
        return frame
    out = {"requestId": frame.pop("id"), **frame}
    usage, meta = out.pop("usage", None), out.pop("meta", None)
    if usage is not None:
        if not switched(ctx, tables.USAGE_SWITCH):
            return None if out.get("choices") == [] else _with_meta(ctx, out, meta)
        out["usage"] = meter_usage(usage, text=True)
    return _with_meta(ctx, out, meta)


def _with_meta(ctx: View, frame: dict[str, Any], meta: Any) -> dict[str, Any]:
    if meta is not None and switched(ctx, tables.META_SWITCH):
        frame["meta"] = reduced_meta(ctx, meta)
    return frame
