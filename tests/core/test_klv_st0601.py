"""MISB ST 0601 tag by tag: values encoded here from the standard's formulas (and the
standard's own worked examples) and decoded back; the checksum of a hand-built packet.

The encoders below are written from the standard independently of the decoder under
test; other KLV test modules import them to build packets.
"""

from __future__ import annotations

import math

import pytest

from dronewatch.telemetry import ST0601, read_bytes
from dronewatch.telemetry.st0601 import (
    TAG_BY_NAME,
    TAGS,
    UAS_LOCAL_SET_KEY,
    checksum,
    decode_local_set,
    imapb_decode,
    imapb_encode,
)

KEY = bytes.fromhex("060E2B34020B01010E01030101000000")


def ber(n: int) -> bytes:
    """BER length, written out from SMPTE 336 for the tests."""
    if n < 128:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def oid(tag: int) -> bytes:
    """BER-OID tag: 7 bits a byte, most significant first, high bit on all but the last."""
    out = [tag & 0x7F]
    while tag > 0x7F:
        tag >>= 7
        out.insert(0, 0x80 | (tag & 0x7F))
    return bytes(out)


def running_sum(data: bytes) -> int:
    """ST 0601 §6.5 checksum: even-indexed bytes into the high byte, odd into the low."""
    total = 0
    for i, b in enumerate(data):
        total = (total + (b << 8 if i % 2 == 0 else b)) & 0xFFFF
    return total


def build_st0601(items: list[tuple[int, bytes]], *, long_length: bool = False) -> bytes:
    """A UAS Datalink LS packet from ``(tag, value bytes)`` items, with a correct
    checksum as its last item."""
    body = b"".join(oid(tag) + ber(len(v)) + v for tag, v in items) + b"\x01\x02"
    length = len(body) + 2
    head = KEY + (bytes([0x82]) + length.to_bytes(2, "big") if long_length else ber(length))
    data = head + body
    return data + running_sum(data).to_bytes(2, "big")


def enc_uint(x: float, size: int, lo: float, hi: float) -> bytes:
    """ST 0601 unsigned mapping: LS = round((x - lo) * (2^n - 1) / (hi - lo))."""
    return round((x - lo) * (2 ** (8 * size) - 1) / (hi - lo)).to_bytes(size, "big")


def enc_int(x: float, size: int, span: float) -> bytes:
    """ST 0601 signed mapping over [-span, span]: LS = round(x * (2^n - 2) / (2 span))."""
    return round(x * (2 ** (8 * size) - 2) / (2 * span)).to_bytes(size, "big", signed=True)


def decode_one(tag: int, value: bytes) -> object:
    packet = decode_local_set(build_st0601([(tag, value)]))
    assert packet.checksum_ok is True
    assert packet.undecoded_tags == ()
    return packet.values[TAGS[tag].name]


# (tag, name, physical value, encoded bytes, decoding tolerance = 1 LSB)
def _u(tag, name, x, size, lo, hi):
    return (tag, name, x, enc_uint(x, size, lo, hi), (hi - lo) / (2 ** (8 * size) - 1))


def _s(tag, name, x, size, span):
    return (tag, name, x, enc_int(x, size, span), 2 * span / (2 ** (8 * size) - 2))


