"""Tiny synthetic moving-camera scenes shared by the analysis tests (no test functions here;
no files, no simulator).

A camera window slides over a large smooth random texture; targets are small squares
drawn in world coordinates, so their image motion is camera motion + their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from dronewatch.frames import FramePacket, VideoInfo

W, H = 320, 180
FPS = 25.0


def world_texture(seed: int = 0, size: tuple[int, int] = (900, 700)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 1, (size[1] // 4, size[0] // 4)).astype(np.float32)
    base = cv2.resize(noise, size, interpolation=cv2.INTER_CUBIC)
    fine = cv2.GaussianBlur(rng.normal(0, 1, (size[1], size[0])).astype(np.float32), (0, 0), 1.2)
    img = 110 + 35 * base + 12 * fine
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass
class Mover:
    x: float  # world position of the top-left corner
    y: float
    vx: float  # world px / frame
    vy: float
    size: int = 6
    value: int = 230
    stop: tuple[int, int] | None = None  # frames [a, b) during which it stands still

    def at(self, i: int) -> tuple[float, float]:
        if self.stop is None:
            t = i
        else:
            a, b = self.stop
            t = min(i, a) + max(i - b, 0)
        return self.x + self.vx * t, self.y + self.vy * t


@dataclass
class Scene:
    cam_vx: float = 1.5  # camera pan, world px / frame
    cam_vy: float = 0.4
    movers: list[Mover] = field(default_factory=list)
    gain_jump_at: int | None = None  # from this frame on, brightness x1.35
    seed: int = 0

    def __post_init__(self) -> None:
        self.texture = world_texture(self.seed)
        self.tint = cv2.convertScaleAbs(world_texture(self.seed + 7), alpha=0.15)

    @property
    def info(self) -> VideoInfo:
        return VideoInfo(fps=FPS, width=W, height=H, frame_count=None)

    def frame(self, i: int) -> np.ndarray:
        ox, oy = 40 + self.cam_vx * i, 40 + self.cam_vy * i
        world = self.texture.copy()
        for m in self.movers:
            x, y = m.at(i)
            x0, y0 = round(x), round(y)
            world[y0 : y0 + m.size, x0 : x0 + m.size] = m.value
        # Sub-pixel camera position through an affine warp, like a real pan.
        warp = np.array([[1, 0, -ox], [0, 1, -oy]], np.float32)
        img = cv2.warpAffine(world, warp, (W, H), flags=cv2.INTER_LINEAR)
        if self.gain_jump_at is not None and i >= self.gain_jump_at:
            img = cv2.convertScaleAbs(img, alpha=1.35, beta=5)
        noise = np.random.default_rng(1000 + i).normal(0, 1.5, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        # Colour that varies over the ground, so the feed is not taken for thermal.
        tint = cv2.warpAffine(self.tint, warp, (W, H), flags=cv2.INTER_LINEAR)
        return cv2.merge([cv2.subtract(img, tint), img, cv2.add(img, tint)])

    def packet(self, i: int) -> FramePacket:
        return FramePacket(i, i / FPS, self.frame(i))

    def box_in_image(self, m: Mover, i: int) -> tuple[float, float, float, float]:
        ox, oy = 40 + self.cam_vx * i, 40 + self.cam_vy * i
        x, y = m.at(i)
        x, y = round(x) - ox, round(y) - oy
        return x, y, x + m.size, y + m.size


class ThermalScene(Scene):
    """The synthetic pan, grey-scale (so the feed is taken for thermal)."""

    def frame(self, i: int) -> np.ndarray:
        return cv2.cvtColor(super().frame(i)[:, :, 1], cv2.COLOR_GRAY2BGR)


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
