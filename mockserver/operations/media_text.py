"""Embeddings, moderations and OCR (GATEWAY-BEHAVIOUR §6)."""

from __future__ import annotations

import random
from typing import Any

from mockserver import ids
from mockserver.engines.media import moderation, ocr, vectors
from mockserver.engines.media.accounting import (
    base_seed,
    content_faker,
    estimate_tokens,
    meta,
    require_model,
    summarise,
    usage,
)
from mockserver.errors import ValidationDetail, validation_failure
from mockserver.model import MockReply
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

#: Tokens an image part of a moderation input counts for.
IMAGE_INPUT_TOKENS = 85


@generator("createEmbedding", heavy=True)
def embeddings(ctx: SynthesisContext) -> MockReply:
    model, provider = require_model(ctx, "text.embed")
    body = ctx.request.body
    texts = _texts(body.get("input", body.get("inputs")))
    full = model.embedding_dimensions or 1536
    dims = _requested_dimensions(body, full)
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    scripted = ctx.script.embedding if ctx.script is not None else None
    for index, text in enumerate(texts):
        if scripted is not None:  # a reply rule's vector, for every input
            vector = list(scripted)
        else:
            vector = vectors.rounded(vectors.shorten(vectors.embed(text, full, model.model_id), dims))
        data.append(
            {
                "object": "embedding",
                "embedding": vectors.as_float32_base64(vector) if as_base64 else vector,
                "index": index,
            }
        )
    tokens = sum(max(1, estimate_tokens(text)) for text in texts)  # an empty input is still one sequence
    billed = usage(ctx, model, tokens, 0, {"embedding_tokens": tokens}, embedding_tokens=tokens)
    timing = meta(ctx, model, 0)
    reply = MockReply(
        body={
            "requestId": ctx.request.generation_id,
            "object": "list",
            "data": data,
            "model": model.model_id,
            "nativeResponseId": None,
            "provider": provider,
            "meta": timing,
            "usage": billed,
        }
    )
    return summarise(reply, model, provider, billed, timing)


def _texts(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(item) for item in value or []]


def _requested_dimensions(body: dict, full: int) -> int:
    options = body.get("embedding_options") or {}
    asked = (
        body.get("dimensions")
        or (options.get("google") or {}).get("output_dimensionality")
        or (options.get("mistral") or {}).get("output_dimension")
    )
    if asked is None:
        return full
    if not isinstance(asked, int) or asked > full:
        message = f"dimensions must be at most {full} for this model"
        raise validation_failure([ValidationDetail(message, ["dimensions"], "too_big", {"maximum": full})])
    return asked


@generator("createModeration", heavy=True)
def moderations(ctx: SynthesisContext) -> MockReply:
    model, provider = require_model(ctx, "moderation")
    units = moderation.split_input(ctx.request.field("input"))
    results = [moderation.verdict(texts, images) for texts, images in units]
    tokens = sum(estimate_tokens(text) for texts, _ in units for text in texts)
    tokens += IMAGE_INPUT_TOKENS * sum(len(images) for _, images in units)
    native = "modr-" + ids.token(random.Random(ids.derive_seed("modr", repr(units))), 20, "0123456789abcdef")
    billed = usage(ctx, model, tokens, 0, {"input_text_tokens": tokens})
    timing = meta(ctx, model, 0)
    body = {
        "object": "list",
        "id": ctx.request.generation_id,
        "model": model.model_id,
        "results": results,
        "usage": billed,
        "nativeResponseId": native,
    }
    if ctx.request.field("meta") is True:
        body["meta"] = timing
    return summarise(MockReply(body=body), model, provider, billed, timing)


@generator("createOcr", heavy=True)
def read_text(ctx: SynthesisContext) -> MockReply:
    model, provider = require_model(ctx, "ocr")
    image = str(ctx.request.field("image", ""))
    seed = ids.derive_seed(base_seed(ctx), "ocr", model.model_id, image)
    rng = random.Random(seed)
    pages = ocr.read_pages(rng, content_faker(seed), ocr.page_count(image))
    text = "\n".join(page["text"] for page in pages)
    output_tokens = estimate_tokens(text)
    billed = usage(
        ctx, model, 0, output_tokens, {"pages": len(pages), "requests": 1, "output_text_tokens": output_tokens}
    )
    timing = meta(ctx, model, output_tokens)
    reply = MockReply(
        body={
            "requestId": ctx.request.generation_id,
            "id": ctx.request.generation_id,
            "object": "ocr",
            "model": model.model_id,
            "provider": provider,
            "text": text,
            "pages": pages,
            "usage": billed,
            "nativeResponseId": ids.token(rng, 20, "0123456789abcdef"),
            "meta": timing,
        }
    )
    return summarise(reply, model, provider, billed, timing)
