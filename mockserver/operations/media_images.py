"""Image generation and edits (GATEWAY-BEHAVIOUR §6): real PNG/JPEG/WebP at the asked size.

``b64_json`` answers carry the image inline; ``url`` answers point at the mock-only
download route (``/__mock/media/<name>``), served from the bounded media store.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from mockserver.engines.media import pictures
from mockserver.engines.media.accounting import estimate_tokens, meta, require_model, summarise, usage
from mockserver.model import MockReply
from mockserver.state.media import public_url
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

#: Output tokens of one image by quality at 1024x1024 (larger sizes scale by area).
IMAGE_TOKENS = {"low": 272, "medium": 1056, "high": 4160}
#: Input tokens one source image of an edit counts for.
SOURCE_IMAGE_TOKENS = 323


@generator("createImage", heavy=True)
def generate(ctx: SynthesisContext) -> MockReply:
    return _images(ctx, "image.generate", sources=[])


@generator("createImageEdit", heavy=True)
def edit(ctx: SynthesisContext) -> MockReply:
    return _images(ctx, "image.edit", sources=_sources(ctx))


def _images(ctx: SynthesisContext, capability: str, sources: list[bytes]) -> MockReply:
    model, provider = require_model(ctx, capability)
    body = ctx.request.body or {}
    prompt = str(body.get("prompt", ""))
    count = int(body.get("n") or 1)
    width, height = _size(body.get("size"), sources)
    fmt = body.get("output_format") or "png"
    as_url = _wants_url(body.get("response_format"), model.model_id)
    source_key = "".join(hashlib.sha256(source).hexdigest()[:16] for source in sources)
    data = []
    for index in range(count):
        image = pictures.render(
            f"{prompt}\x00{source_key}\x00{index}",
            width,
            height,
            fmt,
            body.get("output_compression"),
            body.get("background") == "transparent",
        )
        item: dict[str, Any] = (
            {"url": _publish(ctx, image, index, fmt)}
            if as_url
            else {"b64_json": base64.b64encode(image).decode("ascii")}
        )
        if "dall-e-3" in model.model_id:
            item["revised_prompt"] = f"{prompt.rstrip('.')}. {ctx.faker.sentence(nb_words=10)}"
        data.append(item)
    billed, output_tokens = _image_usage(
        ctx, model, prompt, count, len(sources), width * height, str(body.get("quality") or "auto")
    )
    timing = meta(ctx, model, output_tokens)
    reply = MockReply(
        body={
            "requestId": ctx.request.generation_id,
            "created": ctx.stamp(),
            "model": model.model_id,
            "data": data,
            "usage": billed,
            "provider": provider,
            "nativeResponseId": None,
            "meta": timing,
        }
    )
    return summarise(reply, model, provider, billed, timing)


def _wants_url(response_format: Any, model_id: str) -> bool:
    """``url`` when asked for; without a choice, gpt-image models answer base64, others a URL."""
    if response_format in ("url", "b64_json"):
        return response_format == "url"
    return "gpt-image" not in model_id


def _size(size: Any, sources: list[bytes]) -> tuple[int, int]:
    if (not size or size == "auto") and sources:
        found = _png_size(sources[0])
        if found is not None:
            return found
    return pictures.parse_size(size if isinstance(size, str) else None)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if 0 < width <= 4096 and 0 < height <= 4096 else None


def _sources(ctx: SynthesisContext) -> list[bytes]:
    files = ctx.request.files
    uploaded = [item.data for key in ("image", "image[]") for item in files.get(key, [])]
    if uploaded:
        return uploaded
    value = ctx.request.field("image")
    values = value if isinstance(value, list) else [value] if value else []
    return [_decode_source(str(item)) for item in values]


def _decode_source(value: str) -> bytes:
    """A data URL or bare base64 as bytes; anything else (a URL) stands for itself."""
    payload = value.split(",", 1)[1] if value.startswith("data:") and "," in value else value
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError:
        return value.encode()


def _publish(ctx: SynthesisContext, image: bytes, index: int, fmt: str) -> str:
    name = f"img-{ctx.request.generation_id[2:].lower()}-{index}.{'jpg' if fmt == 'jpeg' else fmt}"
    ctx.media.put(name, image, pictures.CONTENT_TYPES[fmt])
    return public_url(ctx.request, name)


def _image_usage(ctx, model, prompt: str, count: int, sources: int, pixels: int, quality: str):
    rules = model.pricing
    per_image = round(IMAGE_TOKENS.get(_quality(quality), IMAGE_TOKENS["medium"]) * pixels / (1024 * 1024))
    output_tokens = per_image * count if "output_image_tokens" in rules else 0
    prompt_tokens = estimate_tokens(prompt) if "input_text_tokens" in rules else 0
    image_tokens = SOURCE_IMAGE_TOKENS * sources if "input_image_tokens" in rules else 0
    quantities: dict[str, int | float] = {
        "input_text_tokens": prompt_tokens,
        "input_image_tokens": image_tokens,
        "input_image": sources,
        "output_image_tokens": output_tokens,
        "output_image": count,
    }
    billed = usage(
        ctx,
        model,
        prompt_tokens + image_tokens,
        output_tokens,
        quantities,
        input_tokens_details={"input_images": image_tokens} if image_tokens else None,
        output_tokens_details={"output_images": output_tokens} if output_tokens else None,
    )
    return billed, output_tokens


def _quality(quality: str) -> str:
    return {"hd": "high", "standard": "medium", "auto": "medium"}.get(quality, quality)
