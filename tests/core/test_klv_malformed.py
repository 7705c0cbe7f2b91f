"""Malformed KLV never escapes the reader: truncated packets, bad BER lengths, flipped
checksum bytes, unknown keys and random bytes are skipped and counted."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dronewatch.telemetry import KlvPacket, Skipped, read_bytes, scan
from tests.core.test_klv_st0601 import KEY, build_st0601


def good_packet(n: int = 0) -> bytes:
    return build_st0601(
        [
            (2, (1_600_000_000_000_000 + n).to_bytes(8, "big")),
            (4, b"N97826"),
            (13, (0x3A84045D).to_bytes(4, "big")),
            (65, bytes([13])),
        ]
    )


def test_back_to_back_good_packets():
    data = b"".join(good_packet(i) for i in range(5))
    result = read_bytes(data)
    assert len(result.packets) == 5
    assert (result.skipped, result.bad_checksums) == (0, 0)
    assert [p.values["precision_time_stamp"] for p in result.packets] == [
        1_600_000_000_000_000 + i for i in range(5)
    ]


@pytest.mark.parametrize("cut", [1, 2, 10, 17, 20, 30])
def test_truncated_last_packet_is_skipped(cut):
    data = good_packet(0) + good_packet(1)[:-cut]
    result = read_bytes(data)
    assert len(result.packets) == 1
    assert result.skipped == 1


def test_truncated_packet_in_the_middle_does_not_swallow_the_next():
    data = good_packet(0) + good_packet(1)[:25] + good_packet(2)
    result = read_bytes(data)
    assert [p.values["precision_time_stamp"] % 10 for p in result.packets] == [0, 2]
    assert result.skipped == 1


@pytest.mark.parametrize("length_bytes", [b"\x80", b"\x89" + bytes(9), b"\x84\xff\xff\xff\xff"])
def test_bad_ber_length_is_skipped(length_bytes):
    data = KEY + length_bytes + good_packet(1)
    result = read_bytes(data)
    assert len(result.packets) == 1
    assert result.skipped == 1


def test_item_running_past_the_set_is_skipped():
    packet = bytearray(good_packet(0))
    assert packet[17:19] == b"\x02\x08"  # tag 2, 8 bytes
    packet[18] = 0x7F  # the first item now claims 127 bytes
    result = read_bytes(bytes(packet) + good_packet(1))
    assert len(result.packets) == 1
    assert result.skipped == 1


@pytest.mark.parametrize("offset", [-1, -2])
def test_flipped_checksum_bytes(offset):
    packet = bytearray(good_packet(0))
    packet[offset] ^= 0xFF
    result = read_bytes(bytes(packet) + good_packet(1))
    assert [p.checksum_ok for p in result.packets] == [False, True]
    assert result.bad_checksums == 1
    assert result.skipped == 0


def test_flipped_value_byte_fails_the_checksum():
    packet = bytearray(good_packet(0))
    packet[40] ^= 0x01
    (decoded,) = read_bytes(bytes(packet)).packets
    assert decoded.checksum_ok is False


def test_unknown_key_is_skipped_by_its_length():
    other = bytes.fromhex("060E2B34020B01010E01030102000000")  # ST 0102 security set
    data = other + b"\x03abc" + good_packet(0)
    items = list(scan(data))
    assert isinstance(items[0], Skipped)
    assert "unknown key" in items[0].reason
    assert isinstance(items[1], KlvPacket)


def test_junk_key_with_a_long_length_does_not_swallow_packets():
    junk_key = bytes.fromhex("060E2B34FFFFFFFFFFFFFFFFFFFFFFFF")
    data = junk_key + b"\x82\x01\x00" + good_packet(0) + good_packet(1) + bytes(256)
    result = read_bytes(data)
    assert len(result.packets) == 2
    assert result.skipped == 2  # the junk key, then the trailing zeros


def test_junk_between_packets_counts_once_per_run():
    data = b"garbage!" * 10 + good_packet(0) + b"\x00\xff" * 7 + good_packet(1)
    result = read_bytes(data)
    assert len(result.packets) == 2
    assert result.skipped == 2


def test_random_bytes_yield_no_packets():
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(5000))
    result = read_bytes(data)
    assert result.packets == ()
    assert result.skipped >= 1


def test_empty_input():
    result = read_bytes(b"")
    assert (result.packets, result.skipped) == ((), 0)


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    buf = bytearray(data)
    for pos, value in edits:
        if buf:
            buf[pos % len(buf)] = value
    return bytes(buf[: len(buf) - cut % (len(buf) + 1)])


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    st.integers(0, 400),
    st.binary(max_size=64),
)
def test_fuzz_mutated_packets_never_raise(edits, cut, tail):
    data = _mutate(good_packet(0) + good_packet(1) + good_packet(2), edits, cut) + tail
    result = read_bytes(data)
    assert len(result.packets) + result.skipped >= 1 or not data
    for packet in result.packets:
        assert packet.raw_len <= len(data)


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=512))
def test_fuzz_random_bytes_never_raise(data):
    read_bytes(data)
    read_bytes(KEY + data)
    read_bytes(bytes.fromhex("060E2B34020101010E01010201010000") + data)
