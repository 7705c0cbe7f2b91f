"""Sensor pointing from ST 0601 angles, and the flat-earth projection built on it.

Frames: NED (north, east, down) for the world; the sensor's own axes are x along the
boresight, y to the image's right, z to the image's bottom. Platform attitude (heading,
pitch, roll) and the sensor's relative angles (azimuth, elevation, roll) are each a
Z-Y-X Euler rotation, applied platform first:
``R = Rz(heading) Ry(pitch) Rx(roll) @ Rz(azimuth) Ry(elevation) Rx(sensor roll)``
maps sensor axes into NED. Elevation is negative below the horizon, as in ST 0601.
"""

from __future__ import annotations

import math

import numpy as np


def euler_zyx(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """Rotation ``Rz(yaw) Ry(pitch) Rx(roll)`` (body axes -> parent axes)."""
    y, p, r = (math.radians(a) for a in (yaw_deg, pitch_deg, roll_deg))
    cy, sy, cp, sp, cr, sr = (
        math.cos(y),
        math.sin(y),
        math.cos(p),
        math.sin(p),
        math.cos(r),
        math.sin(r),
    )
    rz = np.array([[cy, -sy, 0.0], [sy, cy, 0.0], [0.0, 0.0, 1.0]])
    ry = np.array([[cp, 0.0, sp], [0.0, 1.0, 0.0], [-sp, 0.0, cp]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cr, -sr], [0.0, sr, cr]])
    return rz @ ry @ rx


def sensor_to_ned(
    heading: float,
    pitch: float,
    roll: float,
    rel_azimuth: float,
    rel_elevation: float,
    rel_roll: float,
) -> np.ndarray:
    """3x3 rotation taking sensor axes (boresight, right, down-in-image) into NED."""
    return euler_zyx(heading, pitch, roll) @ euler_zyx(rel_azimuth, rel_elevation, rel_roll)


def sensor_angles(right_ned: np.ndarray, forward_ned: np.ndarray) -> tuple[float, float, float]:
    """(azimuth, elevation, roll) in degrees of a sensor whose boresight and image-right
    axes point along ``forward_ned`` and ``right_ned``, relative to a level platform
    heading north. The inverse of :func:`sensor_to_ned` with zero platform angles."""
    f = forward_ned / np.linalg.norm(forward_ned)
    azimuth = math.degrees(math.atan2(f[1], f[0])) % 360.0
    elevation = math.degrees(math.asin(max(-1.0, min(1.0, -f[2]))))
    unrolled = euler_zyx(azimuth, elevation, 0.0)
    y0, z0 = unrolled[:, 1], unrolled[:, 2]
    roll = math.degrees(math.atan2(float(right_ned @ z0), float(right_ned @ y0))) % 360.0
    return azimuth, elevation, roll


def image_rays(
    uv: np.ndarray, width: int, height: int, hfov_deg: float, vfov_deg: float
) -> np.ndarray:
    """(N,2) pixels -> (N,3) ray directions in sensor axes (pinhole, square pixels not
    assumed: each axis scales by its own field of view)."""
    tx = math.tan(math.radians(hfov_deg) / 2.0)
    ty = math.tan(math.radians(vfov_deg) / 2.0)
    u = (2.0 * uv[:, 0] / width - 1.0) * tx
    v = (2.0 * uv[:, 1] / height - 1.0) * ty
    return np.column_stack([np.ones(len(uv)), u, v])


def flat_earth_offsets(rays_ned: np.ndarray, height_above_ground_m: float) -> np.ndarray:
    """(N,3) NED rays from a sensor ``height_above_ground_m`` above a flat ground ->
    (N,2) (north, east) metres of where they meet it; NaN for rays at or above the
    horizon."""
    down = rays_ned[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(down > 1e-9, height_above_ground_m / down, np.nan)
    return rays_ned[:, :2] * t[:, None]
