"""BER lengths (short and long form) and BER-OID tags (SMPTE 336, ST 0601 §6)."""

from __future__ import annotations

import pytest

from dronewatch.telemetry.ber import (
    KlvError,
    decode_length,
    decode_oid,
    encode_length,
    encode_oid,
)


@pytest.mark.parametrize(
    ("encoded", "length"),
    [
        ("00", 0),
        ("7F", 127),  # the largest short form
        ("8180", 128),  # the smallest long form
        ("81C9", 201),
        ("820100", 256),
        ("83010000", 65536),
        ("840000007F", 127),  # long form need not be minimal
    ],
)
def test_decode_length(encoded, length):
    data = bytes.fromhex(encoded) + b"rest"
    assert decode_length(data, 0) == (length, len(bytes.fromhex(encoded)))


@pytest.mark.parametrize("length", [0, 1, 127, 128, 255, 256, 65535, 65536, 2**40])
def test_length_round_trip(length):
    encoded = encode_length(length)
    assert decode_length(encoded, 0) == (length, len(encoded))
    assert (len(encoded) == 1) == (length < 128)


@pytest.mark.parametrize(
    ("encoded", "reason"),
    [
        ("", "no length byte"),
        ("80", "indefinite"),
        ("82 01", "truncated"),
        ("89 0102030405060708 09", "9 bytes"),
    ],
)
def test_bad_lengths_raise_klv_error(encoded, reason):
    with pytest.raises(KlvError, match=reason):
        decode_length(bytes.fromhex(encoded), 0)


@pytest.mark.parametrize(
    ("encoded", "tag"),
    [("01", 1), ("41", 65), ("7F", 127), ("8100", 128), ("8106", 134), ("FF7F", 16383)],
)
def test_oid_tags(encoded, tag):
    assert decode_oid(bytes.fromhex(encoded), 0) == (tag, len(encoded) // 2)
    assert encode_oid(tag) == bytes.fromhex(encoded)


@pytest.mark.parametrize("encoded", ["", "81", "FFFFFFFF7F"])
def test_bad_oid_raises(encoded):
    with pytest.raises(KlvError):
        decode_oid(bytes.fromhex(encoded), 0)


def test_decode_at_offset():
    data = b"\x00\x00" + encode_length(300) + encode_oid(200)
    length, pos = decode_length(data, 2)
    assert (length, pos) == (300, 5)
    assert decode_oid(data, pos) == (200, 7)


def test_encoders_reject_negative():
    with pytest.raises(ValueError):
        encode_length(-1)
    with pytest.raises(ValueError):
        encode_oid(-1)
