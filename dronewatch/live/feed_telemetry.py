"""A feed's telemetry (MISB KLV) by video time, for the HUD and the map."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.telemetry import KlvError, KlvPacket, read_container
from dronewatch.telemetry.container import NoDataStreamError

MAX_AGE_S = 2.0  # a packet older than this at a frame says nothing about that frame
CORNERS = tuple((f"corner_latitude_point_{i}", f"corner_longitude_point_{i}") for i in range(1, 5))


@dataclass(frozen=True)
class FeedTelemetry:
    """KLV packets of one video on its own clock (seconds from the first video frame)."""

    times: list[float]
    packets: list[KlvPacket]
    skipped: int = 0
    track: list[tuple[float, float]] = field(default_factory=list)  # sensor lat, lon

    def at(self, time_s: float) -> KlvPacket | None:
        """The latest packet at or before ``time_s`` (None if none recent)."""
        i = bisect.bisect_right(self.times, time_s + 1e-6) - 1
        if i < 0 or time_s - self.times[i] > MAX_AGE_S:
            return None
        return self.packets[i]


def _video_start_s(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.start_time is None or stream.time_base is None:
            return 0.0
        return float(stream.start_time * stream.time_base)


def load_feed_telemetry(path: str | Path) -> FeedTelemetry | None:
    """The KLV of a video file's data stream, or None when it carries none."""
    path = Path(path)
    import av

    try:
        result = read_container(path)
        start = _video_start_s(path)
    except (DroneWatchError, NoDataStreamError, KlvError, OSError, av.error.FFmpegError):
        return None  # no telemetry is normal (most clips carry none); bad files fail elsewhere
    packets = [p for p in result.packets if p.pts_s is not None]
    if not packets:
        return None
    packets.sort(key=lambda p: p.pts_s or 0.0)
    track = [
        (float(p.values["sensor_latitude"]), float(p.values["sensor_longitude"]))  # type: ignore[arg-type]
        for p in packets
        if p.values.get("sensor_latitude") is not None
        and p.values.get("sensor_longitude") is not None
    ]
    return FeedTelemetry(
        [float(p.pts_s or 0.0) - start for p in packets], packets, int(result.skipped), track
    )


def footprint(
    packet: KlvPacket, width: int = 0, height: int = 0
) -> list[tuple[float, float]] | None:
    """The frame's four ground corners (lat, lon): from the packet's corner points, else
    (given the frame size) from sensor position, attitude and fields of view."""
    corners = [(packet.values.get(a), packet.values.get(b)) for a, b in CORNERS]
    if all(lat is not None and lon is not None for lat, lon in corners):
        return [(float(lat), float(lon)) for lat, lon in corners]  # type: ignore[arg-type]
    if width <= 0 or height <= 0:
        return None
    from dronewatch.geo.footprint import footprint_from_klv

    try:
        found = footprint_from_klv(packet.values, 0, 0.0, width, height)
    except (ValueError, ArithmeticError):
        return None
    if found is None:
        return None
    corners_ll = found.ground_corners()
    if not np.isfinite(corners_ll).all():
        return None  # a corner looks at the sky: no closed footprint to draw
    return [(float(lat), float(lon)) for lat, lon in corners_ll]


def hud_line(packet: KlvPacket) -> str:
    """Aircraft position, altitude, heading and sensor look, compactly."""
    v = packet.values

    def num(key: str, fmt: str) -> str | None:
        value = v.get(key)
        return None if value is None else format(float(value), fmt)  # type: ignore[arg-type]

    parts = []
    lat, lon = num("sensor_latitude", ".5f"), num("sensor_longitude", ".5f")
    if lat and lon:
        parts.append(f"{lat}, {lon}")
    if (alt := num("sensor_true_altitude", ".0f")) is not None:
        parts.append(f"alt {alt} m")
    if (hdg := num("platform_heading_angle", ".0f")) is not None:
        parts.append(f"hdg {hdg}°")
    az, el = (
        num("sensor_relative_azimuth_angle", ".0f"),
        num("sensor_relative_elevation_angle", ".0f"),
    )
    if az is not None and el is not None:
        parts.append(f"look az {az}° el {el}°")
    elif (ob := num("obliquity_angle", ".0f")) is not None:
        parts.append(f"look {ob}° obliquity")
    return "  ".join(parts)
