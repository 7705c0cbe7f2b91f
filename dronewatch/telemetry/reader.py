"""Read back-to-back KLV packets from bytes or a raw ``.klv``/``.bin`` file.

The reader never raises on bad data: a packet that is truncated, has an impossible BER
length, or carries a key we do not read is skipped and counted, and the scan resumes at
the next ST 0601 or EG 0104 set key. A run of bytes that is not KLV at all counts as one
skipped packet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dronewatch.telemetry import eg0104, st0601
from dronewatch.telemetry.ber import KlvError, decode_length
from dronewatch.telemetry.packet import KlvPacket, KlvReadResult

#: Every SMPTE universal label starts with these four bytes (SMPTE 336).
SMPTE_PREFIX = bytes.fromhex("060E2B34")
KEY_SIZE = 16

_DECODERS = {
    st0601.UAS_LOCAL_SET_KEY: st0601.decode_local_set,
    eg0104.UNIVERSAL_SET_KEY: eg0104.decode_universal_set,
}


@dataclass(frozen=True)
class Skipped:
    """A malformed stretch of input: where it started and why it was skipped."""

    offset: int
    reason: str


def _set_key(data: bytes, pos: int) -> bytes:
    """The key at ``pos``, with EG 0104's version byte zeroed so any version matches."""
    key = data[pos : pos + KEY_SIZE]
    if eg0104.is_set_key(key):
        return eg0104.UNIVERSAL_SET_KEY
    return key


def _next_set_key(data: bytes, start: int) -> int:
    """Offset of the next ST 0601 or EG 0104 set key at or after ``start``, or -1."""
    pos = data.find(SMPTE_PREFIX, start)
    while pos >= 0 and _set_key(data, pos) not in _DECODERS:
        pos = data.find(SMPTE_PREFIX, pos + 1)
    return pos


def scan(data: bytes, pts_s: float | None = None) -> Iterator[KlvPacket | Skipped]:
    """Yield each decoded packet in ``data``, or a :class:`Skipped` for each malformed
    one (or each run of non-KLV bytes), in order. Never raises on bad input.

    After a malformed packet the scan resumes at the next ST 0601 or EG 0104 set key,
    not at the end the broken length claims: a corrupt length must not swallow the
    good packets after it.
    """
    pos = 0
    size = len(data)
    while pos < size:
        if data[pos : pos + 4] != SMPTE_PREFIX:
            yield Skipped(pos, "not KLV")
            pos = _next_set_key(data, pos + 1)
            if pos < 0:
                return
            continue
        try:
            if pos + KEY_SIZE > size:
                raise KlvError("truncated key")
            length, value_start = decode_length(data, pos + KEY_SIZE)
            end = value_start + length
            if end > size:
                raise KlvError("truncated packet")
            decoder = _DECODERS.get(_set_key(data, pos))
            if decoder is None:
                yield Skipped(pos, f"unknown key {data[pos : pos + KEY_SIZE].hex()}")
                # Skip by its length, unless one of our sets starts inside it: then the
                # "key" was junk and its length must not swallow that set.
                nxt = _next_set_key(data, pos + 1)
                pos = end if nxt < 0 else min(end, nxt)
                continue
            packet = decoder(data[pos:end], pts_s)
        except KlvError as exc:
            yield Skipped(pos, str(exc))
            pos = _next_set_key(data, pos + 1)
            if pos < 0:
                return
            continue
        yield packet
        pos = end


def read_bytes(data: bytes, pts_s: float | None = None) -> KlvReadResult:
    """Decode every packet in ``data``; count the malformed ones."""
    packets: list[KlvPacket] = []
    skipped = 0
    for item in scan(data, pts_s):
        if isinstance(item, KlvPacket):
            packets.append(item)
        else:
            skipped += 1
    return KlvReadResult(packets=tuple(packets), skipped=skipped)


def read_raw_file(path: str | Path) -> KlvReadResult:
    """Decode a raw file of back-to-back KLV packets (no container)."""
    return read_bytes(Path(path).read_bytes())
