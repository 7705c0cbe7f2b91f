"""MISB ST 0601 UAS Datalink Local Set: the tag table, value scaling and checksum.

Written from the standard (MISB ST 0601, tag table and "Mapping" formulas; ST 1201 for
the IMAPB items), not from a library: see the package docstring for why.

Scaling (ST 0601 §8):

* unsigned ``n``-byte item over ``[lo, hi]``: ``lo + raw * (hi - lo) / (2**(8n) - 1)``;
* signed ``n``-byte item over ``[-s, s]``: ``raw * 2s / (2**(8n) - 2)``; the most
  negative raw value (``0x80...``) is the standard's "reserved / out of range" marker
  and decodes to ``None``;
* IMAPB items (ST 1201, variable length) over ``[a, b]``: see :func:`imapb_decode`;
  any value with its top bit set is one of ST 1201's special values (infinity, NaN,
  "out of range") and decodes to ``None``;
* times (tags 2, 72, 131) are microseconds since 1970-01-01 UTC, kept as ``int``.

Checksum (tag 1, ST 0601 §6.5): a 16-bit running sum of every byte from the first byte
of the 16-byte key up to and including the checksum's own tag and length bytes, each
byte added to the high half when its index is even and to the low half when odd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dronewatch.telemetry.ber import KlvError, decode_length, decode_oid
from dronewatch.telemetry.packet import ST0601, KlvPacket

#: The UAS Datalink Local Set's 16-byte universal key.
UAS_LOCAL_SET_KEY = bytes.fromhex("060E2B34020B01010E01030101000000")
CHECKSUM_TAG = 1

Kind = Literal["uint", "int", "text", "imapb", "plain_uint", "plain_int"]


@dataclass(frozen=True)
class TagSpec:
    """How to decode one ST 0601 item."""

    tag: int
    name: str
    kind: Kind
    size: int = 0
    """Nominal length in bytes for ``uint``/``int`` mapped items (0: any)."""
    lo: float = 0.0
    hi: float = 0.0


def _u(tag: int, name: str, size: int, lo: float, hi: float) -> TagSpec:
    return TagSpec(tag, name, "uint", size, lo, hi)


def _s(tag: int, name: str, size: int, span: float) -> TagSpec:
    return TagSpec(tag, name, "int", size, -span, span)


def _t(tag: int, name: str) -> TagSpec:
    return TagSpec(tag, name, "text")


def _p(tag: int, name: str, signed: bool = False) -> TagSpec:
    return TagSpec(tag, name, "plain_int" if signed else "plain_uint")


def _i(tag: int, name: str, lo: float, hi: float) -> TagSpec:
    return TagSpec(tag, name, "imapb", 0, lo, hi)


ALT_LO, ALT_HI = -900.0, 19000.0
ALT_EXT_LO, ALT_EXT_HI = -900.0, 40000.0

_SPECS: tuple[TagSpec, ...] = (
    _p(2, "precision_time_stamp"),
    _t(3, "mission_id"),
    _t(4, "platform_tail_number"),
    _u(5, "platform_heading_angle", 2, 0, 360),
    _s(6, "platform_pitch_angle", 2, 20),
    _s(7, "platform_roll_angle", 2, 50),
    _p(8, "platform_true_airspeed"),
    _p(9, "platform_indicated_airspeed"),
    _t(10, "platform_designation"),
    _t(11, "image_source_sensor"),
    _t(12, "image_coordinate_system"),
    _s(13, "sensor_latitude", 4, 90),
    _s(14, "sensor_longitude", 4, 180),
    _u(15, "sensor_true_altitude", 2, ALT_LO, ALT_HI),
    _u(16, "sensor_horizontal_fov", 2, 0, 180),
    _u(17, "sensor_vertical_fov", 2, 0, 180),
    _u(18, "sensor_relative_azimuth_angle", 4, 0, 360),
    _s(19, "sensor_relative_elevation_angle", 4, 180),
    _u(20, "sensor_relative_roll_angle", 4, 0, 360),
    _u(21, "slant_range", 4, 0, 5_000_000),
    _u(22, "target_width", 2, 0, 10_000),
    _s(23, "frame_center_latitude", 4, 90),
    _s(24, "frame_center_longitude", 4, 180),
    _u(25, "frame_center_elevation", 2, ALT_LO, ALT_HI),
    _s(26, "offset_corner_latitude_point_1", 2, 0.075),
    _s(27, "offset_corner_longitude_point_1", 2, 0.075),
    _s(28, "offset_corner_latitude_point_2", 2, 0.075),
    _s(29, "offset_corner_longitude_point_2", 2, 0.075),
    _s(30, "offset_corner_latitude_point_3", 2, 0.075),
    _s(31, "offset_corner_longitude_point_3", 2, 0.075),
    _s(32, "offset_corner_latitude_point_4", 2, 0.075),
    _s(33, "offset_corner_longitude_point_4", 2, 0.075),
    _p(34, "icing_detected"),
    _u(35, "wind_direction", 2, 0, 360),
    _u(36, "wind_speed", 1, 0, 100),
    _u(37, "static_pressure", 2, 0, 5000),
    _u(38, "density_altitude", 2, ALT_LO, ALT_HI),
    _p(39, "outside_air_temperature", signed=True),
    _s(40, "target_location_latitude", 4, 90),
    _s(41, "target_location_longitude", 4, 180),
    _u(42, "target_location_elevation", 2, ALT_LO, ALT_HI),
    _u(43, "target_track_gate_width", 1, 0, 510),
    _u(44, "target_track_gate_height", 1, 0, 510),
    _u(45, "target_error_estimate_ce90", 2, 0, 4095),
    _u(46, "target_error_estimate_le90", 2, 0, 4095),
    _p(47, "generic_flag_data"),
    _u(49, "differential_pressure", 2, 0, 5000),
    _s(50, "platform_angle_of_attack", 2, 20),
    _s(51, "platform_vertical_speed", 2, 180),
    _s(52, "platform_sideslip_angle", 2, 20),
    _u(53, "airfield_barometric_pressure", 2, 0, 5000),
    _u(54, "airfield_elevation", 2, ALT_LO, ALT_HI),
    _u(55, "relative_humidity", 1, 0, 100),
    _p(56, "platform_ground_speed"),
    _u(57, "ground_range", 4, 0, 5_000_000),
    _u(58, "platform_fuel_remaining", 2, 0, 10_000),
    _t(59, "platform_call_sign"),
    _p(60, "weapon_load"),
    _p(61, "weapon_fired"),
    _p(62, "laser_prf_code"),
    _p(63, "sensor_field_of_view_name"),
    _u(64, "platform_magnetic_heading", 2, 0, 360),
    _p(65, "uas_ls_version_number"),
    _s(67, "alternate_platform_latitude", 4, 90),
    _s(68, "alternate_platform_longitude", 4, 180),
    _u(69, "alternate_platform_altitude", 2, ALT_LO, ALT_HI),
    _t(70, "alternate_platform_name"),
    _u(71, "alternate_platform_heading", 2, 0, 360),
    _p(72, "event_start_time_utc"),
    _u(75, "sensor_ellipsoid_height", 2, ALT_LO, ALT_HI),
    _u(76, "alternate_platform_ellipsoid_height", 2, ALT_LO, ALT_HI),
    _p(77, "operational_mode"),
    _u(78, "frame_center_height_above_ellipsoid", 2, ALT_LO, ALT_HI),
    _s(79, "sensor_north_velocity", 2, 327),
    _s(80, "sensor_east_velocity", 2, 327),
    _s(82, "corner_latitude_point_1", 4, 90),
    _s(83, "corner_longitude_point_1", 4, 180),
    _s(84, "corner_latitude_point_2", 4, 90),
    _s(85, "corner_longitude_point_2", 4, 180),
    _s(86, "corner_latitude_point_3", 4, 90),
    _s(87, "corner_longitude_point_3", 4, 180),
    _s(88, "corner_latitude_point_4", 4, 90),
    _s(89, "corner_longitude_point_4", 4, 180),
    _s(90, "platform_pitch_angle_full", 4, 90),
    _s(91, "platform_roll_angle_full", 4, 90),
    _s(92, "platform_angle_of_attack_full", 4, 90),
    _s(93, "platform_sideslip_angle_full", 4, 180),
    _i(96, "target_width_extended", 0, 1_500_000),
    _i(103, "density_altitude_extended", ALT_EXT_LO, ALT_EXT_HI),
    _i(104, "sensor_ellipsoid_height_extended", ALT_EXT_LO, ALT_EXT_HI),
    _i(105, "alternate_platform_ellipsoid_height_extended", ALT_EXT_LO, ALT_EXT_HI),
    _t(106, "stream_designator"),
    _t(107, "operational_base"),
    _t(108, "broadcast_source"),
    _i(109, "range_to_recovery_location", 0, 21_000),
    _p(110, "time_airborne"),
    _p(111, "propulsion_unit_speed"),
    _i(112, "platform_course_angle", 0, 360),
    _i(113, "altitude_above_ground_level", ALT_EXT_LO, ALT_EXT_HI),
    _i(114, "radar_altimeter", ALT_EXT_LO, ALT_EXT_HI),
    _i(117, "sensor_azimuth_rate", -1000, 1000),
    _i(118, "sensor_elevation_rate", -1000, 1000),
    _i(119, "sensor_roll_rate", -1000, 1000),
    _i(120, "onboard_mi_storage_percent_full", 0, 100),
    _p(123, "number_of_navsats_in_view"),
    _p(124, "positioning_method_source"),
    _p(125, "platform_status"),
    _p(126, "sensor_control_mode"),
    _t(129, "target_id"),
    _p(131, "take_off_time"),
    _i(132, "transmission_frequency", 1, 99_999),
    _p(133, "onboard_mi_storage_capacity"),
    _i(134, "zoom_percentage", 0, 100),
    _t(135, "communications_method"),
    _p(136, "leap_seconds", signed=True),
    _p(137, "correction_offset", signed=True),
)

#: Every decoded ST 0601 tag, by tag number.
TAGS: dict[int, TagSpec] = {spec.tag: spec for spec in _SPECS}
#: Tag number by snake_case name.
TAG_BY_NAME: dict[str, int] = {spec.name: spec.tag for spec in _SPECS}


def checksum(data: bytes) -> int:
    """ST 0601's 16-bit checksum of ``data`` (the packet from its key up to and
    including the checksum tag and length bytes)."""
    total = 0
    for i, byte in enumerate(data):
        total += byte << 8 if i % 2 == 0 else byte
    return total & 0xFFFF


def imapb_params(lo: float, hi: float, size: int) -> tuple[float, float, float]:
    """ST 1201 IMAPB constants ``(sF, sR, zOffset)`` for ``[lo, hi]`` in ``size`` bytes."""
    b_pow = math.ceil(math.log2(hi - lo))
    d_pow = 8 * size - 1
    s_f = 2.0 ** (d_pow - b_pow)
    s_r = 2.0 ** (b_pow - d_pow)
    z_offset = 0.0
    if lo < 0 and s_f * lo != math.floor(s_f * lo):
        # Shifts the grid so that 0.0 maps onto an exact integer (ST 1201 §8.1.2).
        z_offset = s_f * lo - math.floor(s_f * lo)
    return s_f, s_r, z_offset


def imapb_decode(raw: bytes, lo: float, hi: float) -> float | None:
    """ST 1201 reverse map of an IMAPB value; ``None`` for special values (top bit set)."""
    if not raw or raw[0] & 0x80:
        return None
    _, s_r, z_offset = imapb_params(lo, hi, len(raw))
    return s_r * (int.from_bytes(raw, "big") - z_offset) + lo


def imapb_encode(value: float, lo: float, hi: float, size: int) -> bytes:
    """ST 1201 forward map of ``value`` into ``size`` bytes (for tests and tools)."""
    s_f, _, z_offset = imapb_params(lo, hi, size)
    return math.floor(s_f * (value - lo) + z_offset).to_bytes(size, "big")


def decode_value(spec: TagSpec, raw: bytes) -> object:
    """Decode one item's value bytes. Raises :class:`KlvError` on a wrong-sized value."""
    kind = spec.kind
    if kind == "text":
        return raw.decode("utf-8", errors="replace").rstrip("\x00")
    if kind in ("plain_uint", "plain_int"):
        if not raw or len(raw) > 8:
            raise KlvError(f"tag {spec.tag}: {len(raw)}-byte integer")
        return int.from_bytes(raw, "big", signed=kind == "plain_int")
    if kind == "imapb":
        if not raw or len(raw) > 8:
            raise KlvError(f"tag {spec.tag}: {len(raw)}-byte IMAPB value")
        return imapb_decode(raw, spec.lo, spec.hi)
    if len(raw) != spec.size:
        raise KlvError(f"tag {spec.tag}: {len(raw)} bytes, expected {spec.size}")
    bits = 8 * spec.size
    if kind == "uint":
        return spec.lo + int.from_bytes(raw, "big") * (spec.hi - spec.lo) / (2**bits - 1)
    value = int.from_bytes(raw, "big", signed=True)
    if value == -(2 ** (bits - 1)):
        return None
    return value * (spec.hi - spec.lo) / (2**bits - 2)


