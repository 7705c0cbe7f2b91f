"""Simulator telemetry: MISB ST 0601 packets consistent with the simulated camera, and
the ground truth's ground positions.

The simulator's world is metres east (X) and north (Y) of its origin on flat ground at
Z = 0. :class:`GeoOrigin` pins that origin to a latitude, longitude and ground elevation
(MSL); positions convert through a local tangent plane (see :mod:`dronewatch.geo.local`
for its error: about a centimetre over a simulated scene, below ST 0601's quantum).

The platform flies level (pitch and roll 0) with its heading along its track when it
moves (else along the look direction); the gimbal's angles relative to it carry the
camera's pan, tilt and shake. Corner points are where the camera's corner rays meet the
ground, so the KLV footprint is exact up to quantisation.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.geo.attitude import sensor_angles
from dronewatch.geo.footprint import image_corners
from dronewatch.geo.local import LocalPlane
from dronewatch.sim.camera import CameraPose
from dronewatch.sim.render import RenderedFrame, Renderer
from dronewatch.sim.ts_writer import TsWriter
from dronewatch.telemetry.encode import encode_local_set

ST0601_VERSION = 19
DEFAULT_GROUND_ALT_M = 140.0
_MOVING_MPS = 0.5


@dataclass(frozen=True, slots=True)
class GeoOrigin:
    """Where the simulated scene is: its origin's WGS 84 position and ground elevation
    (metres above mean sea level), and the UTC time of frame 0 (microseconds since 1970).

    The default is farmland on Salisbury Plain, England, 1 June 2024 10:00 UTC."""

    lat: float = 51.2000
    lon: float = -1.8000
    ground_alt_m: float = DEFAULT_GROUND_ALT_M
    start_utc_us: int = 1_717_236_000_000_000

    def __post_init__(self) -> None:
        if not (-80.0 <= self.lat <= 80.0 and -180.0 <= self.lon <= 180.0):
            raise DroneWatchError(
                f"bad origin {self.lat}, {self.lon}: latitude -80..80, longitude -180..180"
            )
        if not -400.0 <= self.ground_alt_m <= 8000.0:
            raise DroneWatchError(f"bad ground elevation {self.ground_alt_m} m")


_ORIGIN_RE = re.compile(r"^\s*([-+\d.eE]+)\s*,\s*([-+\d.eE]+)\s*(?:,\s*([-+\d.eE]+)\s*)?$")


def parse_origin(text: str) -> GeoOrigin:
    """``"LAT,LON"`` or ``"LAT,LON,GROUND_ALT_M"`` -> GeoOrigin."""
    match = _ORIGIN_RE.match(text)
    if not match:
        raise DroneWatchError(f"bad origin {text!r}: expected LAT,LON or LAT,LON,ALT")
    try:
        lat, lon = float(match.group(1)), float(match.group(2))
        alt = float(match.group(3)) if match.group(3) else DEFAULT_GROUND_ALT_M
    except ValueError:
        raise DroneWatchError(f"bad origin {text!r}: not numbers") from None
    return GeoOrigin(lat, lon, alt)


def _enu_to_ned(v: np.ndarray) -> np.ndarray:
    return np.array([v[1], v[0], -v[2]])


class SimTelemetry:
    """ST 0601 values of every frame of a rendered scenario (pure functions of the
    frame index, like the renderer)."""

    def __init__(self, renderer: Renderer, origin: GeoOrigin) -> None:
        self.renderer = renderer
        self.origin = origin
        self.plane = LocalPlane(origin.lat, origin.lon)
        s = renderer.scenario
        self.fps = s.fps
        self.width, self.height = s.width, s.height
        self.sensor = "IR" if s.preset.sensor == "thermal" else "EO"

    def to_latlon(self, xy: np.ndarray) -> np.ndarray:
        """(N,2) world metres -> (N,2) lat, lon."""
        lat, lon = self.plane.to_latlon(xy[:, 0], xy[:, 1])
        return np.column_stack([lat, lon])

    def _heading(self, t: float, look_azimuth: float) -> float:
        t0, t1 = max(0.0, t - 0.5 / self.fps), t + 0.5 / self.fps
        camera = self.renderer.camera
        v = camera.pose(t1).centre - camera.pose(t0).centre
        if math.hypot(v[0], v[1]) / (t1 - t0) < _MOVING_MPS:
            return look_azimuth
        return math.degrees(math.atan2(v[0], v[1])) % 360.0

    def values(self, index: int) -> dict[str, object]:
        """The decoded-form ST 0601 items of frame ``index`` (0-based)."""
        pose: CameraPose = self.renderer.pose(index)
        t = index / self.fps
        right, _down, forward = (_enu_to_ned(r) for r in pose.rot)
        azimuth, elevation, roll = sensor_angles(right, forward)
        heading = self._heading(t, azimuth)
        sensor = self.to_latlon(pose.centre[None, :2])[0]
        ground = self.origin.ground_alt_m
        centre_xy = pose.pixels_to_ground(np.array([[pose.cx, pose.cy]]))
        centre = self.to_latlon(centre_xy)[0]
        slant = float(np.linalg.norm(np.append(centre_xy[0], 0.0) - pose.centre))
        corners = self.to_latlon(pose.pixels_to_ground(image_corners(self.width, self.height)))
        values: dict[str, object] = {
            "precision_time_stamp": self.origin.start_utc_us + round(t * 1e6),
            "mission_id": "DRONEWATCH SIM",
            "platform_designation": "DroneWatch simulator",
            "image_source_sensor": self.sensor,
            "image_coordinate_system": "WGS-84",
            "platform_heading_angle": heading,
            "platform_pitch_angle": 0.0,
            "platform_roll_angle": 0.0,
            "sensor_latitude": float(sensor[0]),
            "sensor_longitude": float(sensor[1]),
            "sensor_true_altitude": ground + float(pose.centre[2]),
            "sensor_horizontal_fov": math.degrees(2 * math.atan(self.width / 2 / pose.focal)),
            "sensor_vertical_fov": math.degrees(2 * math.atan(self.height / 2 / pose.focal)),
            "sensor_relative_azimuth_angle": (azimuth - heading) % 360.0,
            "sensor_relative_elevation_angle": elevation,
            "sensor_relative_roll_angle": roll,
            "slant_range": slant,
            "frame_center_latitude": float(centre[0]),
            "frame_center_longitude": float(centre[1]),
            "frame_center_elevation": ground,
            "uas_ls_version_number": ST0601_VERSION,
        }
        for k in range(4):
            values[f"corner_latitude_point_{k + 1}"] = float(corners[k, 0])
            values[f"corner_longitude_point_{k + 1}"] = float(corners[k, 1])
        return values

    def packet(self, index: int) -> bytes:
        return encode_local_set(self.values(index))

    def ground_truth_rows(self, frame: RenderedFrame) -> list[tuple[int, int, float, float]]:
        """``(frame (1-based), id, lat, lon)`` of each ground-truth box's target: where
        it stands on the ground (a person's feet, a vehicle's footprint centre)."""
        by_id = {t.id: t for t in self.renderer.targets}
        rows = []
        for box in frame.boxes:
            xy = by_id[box.id].track.xy[frame.index]
            lat, lon = self.to_latlon(np.asarray(xy, dtype=np.float64)[None, :])[0]
            rows.append((box.frame, box.id, float(lat), float(lon)))
        return rows


GEO_GT_HEADER = "frame,id,lat,lon"


def write_geo_ground_truth(path: Path, rows: list[tuple[int, int, float, float]]) -> int:
    """``NAME.gt.geo.csv``: a header, then ``frame,id,lat,lon`` sorted by frame and id
    (frames 1-based as in ``NAME.gt.txt``; 8 decimals, about 1 mm)."""
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    text = GEO_GT_HEADER + "\n" + "".join(f"{f},{i},{a:.8f},{b:.8f}\n" for f, i, a, b in rows)
    path.write_text(text, encoding="ascii", newline="\n")
    return len(rows)


def read_geo_ground_truth(path: Path) -> dict[tuple[int, int], tuple[float, float]]:
    """``(frame, id) -> (lat, lon)`` from a ``NAME.gt.geo.csv``."""
    out = {}
    for line in path.read_text(encoding="ascii").splitlines()[1:]:
        if line.strip():
            f, i, lat, lon = line.split(",")
            out[(int(f), int(i))] = (float(lat), float(lon))
    return out


class KlvRecorder:
    """Beside the MP4: ``NAME.ts`` (the same frames with their KLV) and
    ``NAME.gt.geo.csv``. Written to a temporary name and renamed by :meth:`finish`."""

    def __init__(self, renderer: Renderer, origin: GeoOrigin, out_dir: Path, name: str) -> None:
        s = renderer.scenario
        self.telemetry = SimTelemetry(renderer, origin)
        self.ts_path = out_dir / f"{name}.ts"
        self.geo_path = out_dir / f"{name}.gt.geo.csv"
        self._tmp = out_dir / f".{name}.tmp.ts"
        self._writer = TsWriter(self._tmp, s.width, s.height, s.fps)
        self._rows: list[tuple[int, int, float, float]] = []

    def add(self, frame: RenderedFrame) -> None:
        self._writer.write(frame.image, self.telemetry.packet(frame.index))
        self._rows.extend(self.telemetry.ground_truth_rows(frame))

    def finish(self) -> None:
        self._writer.close()
        os.replace(self._tmp, self.ts_path)
        write_geo_ground_truth(self.geo_path, self._rows)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def describe(self) -> dict[str, object]:
        """For the scenario JSON."""
        return {
            "video_klv": self.ts_path.name,
            "ground_truth_geo": self.geo_path.name,
            "standard": f"MISB ST 0601.{ST0601_VERSION}, one packet per frame, PTS-matched",
            "origin": asdict(self.telemetry.origin),
            "projection": "local tangent plane (equirectangular, WGS 84 radii at the origin)",
        }
