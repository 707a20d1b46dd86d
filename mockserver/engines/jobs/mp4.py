"""A real, tiny MP4: H.264 (baseline, every macroblock I_PCM) in an ISO BMFF container.

I_PCM macroblocks carry raw samples, so no encoder is needed and any H.264 decoder
(browsers, ffmpeg, PyAV) plays the clip. The clip is small (long side 64 px, a handful
of frames) and lasts exactly the requested number of seconds; the same arguments always
give the same bytes.
"""

from __future__ import annotations

import struct
from functools import lru_cache

FRAMES = 6
LONG_SIDE = 64
_MB = 16


class _Bits:
    def __init__(self) -> None:
        self.bits: list[str] = []

    def u(self, width: int, value: int) -> None:
        self.bits.append(format(value, f"0{width}b") if width else "")

    def ue(self, value: int) -> None:
        code = value + 1
        self.bits.append("0" * (code.bit_length() - 1) + format(code, "b"))

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        missing = -len(self.text()) % 8
        self.bits.append("0" * missing)

    def trailing(self) -> None:
        self.bits.append("1")
        self.align_zero()

    def raw(self, data: bytes) -> None:
        self.bits.append("".join(format(byte, "08b") for byte in data))

    def text(self) -> str:
        joined = "".join(self.bits)
        self.bits = [joined]
        return joined

    def bytes(self) -> bytes:
        text = self.text()
        return int(text, 2).to_bytes(len(text) // 8, "big") if text else b""


def _escape(rbsp: bytes) -> bytes:
    """Emulation prevention: no 00 00 0x (x ≤ 3) may appear inside a NAL unit."""
    out = bytearray()
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _sps(width_mbs: int, height_mbs: int) -> bytes:
    bits = _Bits()
    bits.raw(bytes([66, 0xC0, 30]))  # baseline profile, constraint_set0/1, level 3.0
    for value in (0, 0, 2, 1):  # sps id, log2_max_frame_num-4, poc type 2, max refs
        bits.ue(value)
    bits.u(1, 0)
    bits.ue(width_mbs - 1)
    bits.ue(height_mbs - 1)
    bits.u(1, 1)  # frame_mbs_only
    bits.u(1, 1)  # direct_8x8_inference
    bits.u(1, 0)  # no cropping
    bits.u(1, 0)  # no VUI
    bits.trailing()
    return b"\x67" + _escape(bits.bytes())


def _pps() -> bytes:
    bits = _Bits()
    bits.ue(0)
    bits.ue(0)
    bits.u(2, 0)  # CAVLC, no field order flag
    for value in (0, 0, 0):
        bits.ue(value)
    bits.u(3, 0)  # no weighted prediction
    for value in (0, 0, 0):
        bits.se(value)
    bits.u(3, 0b100)  # deblocking control present, no constrained intra, no redundant pic cnt
    bits.trailing()
    return b"\x68" + _escape(bits.bytes())


def _samples(width: int, height: int, frame: int, seed: int) -> tuple[list[bytes], bytes, bytes]:
    """Per-macroblock luma, then whole-frame values for Cb and Cr (a drifting gradient)."""
    shift = (seed % 97) + frame * 23
    luma = []
    for mb_y in range(height // _MB):
        for mb_x in range(width // _MB):
            block = bytearray()
            for y in range(_MB):
                for x in range(_MB):
                    px, py = mb_x * _MB + x, mb_y * _MB + y
                    block.append(16 + (px * 3 + py * 2 + shift) % 220)
            luma.append(bytes(block))
    cb = bytes([16 + (seed // 7 + frame * 11) % 220] * 64)
    cr = bytes([16 + (seed // 13 + frame * 5) % 220] * 64)
    return luma, cb, cr


def _idr_slice(width: int, height: int, frame: int, seed: int) -> bytes:
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(7)  # slice_type: I (all slices)
    bits.ue(0)  # pps id
    bits.u(4, 0)  # frame_num
    bits.ue(frame % 2)  # idr_pic_id differs between consecutive IDRs
    bits.u(2, 0)  # dec_ref_pic_marking: no_output_of_prior_pics, long_term_reference
    bits.se(0)  # slice_qp_delta
    bits.ue(1)  # deblocking disabled
    luma, cb, cr = _samples(width, height, frame, seed)
    for block in luma:
        bits.ue(25)  # mb_type I_PCM
        bits.align_zero()
        bits.raw(block + cb + cr)
    bits.trailing()
    return b"\x65" + _escape(bits.bytes())


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version << 24 | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _sample_table(
    sps: bytes, pps: bytes, width: int, height: int, sizes: list[int], seconds: int, chunk_offset: int
) -> bytes:
    avcc = _box(
        b"avcC",
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        b"\x01",
        struct.pack(">H", len(pps)),
        pps,
    )
    entry = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),
        bytes(16),
        struct.pack(">HH", width, height),
        struct.pack(">II", 0x480000, 0x480000),
        bytes(4),
        struct.pack(">H", 1),
        bytes(32),
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    return _box(
        b"stbl",
        _full(b"stsd", 0, 0, struct.pack(">I", 1), entry),
        _full(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), seconds)),
        _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(sizes), 1)),
        _full(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)), struct.pack(f">{len(sizes)}I", *sizes)),
        _full(b"stco", 0, 0, struct.pack(">II", 1, chunk_offset)),
    )


def _moov(sps: bytes, pps: bytes, width: int, height: int, sizes: list[int], seconds: int, offset: int) -> bytes:
    millis = seconds * 1000
    mvhd = _full(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, 1000, millis),
        struct.pack(">IH", 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),
    )
    tkhd = _full(
        b"tkhd",
        0,
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, millis),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    # The media timescale is the frame count per clip, so each frame lasts `seconds` ticks.
    mdhd = _full(
        b"mdhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, len(sizes), len(sizes) * seconds),
        struct.pack(">HH", 0x55C4, 0),
    )
    hdlr = _full(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\x00")
    dinf = _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1)))
    minf = _box(
        b"minf",
        _full(b"vmhd", 0, 1, bytes(8)),
        dinf,
        _sample_table(sps, pps, width, height, sizes, seconds, offset),
    )
    return _box(b"moov", mvhd, _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf)))


def frame_size(size: str | None) -> tuple[int, int]:
    """The clip's pixel size: the requested aspect ratio, long side 64, in whole macroblocks."""
    try:
        width, height = (int(part) for part in (size or "").lower().split("x"))
    except ValueError:
        width, height = 16, 9
    if width <= 0 or height <= 0:
        width, height = 16, 9
    long_side = max(width, height)
    scale = lambda side: max(_MB, round(LONG_SIDE * side / long_side / _MB) * _MB)  # noqa: E731
    return scale(width), scale(height)


@lru_cache(maxsize=32)
def build_mp4(seconds: int = 4, size: str | None = "1280x720", seed: int = 0) -> bytes:
    """An MP4 clip of ``seconds`` seconds, ``FRAMES`` frames, deterministic for ``seed``."""
    seconds = max(1, int(seconds))
    width, height = frame_size(size)
    sps, pps = _sps(width // _MB, height // _MB), _pps()
    frames = [_idr_slice(width, height, index, seed) for index in range(FRAMES)]
    samples = [struct.pack(">I", len(nal)) + nal for nal in frames]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2avc1mp41")
    sizes = [len(sample) for sample in samples]
    head = len(ftyp) + len(_moov(sps, pps, width, height, sizes, seconds, 0)) + 8
    moov = _moov(sps, pps, width, height, sizes, seconds, head)
    return ftyp + moov + _box(b"mdat", *samples)