def decode_local_set(packet: bytes, pts_s: float | None = None) -> KlvPacket:
    """Decode one whole UAS Datalink LS packet (key, length, value) into a KlvPacket.

    Raises :class:`KlvError` when the packet is structurally broken (truncated, an item
    running past the end). A checksum mismatch does not raise: it is reported in
    ``checksum_ok``. An unknown or wrong-sized item is listed in ``undecoded_tags``.
    """
    if not packet.startswith(UAS_LOCAL_SET_KEY):
        raise KlvError("not a UAS Datalink Local Set key")
    length, pos = decode_length(packet, len(UAS_LOCAL_SET_KEY))
    end = pos + length
    if end > len(packet):
        raise KlvError("truncated packet")
    values: dict[str, object] = {}
    undecoded: list[int] = []
    checksum_ok = False
    while pos < end:
        tag, pos = decode_oid(packet, pos)
        item_len, pos = decode_length(packet, pos)
        if pos + item_len > end:
            raise KlvError(f"tag {tag} runs past the end of the packet")
        raw = packet[pos : pos + item_len]
        pos += item_len
        if tag == CHECKSUM_TAG:
            # Valid only as the last item, two bytes, summing everything before it.
            checksum_ok = (
                item_len == 2
                and pos == end
                and checksum(packet[: pos - item_len]) == int.from_bytes(raw, "big")
            )
            continue
        spec = TAGS.get(tag)
        if spec is None:
            undecoded.append(tag)
            continue
        try:
            values[spec.name] = decode_value(spec, raw)
        except KlvError:
            undecoded.append(tag)
    return KlvPacket(
        values=values,
        checksum_ok=checksum_ok,
        pts_s=pts_s,
        raw_len=end,
        standard=ST0601,
        undecoded_tags=tuple(undecoded),
    )
