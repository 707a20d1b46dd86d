"""Images: a deterministic diagonal gradient per prompt, encoded as PNG (stdlib), JPEG or WebP.

The PNG writer uses only :mod:`zlib` and :mod:`struct`; JPEG and WebP go through Pillow.
Every row is a slice of one precomputed gradient line, so even 1792x1024 images take
a few milliseconds to draw.
"""

from __future__ import annotations

import io
import struct
import zlib

from mockserver.ids import derive_seed

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
DEFAULT_SIZE = (1024, 1024)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parse_size(size: str | None) -> tuple[int, int]:
    """``"1536x1024"`` → (1536, 1024); ``auto`` or nothing → 1024x1024."""
    if not size or size == "auto":
        return DEFAULT_SIZE
    width, _, height = size.lower().partition("x")
    return int(width), int(height)


def render(
    key: str, width: int, height: int, fmt: str = "png", quality: int | None = None, transparent: bool = False
) -> bytes:
    """An image for ``key`` (prompt, image index, sources) at the requested size and format.

    ``transparent`` (PNG and WebP) makes every other stripe fully transparent.
    """
    alpha = transparent and fmt != "jpeg"
    raw_rows = _rows(key, width, height, alpha)
    if fmt == "png":
        return png(raw_rows, width, height, alpha)
    return _pillow(b"".join(raw_rows), width, height, fmt, quality, alpha)


def png(rows: list[bytes], width: int, height: int, alpha: bool = False) -> bytes:
    """An 8-bit RGB (or RGBA) PNG from raw rows (no filter bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    data = zlib.compress(b"".join(b"\x00" + row for row in rows), 6)
    return _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def palette(key: str) -> tuple[tuple[int, int, int], tuple[int, int, int], int]:
    """Two colours and a stripe period drawn from ``key``."""
    value = derive_seed("image-palette", key)
    first = ((value >> 0) & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF)
    second = ((value >> 24) & 0xFF, (value >> 32) & 0xFF, (value >> 40) & 0xFF)
    return first, second, 24 + (value >> 48) % 96


def _rows(key: str, width: int, height: int, alpha: bool = False) -> list[bytes]:
    first, second, period = palette(key)
    span, size = width + height, 4 if alpha else 3
    line = bytearray()
    for i in range(span):
        t = i / max(1, span - 1)
        stripe = (i // period) % 2
        line += bytes(int((a + (b - a) * t) * (0.85 + 0.15 * stripe)) for a, b in zip(first, second, strict=True))
        if alpha:
            line.append(255 * stripe)
    pixels = bytes(line)
    return [pixels[size * y : size * (y + width)] for y in range(height)]


def _pillow(raw: bytes, width: int, height: int, fmt: str, quality: int | None, alpha: bool) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGBA" if alpha else "RGB", (width, height), raw)
    buffer = io.BytesIO()
    options = {"quality": quality if quality is not None else 85}
    if fmt == "webp":
        options["method"] = 0
    image.save(buffer, format="JPEG" if fmt == "jpeg" else "WEBP", **options)
    return buffer.getvalue()