MAPPED = [
    _u(5, "platform_heading_angle", 159.9744, 2, 0, 360),
    _s(6, "platform_pitch_angle", -0.4315251, 2, 20),
    _s(7, "platform_roll_angle", 3.405814, 2, 50),
    _s(13, "sensor_latitude", 60.17682296, 4, 90),
    _s(14, "sensor_longitude", 128.42675904, 4, 180),
    _u(15, "sensor_true_altitude", 14190.72, 2, -900, 19000),
    _u(16, "sensor_horizontal_fov", 144.5713, 2, 0, 180),
    _u(17, "sensor_vertical_fov", 152.6436, 2, 0, 180),
    _u(18, "sensor_relative_azimuth_angle", 160.71921147, 4, 0, 360),
    _s(19, "sensor_relative_elevation_angle", -168.79232483, 4, 180),
    _u(20, "sensor_relative_roll_angle", 176.86543612, 4, 0, 360),
    _u(21, "slant_range", 68590.98, 4, 0, 5_000_000),
    _u(22, "target_width", 722.8199, 2, 0, 10_000),
    _s(23, "frame_center_latitude", -10.54238863, 4, 90),
    _s(24, "frame_center_longitude", 29.15789012, 4, 180),
    _u(25, "frame_center_elevation", 3216.037, 2, -900, 19000),
    *(
        _s(26 + i, f"offset_corner_{ax}_point_{i // 2 + 1}", v, 2, 0.075)
        for i, (ax, v) in enumerate(
            [("latitude", 0.0136), ("longitude", -0.0243)] * 2
            + [("latitude", -0.0749), ("longitude", 0.0749)] * 2
        )
    ),
    _u(35, "wind_direction", 314.18, 2, 0, 360),
    _u(36, "wind_speed", 15.5, 1, 0, 100),
    _u(37, "static_pressure", 1013.25, 2, 0, 5000),
    _u(38, "density_altitude", 2150.0, 2, -900, 19000),
    _s(40, "target_location_latitude", -79.16385, 4, 90),
    _s(41, "target_location_longitude", 166.40081, 4, 180),
    _u(42, "target_location_elevation", 18389.05, 2, -900, 19000),
    _u(43, "target_track_gate_width", 6, 1, 0, 510),
    _u(45, "target_error_estimate_ce90", 425.215, 2, 0, 4095),
    _s(50, "platform_angle_of_attack", -8.670177, 2, 20),
    _s(51, "platform_vertical_speed", -61.88787, 2, 180),
    _u(55, "relative_humidity", 50.58824, 1, 0, 100),
    _u(57, "ground_range", 3506979.0316, 4, 0, 5_000_000),
    _u(58, "platform_fuel_remaining", 6420.539, 2, 0, 10_000),
    _u(64, "platform_magnetic_heading", 311.8, 2, 0, 360),
    _s(67, "alternate_platform_latitude", -86.041207348947, 4, 90),
    _s(68, "alternate_platform_longitude", 0.155527554524842, 4, 180),
    _u(69, "alternate_platform_altitude", 9.445334, 2, -900, 19000),
    _u(71, "alternate_platform_heading", 32.60242, 2, 0, 360),
    _u(75, "sensor_ellipsoid_height", 14190.72, 2, -900, 19000),
    _u(78, "frame_center_height_above_ellipsoid", 9.445334, 2, -900, 19000),
    _s(79, "sensor_north_velocity", 25.4977569, 2, 327),
    _s(80, "sensor_east_velocity", 25.4977569, 2, 327),
    *(
        _s(82 + i, f"corner_{ax}_point_{i // 2 + 1}", v, 4, 90 if ax == "latitude" else 180)
        for i, (ax, v) in enumerate(
            [("latitude", -10.579637999887), ("longitude", 29.1273677986333)] * 4
        )
    ),
    _s(90, "platform_pitch_angle_full", -0.4315251, 4, 90),
    _s(91, "platform_roll_angle_full", 3.405814, 4, 90),
    _s(92, "platform_angle_of_attack_full", -8.670177, 4, 90),
    _s(93, "platform_sideslip_angle_full", -47.683, 4, 180),
]


@pytest.mark.parametrize(("tag", "name", "value", "raw", "lsb"), MAPPED, ids=lambda x: str(x))
def test_mapped_tag_round_trips_within_one_step(tag, name, value, raw, lsb):
    assert TAG_BY_NAME[name] == tag
    decoded = decode_one(tag, raw)
    assert isinstance(decoded, float)
    assert decoded == pytest.approx(value, abs=lsb)


# Worked examples from ST 0601's tag table (value, encoded bytes as printed there).
STANDARD_EXAMPLES = [
    (5, "71C2", 159.9744, 0.0055),
    (6, "FD3D", -0.4315251, 0.0007),
    (7, "08B8", 3.405814, 0.0016),
    (13, "5595B66D", 60.17682296, 1e-7),
    (14, "5B5360C4", 128.42675904, 1e-7),
    (15, "C221", 14190.72, 0.31),
    (16, "CD9C", 144.5713, 0.003),
    (17, "D917", 152.6436, 0.003),
    (18, "724A0A20", 160.71921147, 1e-7),
    (19, "87F84B86", -168.79232483, 1e-7),
    (21, "03830926", 68590.98, 0.005),  # printed to 2 decimals
    (22, "1281", 722.8199, 0.16),
    (23, "F101A229", -10.54238863, 1e-7),
    (24, "14BC082B", 29.15789012, 1e-7),
    (25, "34F3", 3216.037, 0.31),
]


@pytest.mark.parametrize(("tag", "hex_value", "value", "tol"), STANDARD_EXAMPLES)
def test_standard_worked_examples(tag, hex_value, value, tol):
    assert decode_one(tag, bytes.fromhex(hex_value)) == pytest.approx(value, abs=tol)


def test_precision_time_stamp_is_integer_microseconds():
    # ST 0601's example: 2008-10-24 00:13:29.913 UTC.
    value = decode_one(2, bytes.fromhex("000459F4A6AA4AA8"))
    assert value == 1_224_807_209_913_000
    assert isinstance(value, int)


@pytest.mark.parametrize(
    ("tag", "raw", "expected"),
    [
        (3, b"MISSION01", "MISSION01"),
        (4, b"AF-101", "AF-101"),
        (10, b"MQ1-B", "MQ1-B"),
        (11, b"EO", "EO"),
        (12, b"Geodetic WGS84", "Geodetic WGS84"),
        (59, b"TOP GUN", "TOP GUN"),
        (4, b"", ""),
        (8, bytes([147]), 147),
        (39, bytes([0xFB]), -5),  # outside air temperature is a signed byte
        (47, bytes([0x31]), 0x31),
        (56, bytes([140]), 140),
        (65, bytes([19]), 19),
        (72, (1_224_807_209_913_000).to_bytes(8, "big"), 1_224_807_209_913_000),
        (110, (2345).to_bytes(3, "big"), 2345),  # variable-length uint
    ],
)
def test_text_and_integer_tags(tag, raw, expected):
    assert decode_one(tag, raw) == expected


