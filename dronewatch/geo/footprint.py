"""Where a video frame lies on the ground, and image points to latitude/longitude.

A frame's footprint maps image pixels to the ground through a homography: from the four
image corners to the four ground corners the KLV sends (ST 0601 tags 82-89, else the
frame centre plus the offset corners 26-33), expressed in metres on a local plane at the
frame centre. For a pinhole camera over flat ground that map *is* a homography, so it
is exact between the corners, and it needs no camera model at all.

Without corner points, the ground is intersected with rays built from the sensor
position, platform and sensor angles and fields of view (a flat earth at the frame
centre's elevation): four such ground points give the same kind of homography.

Corner order is ST 0601's: 1 upper left, 2 upper right, 3 lower right, 4 lower left.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dronewatch.geo.attitude import flat_earth_offsets, image_rays, sensor_to_ned
from dronewatch.geo.local import LocalPlane

Method = Literal["corners", "attitude"]
METHODS: tuple[Method, ...] = ("corners", "attitude")


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 3x3 homography taking four (x, y) points ``src`` onto ``dst`` (DLT with
    h33 = 1). Raises ``ValueError`` when three of them are collinear."""
    a = np.zeros((8, 8))
    b = np.zeros(8)
    for k, ((x, y), (u, v)) in enumerate(zip(src, dst, strict=True)):
        a[2 * k] = (x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y)
        a[2 * k + 1] = (0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y)
        b[2 * k], b[2 * k + 1] = u, v
    try:
        h = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise ValueError("degenerate quadrilateral: no homography") from None
    return np.append(h, 1.0).reshape(3, 3)


