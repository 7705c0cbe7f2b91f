"""What the ground is made of: roads, the finished World, and the Canvas painters share."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

SHIFT = 4  # fixed-point bits for sub-pixel cv2 drawing


@dataclass(frozen=True, slots=True)
class Road:
    """A drivable centreline in world metres."""

    points: np.ndarray  # (M, 2)
    width_m: float
    kind: str  # "main", "minor" or "track"

    @property
    def speed_mps(self) -> float:
        return {"main": 13.0, "minor": 9.0, "track": 5.0}[self.kind]


@dataclass(eq=False)
class Canvas:
    """The texture being painted (float32, BGR or grey in all channels) and what every
    painter needs: placement, palette choice, the shadow mask and the no-walk mask."""

    tex: np.ndarray
    origin: tuple[float, float]
    ppm: float
    thermal: bool
    shadow_dir: np.ndarray  # ground offset per metre of height, away from the sun
    shadow_strength: float
    shade: np.ndarray  # (H, W) float32, 1 where something casts a shadow
    blocked: np.ndarray  # (H', W') uint8 at 1 px per metre: buildings, woods, crowns

    def fp(self, world_xy: np.ndarray) -> np.ndarray:
        """World metres -> fixed-point int32 texture pixels for cv2 drawing."""
        return np.round((np.asarray(world_xy) - self.origin) * self.ppm * 16).astype(np.int32)

    def metre_px(self, world_xy: np.ndarray) -> np.ndarray:
        """World metres -> fixed-point int32 pixels of the 1 px per metre masks."""
        return np.round((np.asarray(world_xy) - self.origin) * 16).astype(np.int32)

    def paint(self, day: tuple[float, float, float], thermal: float) -> tuple[float, ...]:
        """The colour to draw with: the daylight BGR or the thermal grey."""
        return (thermal,) * 3 if self.thermal else day

    def apply_shadows(self) -> None:
        """Darken the texture under everything drawn into ``shade`` (daylight only)."""
        if self.thermal:
            return
        soft = cv2.GaussianBlur(self.shade, (0, 0), 0.35 * self.ppm)
        self.tex *= (1.0 - self.shadow_strength * soft)[..., None]


@dataclass(eq=False)
class World:
    """A textured rectangle of ground; texture pixel (0,0) is at world ``origin``."""

    texture: np.ndarray  # (H, W, 3) uint8
    ppm: float  # texture pixels per metre
    origin: tuple[float, float]
    roads: list[Road]
    buildings: list[np.ndarray]  # (4, 2) footprints in metres
    blocked: np.ndarray  # (H', W') bool at 1 px per metre: buildings, woods, tree crowns
    sun_azimuth: float
    sun_elevation: float
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def size_m(self) -> tuple[float, float]:
        h, w = self.texture.shape[:2]
        return w / self.ppm, h / self.ppm

    def texture_from_world(self) -> np.ndarray:
        """3x3 map from world (X, Y, 1) to texture pixels."""
        ox, oy = self.origin
        s = self.ppm
        return np.array([[s, 0, -ox * s], [0, s, -oy * s], [0, 0, 1.0]])

    def is_blocked(self, xy: np.ndarray) -> np.ndarray:
        """Whether nobody can stand at ``xy`` (..., 2); False outside the world."""
        rel = np.floor(np.asarray(xy, np.float64) - self.origin).astype(np.int64)
        h, w = self.blocked.shape
        inside = (rel[..., 0] >= 0) & (rel[..., 1] >= 0) & (rel[..., 0] < w) & (rel[..., 1] < h)
        out = np.zeros(rel.shape[:-1], bool)
        out[inside] = self.blocked[rel[inside][:, 1], rel[inside][:, 0]]
        return out