@pytest.mark.parametrize(
    ("tag", "size"),
    [(6, 2), (7, 2), (13, 4), (14, 4), (19, 4), (23, 4), (24, 4), (26, 2), (40, 4), (82, 4)],
)
def test_signed_error_value_decodes_to_none(tag, size):
    # ST 0601: the most negative value (0x80..00) is "reserved / out of range".
    error = (0x80).to_bytes(1, "big") + bytes(size - 1)
    packet = decode_local_set(build_st0601([(tag, error)]))
    assert packet.values[TAGS[tag].name] is None


@pytest.mark.parametrize(
    ("tag", "lo", "hi", "size", "value"),
    [
        (96, 0, 1_500_000, 3, 13898.5463),
        (103, -900, 40000, 3, 23456.24),
        (112, 0, 360, 2, 29.5),
        (113, -900, 40000, 3, 2150.0),
        (117, -1000, 1000, 2, -12.5),
        (120, 0, 100, 2, 50.0),
        (134, 0, 100, 2, 0.0),
    ],
)
def test_imapb_tags_round_trip(tag, lo, hi, size, value):
    # ST 1201 forward map written out here: bPow = ceil(log2(b - a)), dPow = 8L - 1,
    # sF = 2^(dPow - bPow); y = floor(sF (x - a) + zOffset); a step is 1/sF.
    b_pow = math.ceil(math.log2(hi - lo))
    s_f = 2.0 ** (8 * size - 1 - b_pow)
    raw = math.floor(s_f * (value - lo)).to_bytes(size, "big")
    assert raw == imapb_encode(value, lo, hi, size)
    assert decode_one(tag, raw) == pytest.approx(value, abs=1 / s_f)
    assert imapb_decode(raw, lo, hi) == pytest.approx(value, abs=1 / s_f)


def test_imapb_special_value_is_none():
    assert decode_one(112, bytes([0xC8, 0x00])) is None  # top bit set: ST 1201 special


def test_checksum_of_a_hand_built_packet():
    # Key, length 4, then only the checksum item: sum over key + 0x04 + 0x01 0x02.
    head = KEY + bytes([4, 0x01, 0x02])
    expected = 0
    for i, b in enumerate(head):
        expected += b * 256 if i % 2 == 0 else b
    expected &= 0xFFFF
    assert checksum(head) == expected == running_sum(head)
    packet = decode_local_set(head + expected.to_bytes(2, "big"))
    assert packet.checksum_ok is True
    assert packet.values == {}
    assert packet.raw_len == len(head) + 2
    assert packet.standard == ST0601


def test_flipped_checksum_is_reported_not_fatal():
    good = build_st0601([(2, (1).to_bytes(8, "big")), (65, bytes([19]))])
    bad = good[:-1] + bytes([good[-1] ^ 0x01])
    result = read_bytes(bad + good)
    assert [p.checksum_ok for p in result.packets] == [False, True]
    assert result.bad_checksums == 1
    assert result.skipped == 0
    assert result.packets[0].values["uas_ls_version_number"] == 19


def test_missing_checksum_is_not_ok():
    body = bytes([65, 1, 19])
    packet = decode_local_set(KEY + ber(len(body)) + body)
    assert packet.checksum_ok is False
    assert packet.values == {"uas_ls_version_number": 19}


def test_long_form_packet_length_and_many_items():
    items = [(3, b"M" * 120), (4, b"T" * 100), (65, bytes([19]))]
    data = build_st0601(items, long_length=True)
    assert data[16] == 0x82
    packet = decode_local_set(data)
    assert packet.checksum_ok is True
    assert packet.values["mission_id"] == "M" * 120
    assert packet.raw_len == len(data)


def test_unknown_and_wrong_sized_tags_are_listed_not_fatal():
    data = build_st0601([(48, b"\x01\x01\x01"), (5, b"\x12"), (127, b"xyz"), (56, b"\x10")])
    packet = decode_local_set(data)
    assert packet.checksum_ok is True
    assert packet.undecoded_tags == (48, 5, 127)
    assert packet.values == {"platform_ground_speed": 16}


@pytest.mark.parametrize(("tag", "encoded"), [(1, "01"), (127, "7F"), (128, "8100"), (134, "8106")])
def test_test_oid_encoder_matches_ber_oid(tag, encoded):
    assert oid(tag).hex().upper() == encoded


def test_every_table_name_is_snake_case_and_unique():
    names = [spec.name for spec in TAGS.values()]
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n for n in names)
    assert UAS_LOCAL_SET_KEY == KEY
    required = {2, 3, 4, 5, 6, 7, 10, 11, 12, *range(13, 34), 40, 41, 42, 56, 65}
    assert required | set(range(82, 90)) <= set(TAGS)
