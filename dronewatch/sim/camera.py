"""The drone camera: a pinhole over flat ground, moved by pan / orbit / drift / zoom paths.

World frame: X east, Y north, Z up, metres, origin at the centre of the world texture.
Every pose is a pure function of time (no integration), so any frame can be rendered alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dronewatch.sim.noise import Wiggle
from dronewatch.sim.presets import Preset

_JITTER_FREQS_HZ = (0.35, 0.9, 1.7, 2.9)


@dataclass(frozen=True, slots=True)
class CameraPose:
    """Rotation ``rot`` (world -> camera rows: right, down, forward), centre, intrinsics."""

    rot: np.ndarray
    centre: np.ndarray
    focal: float
    cx: float
    cy: float

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        """(N,3) world points -> (N,3) camera coordinates (z = depth along the view)."""
        return (pts - self.centre) @ self.rot.T

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(N,3) world points -> (N,2) pixel coordinates."""
        return self.project_with_depth(pts)[0]

    def project_with_depth(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N,3) world points -> (N,2) pixels and (N,) depths along the view axis."""
        cam = self.to_camera(pts)
        z = np.maximum(cam[:, 2], 1e-3)
        uv = cam[:, :2] * (self.focal / z)[:, None]
        uv[:, 0] += self.cx
        uv[:, 1] += self.cy
        return uv, z

    def ground_homography(self) -> np.ndarray:
        """3x3 map from ground (X, Y, 1) to homogeneous pixels."""
        k = np.array([[self.focal, 0, self.cx], [0, self.focal, self.cy], [0, 0, 1.0]])
        t = -self.rot @ self.centre
        return k @ np.column_stack([self.rot[:, 0], self.rot[:, 1], t])

    def pixels_to_ground(self, uv: np.ndarray) -> np.ndarray:
        """(N,2) pixels -> (N,2) ground points (rays that miss the ground give junk)."""
        hom = np.linalg.inv(self.ground_homography())
        pts = np.column_stack([uv, np.ones(len(uv))]) @ hom.T
        return pts[:, :2] / pts[:, 2:3]


def _rotation(yaw: float, tilt: float, roll: float) -> np.ndarray:
    """Camera looking down, tilted by ``tilt`` towards ground heading ``yaw``
    (which ends up at the top of the image), then rolled about the view axis."""
    d = np.array([math.cos(yaw), math.sin(yaw), 0.0])
    forward = math.sin(tilt) * d + math.cos(tilt) * np.array([0.0, 0.0, -1.0])
    up = math.cos(tilt) * d + math.sin(tilt) * np.array([0.0, 0.0, 1.0])
    down = -up
    right = np.cross(down, forward)
    cr, sr = math.cos(roll), math.sin(roll)
    right, down = cr * right + sr * down, -sr * right + cr * down
    return np.vstack([right, down, forward])


class CameraPath:
    """Where the drone looks over time. ``pose(t)`` is cheap and stateless."""

    def __init__(self, preset: Preset, rng: np.random.Generator, width: int, height: int) -> None:
        self.preset = preset
        self.width = width
        self.height = height
        self.mode = preset.camera
        self.yaw0 = float(rng.uniform(0, 2 * math.pi))
        self.direction = float(rng.choice([-1.0, 1.0]))
        self.phase0 = float(rng.uniform(0, 2 * math.pi))
        if self.mode == "pan":
            self.radii = (95.0, 60.0)
        elif self.mode in ("drift", "zoom"):
            self.radii = (14.0, 9.0)
        else:
            self.radii = (0.0, 0.0)
        self.path_angle = float(rng.uniform(0, math.pi))
        mean_r = max(1.0, 0.5 * sum(self.radii))
        self.omega = preset.speed_mps / mean_r
        self.orbit_omega = 2 * math.pi / float(rng.uniform(40.0, 55.0))
        self.zoom_period = float(rng.uniform(14.0, 20.0))
        self.slow_yaw = Wiggle(rng, math.radians(6.0), (0.015, 0.04))
        self.slow_xy = (Wiggle(rng, 2.0, (0.03, 0.07)), Wiggle(rng, 2.0, (0.03, 0.07)))
        self.slow_alt = Wiggle(rng, 1.5, (0.02, 0.05))
        jitter = math.radians(preset.jitter_deg)
        self.jit = [Wiggle(rng, jitter, _JITTER_FREQS_HZ) for _ in range(3)]
        # Roll shake is usually smaller than pitch/yaw shake on a gimbal.
        self.jit[2].amps *= 0.5

    @property
    def extent_m(self) -> float:
        """Largest distance from the origin the look-at point reaches."""
        return max(self.radii) + 6.0

    def describe(self) -> dict[str, object]:
        """Parameters for the scenario JSON."""
        p = self.preset
        return {
            "mode": self.mode,
            "altitude_m": p.altitude_m,
            "tilt_deg": p.tilt_deg,
            "px_per_m_at_centre": p.px_per_m * self.width / 640.0,
            "ground_speed_mps": p.speed_mps if self.mode != "orbit" else 0.0,
            "path_radii_m": list(self.radii),
            "orbit_period_s": round(2 * math.pi / self.orbit_omega, 3)
            if self.mode == "orbit"
            else None,
            "zoom_peak": p.zoom if self.mode == "zoom" else 1.0,
            "zoom_period_s": round(self.zoom_period, 3) if self.mode == "zoom" else None,
            "jitter_deg": p.jitter_deg,
            "start_yaw_deg": round(math.degrees(self.yaw(0.0)), 3),
        }

    def look_at(self, t: float) -> tuple[float, float]:
        """Ground point at the image centre (without jitter)."""
        theta = self.phase0 + self.direction * self.omega * t
        rx, ry = self.radii
        x, y = rx * math.cos(theta), ry * math.sin(theta)
        ca, sa = math.cos(self.path_angle), math.sin(self.path_angle)
        gx = ca * x - sa * y + float(self.slow_xy[0](t))
        gy = sa * x + ca * y + float(self.slow_xy[1](t))
        return gx, gy

    def yaw(self, t: float) -> float:
        wobble = float(self.slow_yaw(t))
        if self.mode == "orbit":
            return self.yaw0 + wobble + self.direction * self.orbit_omega * t
        if self.mode == "pan":
            # Look sideways to the direction of travel so the ground slides across the image.
            theta = self.phase0 + self.direction * self.omega * t
            rx, ry = self.radii
            vx, vy = -rx * math.sin(theta), ry * math.cos(theta)
            ca, sa = math.cos(self.path_angle), math.sin(self.path_angle)
            heading = math.atan2(sa * vx + ca * vy, ca * vx - sa * vy)
            return heading + self.direction * math.pi / 2 + wobble
        return self.yaw0 + wobble

    def zoom(self, t: float) -> float:
        if self.mode != "zoom":
            return 1.0
        phase = 2 * math.pi * t / self.zoom_period
        return 1.0 + (self.preset.zoom - 1.0) * 0.5 * (1.0 - math.cos(phase))

    def pose(self, t: float) -> CameraPose:
        p = self.preset
        yaw = self.yaw(t) + float(self.jit[0](t))
        tilt = math.radians(p.tilt_deg) + float(self.jit[1](t))
        roll = float(self.jit[2](t))
        alt = p.altitude_m + float(self.slow_alt(t))
        gx, gy = self.look_at(t)
        reach = alt * math.tan(math.radians(p.tilt_deg))
        centre = np.array([gx - reach * math.cos(yaw), gy - reach * math.sin(yaw), alt])
        slant = alt / math.cos(math.radians(p.tilt_deg))
        focal = p.px_per_m * (self.width / 640.0) * slant * self.zoom(t)
        return CameraPose(
            _rotation(yaw, tilt, roll), centre, focal, self.width / 2.0, self.height / 2.0
        )
