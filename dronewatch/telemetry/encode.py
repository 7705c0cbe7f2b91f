"""Encoding MISB ST 0601 UAS Datalink Local Set packets (the reverse of :mod:`.st0601`).

Written from the standard's mapping formulas, like the decoder. Values are given by the
decoder's snake_case item names, so ``decode_local_set(encode_local_set(v)).values``
gives ``v`` back within each item's quantisation (:func:`quantum`).

The packet is ``key, BER length, items..., checksum item``: the precision time stamp
(tag 2) goes first when present, as ST 0601 asks; the checksum (tag 1) always last.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from dronewatch.telemetry.ber import encode_length, encode_oid
from dronewatch.telemetry.st0601 import (
    CHECKSUM_TAG,
    TAG_BY_NAME,
    TAGS,
    UAS_LOCAL_SET_KEY,
    TagSpec,
    checksum,
    imapb_encode,
)

#: Fixed sizes of plain integer items whose length ST 0601 pins down.
_PLAIN_SIZES = {2: 8, 72: 8, 131: 8, 65: 1}
_IMAPB_SIZE = 3
PRECISION_TIME_STAMP = 2


def quantum(name: str) -> float:
    """The step between two encodable values of a mapped item (0 for text/integers)."""
    spec = TAGS[TAG_BY_NAME[name]]
    if spec.kind == "uint":
        return (spec.hi - spec.lo) / (2 ** (8 * spec.size) - 1)
    if spec.kind == "int":
        return (spec.hi - spec.lo) / (2 ** (8 * spec.size) - 2)
    if spec.kind == "imapb":
        return 2.0 ** (math.ceil(math.log2(spec.hi - spec.lo)) - (8 * _IMAPB_SIZE - 1))
    return 0.0


def encode_value(spec: TagSpec, value: object) -> bytes:
    """One item's value bytes. Raises ``ValueError`` for a value the item cannot hold."""
    if spec.kind == "text":
        return str(value).encode("utf-8")
    if spec.kind in ("plain_uint", "plain_int"):
        number = int(value)  # type: ignore[call-overload]
        signed = spec.kind == "plain_int"
        size = _PLAIN_SIZES.get(spec.tag) or max(1, (number.bit_length() + 8 * signed + 7) // 8)
        return number.to_bytes(size, "big", signed=signed)
    number_f = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number_f):
        raise ValueError(f"tag {spec.tag} ({spec.name}): {value!r} is not finite")
    if spec.kind == "imapb":
        return imapb_encode(min(max(number_f, spec.lo), spec.hi), spec.lo, spec.hi, _IMAPB_SIZE)
    bits = 8 * spec.size
    if spec.kind == "uint":
        if spec.hi == 360.0 and spec.lo == 0.0:
            number_f %= 360.0  # angles wrap rather than clamp
        if not spec.lo <= number_f <= spec.hi:
            raise ValueError(
                f"tag {spec.tag} ({spec.name}): {number_f} outside {spec.lo}..{spec.hi}"
            )
        raw = round((number_f - spec.lo) * (2**bits - 1) / (spec.hi - spec.lo))
        return min(raw, 2**bits - 1).to_bytes(spec.size, "big")
    if not spec.lo <= number_f <= spec.hi:
        raise ValueError(f"tag {spec.tag} ({spec.name}): {number_f} outside {spec.lo}..{spec.hi}")
    limit = 2 ** (bits - 1) - 1  # the most negative raw value is reserved ("out of range")
    raw = round(number_f * (2**bits - 2) / (spec.hi - spec.lo))
    return max(-limit, min(limit, raw)).to_bytes(spec.size, "big", signed=True)


def encode_item(tag: int, value_bytes: bytes) -> bytes:
    return encode_oid(tag) + encode_length(len(value_bytes)) + value_bytes


def encode_local_set(values: Mapping[str, object]) -> bytes:
    """A whole UAS Datalink LS packet with a valid checksum.

    ``values`` maps item names (``TAG_BY_NAME``) to values; ``None`` values are left out.
    Items are written in tag order, the time stamp first, the checksum last.
    """
    unknown = sorted(set(values) - set(TAG_BY_NAME))
    if unknown:
        raise ValueError(f"unknown ST 0601 items: {', '.join(unknown)}")
    tags = sorted(TAG_BY_NAME[name] for name, v in values.items() if v is not None)
    body = b"".join(encode_item(t, encode_value(TAGS[t], values[TAGS[t].name])) for t in tags)
    checksum_head = encode_oid(CHECKSUM_TAG) + encode_length(2)
    length = len(body) + len(checksum_head) + 2
    head = UAS_LOCAL_SET_KEY + encode_length(length) + body + checksum_head
    return head + checksum(head).to_bytes(2, "big")
