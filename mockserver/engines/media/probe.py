"""How long an uploaded audio file plays, read from its own headers.

WAV, FLAC, Ogg (Opus or Vorbis), MP3 (frame headers, Xing/ID3 aware) and AAC ADTS are
measured; anything else is estimated from its size at 128 kbit/s.
"""

from __future__ import annotations

import io
import struct
import wave

#: Bytes per second assumed for audio whose container is not recognised (128 kbit/s).
FALLBACK_BYTES_PER_SECOND = 16000

_MP3_BITRATES = {  # (version is MPEG-1, layer III) -> kbit/s by index
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def audio_seconds(data: bytes) -> tuple[float, str]:
    """(duration in seconds, how it was found: the container's name or ``size``)."""
    for name, probe in (("wav", _wav), ("flac", _flac), ("ogg", _ogg), ("aac", _adts), ("mp3", _mp3)):
        try:
            seconds = probe(data)
        except (ValueError, EOFError, struct.error, wave.Error, IndexError):
            seconds = None
        if seconds is not None and seconds > 0:
            return round(seconds, 3), name
    return round(max(len(data), 1) / FALLBACK_BYTES_PER_SECOND, 3), "size"


def _wav(data: bytes) -> float | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    with wave.open(io.BytesIO(data), "rb") as audio:
        frames = audio.getnframes()
        available = (len(data) - 44) // max(1, audio.getsampwidth() * audio.getnchannels())
        return min(frames, available) / audio.getframerate()


def _flac(data: bytes) -> float | None:
    if data[:4] != b"fLaC":
        return None
    packed = int.from_bytes(data[18:26], "big")
    rate, samples = packed >> 44, packed & ((1 << 36) - 1)
    return samples / rate if rate else None


def _ogg(data: bytes) -> float | None:
    if data[:4] != b"OggS":
        return None
    last = data.rfind(b"OggS")
    granule = struct.unpack_from("<q", data, last + 6)[0]
    if b"OpusHead" in data[:200]:
        head = data.index(b"OpusHead")
        pre_skip = struct.unpack_from("<H", data, head + 10)[0]
        return (granule - pre_skip) / 48000
    if b"\x01vorbis" in data[:200]:
        start = data.index(b"\x01vorbis")
        return granule / struct.unpack_from("<I", data, start + 12)[0]
    return None


def _adts(data: bytes) -> float | None:
    if len(data) < 7 or data[0] != 0xFF or data[1] & 0xF6 != 0xF0:
        return None
    rate = _ADTS_RATES[(data[2] >> 2) & 0xF]
    position, frames = 0, 0
    while position + 7 <= len(data) and data[position] == 0xFF and data[position + 1] & 0xF0 == 0xF0:
        length = ((data[position + 3] & 0x3) << 11) | (data[position + 4] << 3) | (data[position + 5] >> 5)
        if length < 7:
            break
        frames += (data[position + 6] & 0x3) + 1
        position += length
    return frames * 1024 / rate


def _mp3(data: bytes) -> float | None:
    position = 0
    if data[:3] == b"ID3":
        size = data[6:10]
        position = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])
    seconds, frames = 0.0, 0
    while position + 4 <= len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        if header >> 21 != 0x7FF:
            if frames:
                break
            position += 1
            if position > 4096:
                return None
            continue
        version, layer = (header >> 19) & 3, (header >> 17) & 3
        bitrate_index, rate_index = (header >> 12) & 0xF, (header >> 10) & 3
        if layer != 1 or version == 1 or bitrate_index in (0, 15) or rate_index == 3:
            return None if not frames else seconds
        mpeg1 = version == 3
        rate = _MP3_RATES[version][rate_index]
        samples = 1152 if mpeg1 else 576
        padding = (header >> 9) & 1
        length = (144 if mpeg1 else 72) * _MP3_BITRATES[mpeg1][bitrate_index] * 1000 // rate + padding
        seconds += samples / rate
        frames += 1
        position += length
    return seconds if frames >= 2 else None
