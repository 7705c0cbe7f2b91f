"""MISB EG 0104 "Predator UAV Basic Universal Set": the older format with a full
16-byte SMPTE key per item.

Items are matched on their key with the version byte (index 7) ignored, because
encoders stamp different SMPTE dictionary versions on the same item. Values are IEEE
floats (4 or 8 bytes), text, or (the time stamp) an unsigned microsecond count since
1970-01-01 UTC. Items with an ST 0601 counterpart take the ST 0601 snake_case name, so a
caller reads ``sensor_latitude`` whichever standard the feed speaks; "angle to north",
"obliquity angle" and the start date-time have none and keep their EG 0104 names.
"""

from __future__ import annotations

import math
import struct

from dronewatch.telemetry.ber import KlvError, decode_length
from dronewatch.telemetry.packet import EG0104, KlvPacket

#: The Predator UAV Basic Universal Set key (EG 0104).
UNIVERSAL_SET_KEY = bytes.fromhex("060E2B34020101010E01010201010000")
_VERSION_BYTE = 7


def is_set_key(key: bytes) -> bool:
    """Whether ``key`` is the EG 0104 set key, whatever its version byte."""
    return (
        len(key) == 16
        and key[:_VERSION_BYTE] == UNIVERSAL_SET_KEY[:_VERSION_BYTE]
        and key[_VERSION_BYTE + 1 :] == UNIVERSAL_SET_KEY[_VERSION_BYTE + 1 :]
    )


def _key(hex_key: str) -> bytes:
    key = bytearray(bytes.fromhex(hex_key))
    key[_VERSION_BYTE] = 0
    return bytes(key)


#: Item key (version byte zeroed) -> (name, kind) where kind is float, text or uint.
ITEMS: dict[bytes, tuple[str, str]] = {
    _key("060E2B34010101030702010101050000"): ("precision_time_stamp", "uint"),
    _key("060E2B34010101010105050000000000"): ("mission_id", "text"),
    _key("060E2B34010101010101200100000000"): ("platform_designation", "text"),
    _key("060E2B34010101010420010201010000"): ("image_source_sensor", "text"),
    _key("060E2B34010101010701010100000000"): ("image_coordinate_system", "text"),
    _key("060E2B34010101030701020102040200"): ("sensor_latitude", "float"),
    _key("060E2B34010101030701020102060200"): ("sensor_longitude", "float"),
    _key("060E2B34010101010701020102020000"): ("sensor_true_altitude", "float"),
    _key("060E2B34010101070701100106000000"): ("platform_heading_angle", "float"),
    _key("060E2B34010101070701100105000000"): ("platform_pitch_angle", "float"),
    _key("060E2B34010101070701100104000000"): ("platform_roll_angle", "float"),
    _key("060E2B34010101020420020101080000"): ("sensor_horizontal_fov", "float"),
    _key("060E2B340101010704200201010A0100"): ("sensor_vertical_fov", "float"),
    _key("060E2B34010101010701100101000000"): ("sensor_relative_roll_angle", "float"),
    _key("060E2B34010101010701100102000000"): ("angle_to_north", "float"),
    _key("060E2B34010101010701100103000000"): ("obliquity_angle", "float"),
    _key("060E2B34010101010701080101000000"): ("slant_range", "float"),
    _key("060E2B34010101010701090201000000"): ("target_width", "float"),
    _key("060E2B34010101010701020103020000"): ("frame_center_latitude", "float"),
    _key("060E2B34010101010701020103040000"): ("frame_center_longitude", "float"),
    _key("060E2B340101010A0701020103160000"): ("frame_center_elevation", "float"),
    _key("060E2B34010101030701020103070100"): ("corner_latitude_point_1", "float"),
    _key("060E2B340101010307010201030B0100"): ("corner_longitude_point_1", "float"),
    _key("060E2B34010101030701020103080100"): ("corner_latitude_point_2", "float"),
    _key("060E2B340101010307010201030C0100"): ("corner_longitude_point_2", "float"),
    _key("060E2B34010101030701020103090100"): ("corner_latitude_point_3", "float"),
    _key("060E2B340101010307010201030D0100"): ("corner_longitude_point_3", "float"),
    _key("060E2B340101010307010201030A0100"): ("corner_latitude_point_4", "float"),
    _key("060E2B340101010307010201030E0100"): ("corner_longitude_point_4", "float"),
    _key("060E2B34010101010702010201010000"): ("start_date_time_utc", "text"),
    _key("060E2B34010101010702010207010000"): ("event_start_date_time_utc", "text"),
}


def _decode(kind: str, raw: bytes) -> object:
    if kind == "text":
        return raw.decode("utf-8", errors="replace").rstrip("\x00")
    if kind == "uint":
        if not 1 <= len(raw) <= 8:
            raise KlvError(f"{len(raw)}-byte integer")
        return int.from_bytes(raw, "big")
    if len(raw) == 8:
        return struct.unpack(">d", raw)[0]
    if len(raw) == 4:
        return struct.unpack(">f", raw)[0]
    raise KlvError(f"{len(raw)}-byte float")


def decode_universal_set(packet: bytes, pts_s: float | None = None) -> KlvPacket:
    """Decode one whole EG 0104 universal-set packet into a KlvPacket.

    Raises :class:`KlvError` when the set is truncated or an item runs past its end;
    unknown items are skipped (their count lands in ``undecoded_tags`` as 0s, since
    universal keys have no tag number).
    """
    if not is_set_key(packet[:16]):
        raise KlvError("not an EG 0104 universal set key")
    length, pos = decode_length(packet, len(UNIVERSAL_SET_KEY))
    end = pos + length
    if end > len(packet):
        raise KlvError("truncated packet")
    values: dict[str, object] = {}
    undecoded = 0
    while pos < end:
        if pos + 16 > end:
            raise KlvError("truncated item key")
        key = bytearray(packet[pos : pos + 16])
        key[_VERSION_BYTE] = 0
        item_len, pos = decode_length(packet, pos + 16)
        if pos + item_len > end:
            raise KlvError("item runs past the end of the packet")
        raw = packet[pos : pos + item_len]
        pos += item_len
        item = ITEMS.get(bytes(key))
        if item is None:
            undecoded += 1
            continue
        name, kind = item
        try:
            value = _decode(kind, raw)
        except KlvError:
            undecoded += 1
            continue
        if isinstance(value, float) and not math.isfinite(value):  # NaN/inf: no value
            value = None
        values[name] = value
    return KlvPacket(
        values=values,
        checksum_ok=None,
        pts_s=pts_s,
        raw_len=end,
        standard=EG0104,
        undecoded_tags=(0,) * undecoded,
    )
