"""2025-12 answers made by the current generators (GATEWAY-BEHAVIOUR §11).

:func:`answer` runs the current operation named in :data:`~mockserver.shapes.tables.SOURCES`
through the ordinary synthesis chain, against the current contract, with the request's
2025-12 field names translated; then maps the answer into the 2025-12 shape:

- the body is ``{requestId, ...payload}`` (chat's ``id`` becomes ``requestId``) and names
  its ``provider``;
- ``usage`` stays only when the request said ``usage: true``, re-keyed by meter
  (``input_text_tokens`` ...) with the same ``pricing``;
- ``meta`` stays only when the request said ``meta: true``, reduced to ``appTitle``,
  ``referer`` and ``timing``;
- stream frames get the same treatment one by one, lazily, keeping their pacing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from mockserver.contract import DEFAULT_CONTRACT, ContractIndex, load_contract
from mockserver.encoding.body import sse_frame
from mockserver.model import Chunk, MockReply
from mockserver.shapes import tables
from mockserver.synthesis.chain import synthesize
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.preferences import Preferences
from mockserver.validation.schemas import SchemaCompiler


@lru_cache(maxsize=1)
def current_contract() -> tuple[ContractIndex, SchemaCompiler]:
    """The current contract's index and schemas: the world the generators were written for."""
    spec = load_contract(DEFAULT_CONTRACT)
    return ContractIndex(spec), SchemaCompiler(spec)


def answer(ctx: SynthesisContext, operation_id: str) -> MockReply:
    """The 2025-12 answer to ``operation_id``, made by its current source operation."""
    source = tables.SOURCES[operation_id]
    reply = synthesize(source_context(ctx, source), Preferences())
    return to_dec2025(ctx, reply, source.payload)


def source_context(ctx: SynthesisContext, source: tables.Source) -> SynthesisContext:
    """``ctx`` as the current operation sees it: same seed, key, state; current names."""
    index, compiler = current_contract()
    request = ctx.request
    body = request.body
    if isinstance(body, dict) and source.request_renames:
        body = {source.request_renames.get(key, key): value for key, value in body.items()}
    query = dict(request.query)
    for name in source.path_to_query:
        query[name] = [request.path_params.get(name, "")]
    moved = dataclasses.replace(request, operation=index.operations[source.operation], body=body, query=query)
    return SynthesisContext(
        request=moved,
        index=index,
        compiler=compiler,
        catalogue=ctx.catalogue,
        epoch=ctx.epoch,
        settings=ctx.settings,
        state=ctx.state,
        media=ctx.media,
    )


def to_dec2025(ctx: SynthesisContext, reply: MockReply, payload: str) -> MockReply:
    """Map a successful current answer into its 2025-12 shape (failures pass unchanged)."""
    if not 200 <= reply.status < 300:
        return reply
    if reply.stream is not None:
        reply.stream = _frames(ctx, reply.stream)
    elif isinstance(reply.body, dict):
        reply.body = PAYLOADS[payload](ctx, reply, dict(reply.body))
    return reply


# --------------------------------------------------------------------------- envelope


def switched(ctx: SynthesisContext, name: str) -> bool:
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


def reduced_meta(ctx: SynthesisContext, meta: Any) -> dict[str, Any]:
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


def _provider(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> str:
    named = body.get("provider") or reply.summary.get("provider")
    if named:
        return str(named)
    model = ctx.catalogue.get(str(body.get("model") or ctx.request.field("model") or ""))
    return model.primary_provider if model is not None and model.providers else "unknown"


def _enveloped(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any], *, text: bool) -> dict[str, Any]:
    request_id = body.pop("requestId", None) or ctx.request.generation_id
    usage, meta = body.pop("usage", None), body.pop("meta", None)
    out = {"requestId": request_id, **body, "provider": _provider(ctx, reply, body)}
    if switched(ctx, tables.USAGE_SWITCH) and isinstance(usage, dict):
        out["usage"] = meter_usage(usage, text=text)
    if switched(ctx, tables.META_SWITCH):
        out["meta"] = reduced_meta(ctx, meta or reply.summary.get("meta"))
    return out


# --------------------------------------------------------------------------- payloads


def _chat(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    body["requestId"] = body.pop("id", None) or ctx.request.generation_id
    return _enveloped(ctx, reply, body, text=True)


def _moderation(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    renames = tables.MODERATION_RESULT_RENAMES
    body["results"] = [
        {"index": index, **{renames.get(key, key): value for key, value in result.items()}}
        for index, result in enumerate(body.get("results") or [])
    ]
    body.setdefault("created", ctx.stamp())
    return _enveloped(ctx, reply, body, text=True)


def _image(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    out = _enveloped(ctx, reply, body, text=False)
    fmt = str(ctx.request.field("output_format") or "png")
    out["data"] = [_image_item(item, fmt) for item in out.get("data") or []]
    return {"requestId": out.pop("requestId"), "id": out.get("id") or ctx.request.generation_id, **out}


def _image_item(item: dict[str, Any], fmt: str) -> dict[str, Any]:
    url = item.get("url") or f"data:image/{fmt};base64,{item.get('b64_json', '')}"
    return {"url": url, **({"revised_prompt": item["revised_prompt"]} if "revised_prompt" in item else {})}


def _video(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    return _enveloped(ctx, reply, body, text=False)


def _record(ctx: SynthesisContext, reply: MockReply, body: dict[str, Any]) -> dict[str, Any]:
    return body


PAYLOADS = {"chat": _chat, "moderation": _moderation, "image": _image, "video": _video, "record": _record}


# --------------------------------------------------------------------------- streams


def _frames(ctx: SynthesisContext, chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    for chunk in chunks:
        yield Chunk(data=_reframe(ctx, chunk.data), delay=chunk.delay, action=chunk.action)


def _reframe(ctx: SynthesisContext, data: bytes) -> bytes:
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


def chat_frame(ctx: SynthesisContext, frame: dict[str, Any]) -> dict[str, Any] | None:
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


def _with_meta(ctx: SynthesisContext, frame: dict[str, Any], meta: Any) -> dict[str, Any]:
    if meta is not None and switched(ctx, tables.META_SWITCH):
        frame["meta"] = reduced_meta(ctx, meta)
    return frame