def apply_homography(h: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N,2) points through ``h`` -> (N,2) points and the (N,) homogeneous scale ``w``."""
    hom = np.column_stack([pts, np.ones(len(pts))]) @ h.T
    w = hom[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        return hom[:, :2] / w[:, None], w


def image_corners(width: int, height: int) -> np.ndarray:
    """Pixel positions of ST 0601 corners 1-4 (the outer edges of the image)."""
    return np.array([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]])


@dataclass(frozen=True, eq=False)
class Footprint:
    """One frame on the ground. ``corners`` are (lat, lon) of ST 0601 corners 1-4."""

    frame: int
    time_s: float
    width: int
    height: int
    corners: np.ndarray  # (4, 2) lat, lon degrees
    centre: tuple[float, float]  # lat, lon of the image centre
    method: Method
    ground_elevation_m: float | None = None
    utc_us: int | None = None
    pixels: np.ndarray | None = None
    """Pixels of ``corners`` when they are not the image corners (attitude fallback
    with the top of the image above the horizon)."""
    _plane: LocalPlane = field(init=False, repr=False)
    _h: np.ndarray = field(init=False, repr=False)
    _w_sign: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        plane = LocalPlane(*self.centre)
        x, y = plane.to_xy(self.corners[:, 0], self.corners[:, 1])
        src = image_corners(self.width, self.height) if self.pixels is None else self.pixels
        h = homography(src, np.column_stack([x, y]))
        # Frozen: the derived fields are set once, here.
        object.__setattr__(self, "_plane", plane)
        object.__setattr__(self, "_h", h)
        # Points beyond the horizon map with the opposite sign of w: refuse them.
        _, w = apply_homography(h, np.array([[self.width / 2, self.height / 2]]))
        object.__setattr__(self, "_w_sign", float(np.sign(w[0])))

    def image_to_latlon(self, uv: np.ndarray) -> np.ndarray:
        """(N,2) pixels -> (N,2) (lat, lon); NaN where the pixel sees no ground."""
        uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
        xy, w = apply_homography(self._h, uv)
        bad = np.sign(w) != self._w_sign
        lat, lon = self._plane.to_latlon(xy[:, 0], xy[:, 1])
        out = np.column_stack([lat, lon])
        out[bad] = np.nan
        return out

    def ground_corners(self) -> np.ndarray:
        """(4,2) lat/lon of the image corners 1-4; NaN rows where a corner sees sky."""
        if self.pixels is None:
            return self.corners
        return self.image_to_latlon(image_corners(self.width, self.height))

    def ground_size_m(self) -> tuple[float, float]:
        """Mean widths of the footprint across (top/bottom) and along (sides), metres."""
        corners = self.ground_corners()
        x, y = self._plane.to_xy(corners[:, 0], corners[:, 1])
        p = np.column_stack([x, y])
        d = [float(np.linalg.norm(p[(k + 1) % 4] - p[k])) for k in range(4)]
        return (d[0] + d[2]) / 2, (d[1] + d[3]) / 2


def _num(values: Mapping[str, object], name: str) -> float | None:
    v = values.get(name)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


def klv_corners(values: Mapping[str, object]) -> np.ndarray | None:
    """(4,2) lat/lon corners from full corner points, else centre plus offsets."""
    full = [
        (_num(values, f"corner_latitude_point_{k}"), _num(values, f"corner_longitude_point_{k}"))
        for k in range(1, 5)
    ]
    if all(a is not None and b is not None for a, b in full):
        return np.array(full, dtype=np.float64)
    lat0 = _num(values, "frame_center_latitude")
    lon0 = _num(values, "frame_center_longitude")
    if lat0 is None or lon0 is None:
        return None
    offsets = [
        (
            _num(values, f"offset_corner_latitude_point_{k}"),
            _num(values, f"offset_corner_longitude_point_{k}"),
        )
        for k in range(1, 5)
    ]
    if not all(a is not None and b is not None for a, b in offsets):
        return None
    return np.array([(lat0 + a, lon0 + b) for a, b in offsets], dtype=np.float64)  # type: ignore[operator]


def attitude_corners(
    values: Mapping[str, object], width: int, height: int
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Four image points, their ground (lat, lon) from position, angles and fields of
    view on a flat earth, and the ground elevation used. ``None`` when items are missing.

    The image corners are used when all four see the ground; otherwise a smaller quad
    around the image centre (the homography through any four ground points of a plane
    is the same)."""
    need = {
        k: _num(values, k)
        for k in (
            "sensor_latitude",
            "sensor_longitude",
            "sensor_true_altitude",
            "platform_heading_angle",
            "sensor_relative_azimuth_angle",
            "sensor_relative_elevation_angle",
            "sensor_horizontal_fov",
            "sensor_vertical_fov",
        )
    }
    if any(v is None for v in need.values()):
        return None
    n: dict[str, float] = {k: float(v) for k, v in need.items() if v is not None}
    pitch = _num(values, "platform_pitch_angle_full")
    if pitch is None:
        pitch = _num(values, "platform_pitch_angle") or 0.0
    roll = _num(values, "platform_roll_angle_full")
    if roll is None:
        roll = _num(values, "platform_roll_angle") or 0.0
    rot = sensor_to_ned(
        n["platform_heading_angle"],
        pitch,
        roll,
        n["sensor_relative_azimuth_angle"],
        n["sensor_relative_elevation_angle"],
        _num(values, "sensor_relative_roll_angle") or 0.0,
    )
    ground = _num(values, "frame_center_elevation")
    slant = _num(values, "slant_range")
    if ground is None:
        # Without the frame centre's elevation: along the boresight by the slant range.
        ground = n["sensor_true_altitude"] - slant * float(rot[2, 0]) if slant else 0.0
    hag = n["sensor_true_altitude"] - ground
    if hag <= 0:
        return None
    plane = LocalPlane(n["sensor_latitude"], n["sensor_longitude"])
    for shrink in (1.0, 0.5, 0.2):
        c = np.array([width / 2, height / 2])
        uv = c + (image_corners(width, height) - c) * shrink
        rays = image_rays(uv, width, height, n["sensor_horizontal_fov"], n["sensor_vertical_fov"])
        ne = flat_earth_offsets(rays @ rot.T, hag)
        if np.all(np.isfinite(ne)):
            lat, lon = plane.to_latlon(ne[:, 1], ne[:, 0])
            return uv, np.column_stack([lat, lon]), ground
    return None


def footprint_from_klv(
    values: Mapping[str, object],
    frame: int,
    time_s: float,
    width: int,
    height: int,
) -> Footprint | None:
    """The frame's footprint from one decoded ST 0601 packet, or ``None`` when it has
    neither corner points nor the angles to compute them."""
    utc = values.get("precision_time_stamp")
    utc_us = utc if isinstance(utc, int) else None
    ground = _num(values, "frame_center_elevation")
    corners = klv_corners(values)
    pixels = None
    method: Method = "corners"
    if corners is None:
        found = attitude_corners(values, width, height)
        if found is None:
            return None
        pixels, corners, ground = found
        method = "attitude"
    lat0, lon0 = _num(values, "frame_center_latitude"), _num(values, "frame_center_longitude")
    if lat0 is None or lon0 is None or method == "attitude":
        # Centre the local plane on the corners first, then find the image centre.
        mid = (float(corners[:, 0].mean()), float(corners[:, 1].mean()))
        rough = Footprint(frame, time_s, width, height, corners, mid, method, pixels=pixels)
        c = rough.image_to_latlon(np.array([[width / 2, height / 2]]))[0]
        lat0, lon0 = float(c[0]), float(c[1])
    return Footprint(
        frame, time_s, width, height, corners, (lat0, lon0), method, ground, utc_us, pixels
    )
