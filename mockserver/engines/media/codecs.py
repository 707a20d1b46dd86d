"""Audio containers and codecs for 16-bit mono PCM: wav, mp3, flac, opus, aac, pcm.

- ``wav``: RIFF/WAVE via :mod:`wave`.
- ``mp3``: real MPEG Layer III frames from the LAME encoder (``lameenc``).
- ``flac``: a FLAC stream written here, lossless, VERBATIM subframes, with STREAMINFO MD5.
- ``opus``: an Ogg Opus stream (RFC 7845) written here; its packets are CELT silence
  frames (no Opus encoder is bundled), so the file is valid and has the right length
  but is silent.
- ``aac``: ADTS frames of AAC-LC silence (same reason), one per 1024 samples.
- ``pcm``: the raw samples (24 kHz, signed 16-bit little-endian, mono).
"""

from __future__ import annotations

import hashlib
import io
import struct
import wave
from functools import lru_cache

import lameenc

CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "opus": "audio/opus",
    "pcm": "audio/pcm",
}
#: OpenAI's speech output rate; ``pcm`` is defined as 24 kHz.
SAMPLE_RATE = 24000
MP3_KBPS = 48


def encode(pcm: bytes, rate: int, fmt: str) -> bytes:
    """``pcm`` (s16le mono at ``rate``) in the container/codec named by ``fmt``."""
    return _ENCODERS[fmt](pcm, rate)


def to_wav(pcm: bytes, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def to_mp3(pcm: bytes, rate: int) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_KBPS)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())


def to_pcm(pcm: bytes, rate: int) -> bytes:
    return pcm


# ---- FLAC -------------------------------------------------------------------------
_FLAC_BLOCK = 4096
_FLAC_RATE_CODES = {8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11}


def to_flac(pcm: bytes, rate: int) -> bytes:
    samples = len(pcm) // 2
    info = struct.pack(">HH", _FLAC_BLOCK, _FLAC_BLOCK) + b"\x00" * 6
    packed = (rate << 44) | (0 << 41) | (15 << 36) | samples  # channels-1=0, bits-1=15
    info += packed.to_bytes(8, "big") + hashlib.md5(pcm[: samples * 2]).digest()
    out = [b"fLaC", bytes([0x80]) + len(info).to_bytes(3, "big"), info]
    big_endian = _swap16(pcm[: samples * 2])
    for number, start in enumerate(range(0, samples, _FLAC_BLOCK)):
        count = min(_FLAC_BLOCK, samples - start)
        out.append(_flac_frame(number, big_endian[start * 2 : (start + count) * 2], count, rate))
    return b"".join(out)


def _flac_frame(number: int, samples_be: bytes, count: int, rate: int) -> bytes:
    size_code = 0b1100 if count == _FLAC_BLOCK else 0b0111
    header = bytearray(b"\xff\xf8")
    header.append(size_code << 4 | _FLAC_RATE_CODES.get(rate, 0))
    header.append(0b0000_100_0)  # mono, 16 bits per sample
    header += _utf8_number(number)
    if size_code == 0b0111:
        header += (count - 1).to_bytes(2, "big")
    header.append(_crc8(bytes(header)))
    frame = bytes(header) + b"\x02" + samples_be  # subframe: VERBATIM, no wasted bits
    return frame + _crc16(frame).to_bytes(2, "big")


def _utf8_number(value: int) -> bytes:
    if value < 0x80:
        return bytes([value])
    encoded = chr(value).encode("utf-8") if value < 0x110000 and not 0xD800 <= value < 0xE000 else None
    if encoded is None:
        raise ValueError("FLAC frame number too large")
    return encoded


def _swap16(data: bytes) -> bytes:
    swapped = bytearray(len(data))
    swapped[0::2] = data[1::2]
    swapped[1::2] = data[0::2]
    return bytes(swapped)


def _table(poly: int, width: int) -> list[int]:
    top, mask, table = 1 << (width - 1), (1 << width) - 1, []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return table


