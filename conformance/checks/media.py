"""Binary answers: the bytes are what the Content-Type says (WAV, MP3, PNG, MP4, ...)."""

from __future__ import annotations

import schemathesis

from conformance.checks._support import fail, is_probe, media_type, register

register("media_signature_matches_content_type", "binary bytes start with the signature of their Content-Type")


def _mp3(data: bytes) -> bool:
    return data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _adts(data: bytes) -> bool:
    return len(data) > 1 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0


SIGNATURES = {
    "audio/wav": ("RIFF….WAVE", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE"),
    "audio/x-wav": ("RIFF….WAVE", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE"),
    "audio/wave": ("RIFF….WAVE", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE"),
    "audio/mpeg": ("ID3 tag or MPEG frame sync", _mp3),
    "audio/mp3": ("ID3 tag or MPEG frame sync", _mp3),
    "audio/flac": ("fLaC", lambda d: d[:4] == b"fLaC"),
    "audio/ogg": ("OggS", lambda d: d[:4] == b"OggS"),
    "audio/opus": ("OggS", lambda d: d[:4] == b"OggS"),
    "audio/aac": ("ADTS frame sync or ADIF", lambda d: _adts(d) or d[:4] == b"ADIF"),
    "image/png": ("\\x89PNG\\r\\n\\x1a\\n", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": ("\\xff\\xd8\\xff", lambda d: d[:3] == b"\xff\xd8\xff"),
    "image/webp": ("RIFF….WEBP", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP"),
    "video/mp4": ("an ISO BMFF `ftyp` box", lambda d: d[4:8] == b"ftyp"),
}


@schemathesis.check
def media_signature_matches_content_type(ctx, response, case):
    if is_probe(case):
        return None
    kind = media_type(response)
    if not 200 <= response.status_code < 300 or not kind.startswith(("audio/", "video/", "image/")):
        return None
    data = response.content or b""
    if not data:
        raise fail("media_signature_matches_content_type", case, "Empty media body", f"{kind} bytes", "0 bytes")
    known = SIGNATURES.get(kind)
    if known is not None and not known[1](data):
        raise fail(
            "media_signature_matches_content_type",
            case,
            f"Bytes are not {kind}",
            f"{kind} starting with {known[0]}",
            f"first bytes {data[:12]!r}",
        )
    return None
