"""BER lengths and BER-OID tags, as KLV uses them (SMPTE 336, MISB ST 0601 §6).

A *length* is short form (one byte, 0-127) or long form (``0x80 | n`` then ``n``
big-endian bytes). A local-set *tag* is a BER-OID: 7 bits per byte, high bit set on
every byte but the last. Decoders raise :class:`KlvError` on truncated or absurd input;
callers turn that into a skipped packet, never a crash.
"""

from __future__ import annotations

#: Long-form lengths longer than this many bytes are treated as corrupt: no real KLV
#: packet needs more than 2**64 bytes, and a huge count usually means we are reading junk.
MAX_LENGTH_BYTES = 8
#: BER-OID tags longer than this are corrupt (ST 0601 tags fit in two bytes).
MAX_OID_BYTES = 4


class KlvError(ValueError):
    """Malformed KLV: truncated data, an invalid BER field or a length past the end."""


def decode_length(data: bytes, offset: int) -> tuple[int, int]:
    """Return ``(length, offset just past the length field)`` of the BER length at
    ``offset``."""
    if offset >= len(data):
        raise KlvError("truncated: no length byte")
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if count == 0:
        # 0x80 is BER's "indefinite length", which SMPTE 336 does not allow in KLV.
        raise KlvError("indefinite BER length")
    if count > MAX_LENGTH_BYTES:
        raise KlvError(f"BER length of {count} bytes")
    end = offset + 1 + count
    if end > len(data):
        raise KlvError("truncated BER length")
    return int.from_bytes(data[offset + 1 : end], "big"), end


def encode_length(length: int) -> bytes:
    """BER-encode ``length``: short form below 128, else the shortest long form."""
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def decode_oid(data: bytes, offset: int) -> tuple[int, int]:
    """Return ``(tag, offset just past it)`` of the BER-OID tag at ``offset``."""
    value = 0
    for i in range(MAX_OID_BYTES):
        pos = offset + i
        if pos >= len(data):
            raise KlvError("truncated BER-OID tag")
        byte = data[pos]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + 1
    raise KlvError(f"BER-OID tag longer than {MAX_OID_BYTES} bytes")


def encode_oid(tag: int) -> bytes:
    """BER-OID-encode a non-negative ``tag``."""
    if tag < 0:
        raise ValueError("negative tag")
    groups = [tag & 0x7F]
    tag >>= 7
    while tag:
        groups.append(0x80 | (tag & 0x7F))
        tag >>= 7
    return bytes(reversed(groups))