_CRC8, _CRC16, _CRC32 = _table(0x07, 8), _table(0x8005, 16), _table(0x04C11DB7, 32)


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def _crc16(data: bytes) -> int:
    """CRC-16/BUYPASS (FLAC's frame CRC), two bytes per step."""
    table, crc, even = _crc16_pairs(), 0, len(data) & ~1
    for (word,) in struct.iter_unpack(">H", data[:even]):
        crc = table[crc ^ word]
    for byte in data[even:]:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc


@lru_cache(maxsize=1)
def _crc16_pairs() -> list[int]:
    """The CRC-16 register after feeding any 16-bit word into a zero register."""
    table = []
    for high in range(256):
        after_high = _CRC16[high]
        for low in range(256):
            table.append(((after_high << 8) & 0xFFFF) ^ _CRC16[(after_high >> 8) ^ low])
    return table


# ---- Ogg Opus ---------------------------------------------------------------------
_OPUS_SILENCE = b"\xf8\xff\xfe"  # TOC: CELT-only, fullband, 20 ms, mono; frame: silence
_OPUS_FRAME_48K = 960
_OPUS_PRE_SKIP = 312
_OPUS_PACKETS_PER_PAGE = 50


def to_opus(pcm: bytes, rate: int) -> bytes:
    total_48k = (len(pcm) // 2) * 48000 // rate
    packets = max(1, -(-total_48k // _OPUS_FRAME_48K))
    serial = 0x4D4F434B  # "MOCK"
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, _OPUS_PRE_SKIP, rate, 0, 0)
    vendor = b"aistats-mock"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_ogg_page([head], 0, serial, 0, 0x02), _ogg_page([tags], 0, serial, 1, 0)]
    for sequence, first in enumerate(range(0, packets, _OPUS_PACKETS_PER_PAGE), start=2):
        count = min(_OPUS_PACKETS_PER_PAGE, packets - first)
        last = first + count >= packets
        granule = _OPUS_PRE_SKIP + (total_48k if last else (first + count) * _OPUS_FRAME_48K)
        pages.append(_ogg_page([_OPUS_SILENCE] * count, granule, serial, sequence, 0x04 if last else 0))
    return b"".join(pages)


def _ogg_page(packets: list[bytes], granule: int, serial: int, sequence: int, flags: int) -> bytes:
    lacing = bytearray()
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, serial, sequence, 0, len(lacing)) + lacing
    page = header + b"".join(packets)
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC32[(crc >> 24) ^ byte]
    return page[:22] + struct.pack("<I", crc) + page[26:]


# ---- AAC (ADTS) -------------------------------------------------------------------
_AAC_SILENT_MONO = b"\x01\x40\x20\x07"  # SCE, global gain, no bands, END
_AAC_RATE_INDEX = {
    96000: 0,
    88200: 1,
    64000: 2,
    48000: 3,
    44100: 4,
    32000: 5,
    24000: 6,
    22050: 7,
    16000: 8,
    12000: 9,
    11025: 10,
    8000: 11,
}


def to_aac(pcm: bytes, rate: int) -> bytes:
    frames = max(1, -(-(len(pcm) // 2) // 1024))
    length = 7 + len(_AAC_SILENT_MONO)
    index = _AAC_RATE_INDEX[rate]
    header = bytes(
        [
            0xFF,
            0xF1,  # sync, MPEG-4, layer 0, no CRC
            (1 << 6) | (index << 2) | 0,  # AAC-LC, rate index, channel config high bit
            (1 << 6) | (length >> 11),  # channel config 1, frame length (high bits)
            (length >> 3) & 0xFF,
            ((length & 0x7) << 5) | 0x1F,  # frame length (low bits), buffer fullness 0x7FF
            0xFC,  # buffer fullness, one raw data block
        ]
    )
    return (header + _AAC_SILENT_MONO) * frames


_ENCODERS = {"wav": to_wav, "mp3": to_mp3, "flac": to_flac, "opus": to_opus, "aac": to_aac, "pcm": to_pcm}
