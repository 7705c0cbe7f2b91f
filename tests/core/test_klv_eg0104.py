"""MISB EG 0104 universal set: hand-built packets with 16-byte keys per item."""

from __future__ import annotations

import struct

import pytest

from dronewatch.telemetry import EG0104, read_bytes
from dronewatch.telemetry.eg0104 import decode_universal_set
from tests.core.test_klv_st0601 import ber

SET_KEY = bytes.fromhex("060E2B34020101010E01010201010000")
LAT = bytes.fromhex("060E2B34010101030701020102040200")
LON = bytes.fromhex("060E2B34010101030701020102060200")
ALT = bytes.fromhex("060E2B34010101010701020102020000")
TIME = bytes.fromhex("060E2B34010101030702010101050000")
DESIGNATION = bytes.fromhex("060E2B34010101010101200100000000")
CORNER_LAT_1 = bytes.fromhex("060E2B34010101030701020103070100")
CORNER_LON_4 = bytes.fromhex("060E2B340101010307010201030E0100")
HEADING = bytes.fromhex("060E2B34010101070701100106000000")


def build_eg0104(items: list[tuple[bytes, bytes]], set_key: bytes = SET_KEY) -> bytes:
    body = b"".join(key + ber(len(v)) + v for key, v in items)
    return set_key + ber(len(body)) + body


def sample_items() -> list[tuple[bytes, bytes]]:
    return [
        (DESIGNATION, b"ABCD"),
        (TIME, (1221665012027000).to_bytes(8, "big")),
        (LAT, struct.pack(">d", 38.15993)),
        (LON, struct.pack(">d", -77.356214)),
        (ALT, struct.pack(">f", 1984.6)),
        (CORNER_LAT_1, struct.pack(">d", 38.185357699377136)),
        (CORNER_LON_4, struct.pack(">d", -77.35836976871424)),
        (HEADING, struct.pack(">f", 97.9595947265625)),
    ]


def test_decode_hand_built_packet_to_st0601_names():
    data = build_eg0104(sample_items())
    packet = decode_universal_set(data, pts_s=1.5)
    assert packet.standard == EG0104
    assert packet.checksum_ok is None  # EG 0104 has no checksum
    assert packet.pts_s == 1.5
    assert packet.raw_len == len(data)
    v = packet.values
    assert v["platform_designation"] == "ABCD"
    assert v["precision_time_stamp"] == 1221665012027000
    assert v["sensor_latitude"] == 38.15993
    assert v["sensor_longitude"] == -77.356214
    assert v["sensor_true_altitude"] == pytest.approx(1984.6, abs=1e-3)
    assert v["corner_latitude_point_1"] == 38.185357699377136
    assert v["corner_longitude_point_4"] == -77.35836976871424
    assert v["platform_heading_angle"] == pytest.approx(97.9596, abs=1e-4)


def test_item_key_version_byte_is_ignored():
    other_version = bytearray(LAT)
    other_version[7] = 0x01
    packet = decode_universal_set(build_eg0104([(bytes(other_version), struct.pack(">d", 1.25))]))
    assert packet.values == {"sensor_latitude": 1.25}


def test_set_key_with_another_version_byte_is_read():
    key = bytearray(SET_KEY)
    key[7] = 0x03
    result = read_bytes(build_eg0104(sample_items(), bytes(key)))
    assert len(result.packets) == 1
    assert result.packets[0].values["platform_designation"] == "ABCD"


def test_unknown_and_bad_items_are_counted_not_fatal():
    unknown = bytes.fromhex("060E2B340101010101020304050607FF")
    data = build_eg0104([(unknown, b"??"), (LAT, b"\x01\x02\x03"), (LON, struct.pack(">d", 2.5))])
    packet = decode_universal_set(data)
    assert packet.values == {"sensor_longitude": 2.5}
    assert len(packet.undecoded_tags) == 2


def test_nan_float_is_none():
    packet = decode_universal_set(build_eg0104([(LAT, struct.pack(">d", float("nan")))]))
    assert packet.values == {"sensor_latitude": None}


def test_truncated_item_is_skipped_by_reader():
    data = build_eg0104(sample_items())
    broken = bytearray(data)
    broken[16] -= 3  # set length now ends inside the last item
    result = read_bytes(bytes(broken) + data)
    assert len(result.packets) == 1
    assert result.skipped == 1
