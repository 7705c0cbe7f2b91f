"""Weather and sensor effects applied to a rendered frame.

Everything random is drawn once into small pools at start-up and picked per frame by
index, so effects cost a few milliseconds and frame ``i`` stays independent of the others.
"""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.sim.camera import CameraPose
from dronewatch.sim.presets import Preset

_POOL = 4
_MARGIN = 48  # noise tiles are this much larger than a frame; frames take shifted windows


def _noise_pool(
    rng: np.random.Generator, h: int, w: int, sigma: float, colour: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(add, subtract) uint8 pairs; saturating add/subtract of these is signed noise."""
    pool = []
    for _ in range(_POOL):
        shape = (h + _MARGIN, w + _MARGIN, 3) if colour else (h + _MARGIN, w + _MARGIN, 1)
        n = rng.normal(0, sigma, shape).astype(np.float32)
        # Sensor noise is mostly in luminance: share most of it between channels.
        n = 0.7 * n[..., :1] + 0.3 * n if colour else np.repeat(n, 3, axis=2)
        pos = np.clip(n, 0, 255).astype(np.uint8)
        neg = np.clip(-n, 0, 255).astype(np.uint8)
        pool.append((pos, neg))
    return pool


def _rain_layers(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A tall tileable sheet of motion-blurred streaks (grey values to add)."""
    sheet = np.zeros((2 * h, w), np.uint8)
    n = int(w * h / 330)
    slant = rng.uniform(0.12, 0.25)
    for _ in range(n):
        x = int(rng.integers(0, w))
        y = int(rng.integers(0, 2 * h))
        length = rng.uniform(8, 26)
        val = int(rng.integers(18, 55))
        cv2.line(sheet, (x, y), (int(x + slant * length), int(y + length)), val, 1, cv2.LINE_AA)
    sheet = cv2.GaussianBlur(sheet, (3, 3), 0.6)
    # Stacked 1.5 times so that any window of h rows is a plain slice (no copy per frame).
    sheet = np.vstack([sheet, sheet[:h]])
    return np.repeat(sheet[..., None], 3, axis=2)


class Effects:
    """Per-preset weather + optics + sensor pipeline, ``apply(img, i, pose)``."""

    def __init__(self, preset: Preset, rng: np.random.Generator, width: int, height: int) -> None:
        self.preset = preset
        self.thermal = preset.sensor == "thermal"
        self.w, self.h = width, height
        self.noise = _noise_pool(rng, height, width, preset.noise_sigma, colour=not self.thermal)
        self.shift_seed = int(rng.integers(1, 2**31))
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        r2 = ((xx - width / 2) / (width / 2)) ** 2 + ((yy - height / 2) / (width / 2)) ** 2
        strength = 0.22 if self.thermal else 0.12
        vig = np.clip(255.0 * (1.0 - strength * r2), 0, 255)
        self.vignette = np.repeat(vig[..., None], 3, axis=2).astype(np.uint8)
        self.grey = np.zeros((height, width, 3), np.uint8)
        self.rain = _rain_layers(rng, height, width) if preset.weather == "rain" else None
        if self.thermal:
            # Fixed-pattern column noise of an uncooled microbolometer.
            cols = np.tile(rng.normal(0, 2.2, width), (height, 1))[..., None].repeat(3, axis=2)
            self.fpn: tuple[np.ndarray, np.ndarray] | None = (
                np.clip(cols, 0, 255).astype(np.uint8),
                np.clip(-cols, 0, 255).astype(np.uint8),
            )
        else:
            self.fpn = None
        if self.thermal:
            fog = (110, 110, 110)
        elif preset.weather == "rain":
            fog = (150, 148, 145)  # haze under a dark sky
        else:
            fog = (206, 204, 200)
        self.fog_colour = np.array(fog, np.float32)
        self.fog_visibility_m = float(rng.uniform(170, 230))
        self.fog_img = np.empty((height, width, 3), np.uint8)
        self.fog_img[:] = self.fog_colour.astype(np.uint8)

    def _fog_alpha(self, pose: CameraPose, visibility_m: float, floor: float) -> np.ndarray:
        gw, gh = 17, 10
        u = np.linspace(0, self.w, gw)
        v = np.linspace(0, self.h, gh)
        uu, vv = np.meshgrid(u, v)
        ground = pose.pixels_to_ground(np.column_stack([uu.ravel(), vv.ravel()]))
        pts = np.column_stack([ground, np.zeros(len(ground))])
        dist = np.linalg.norm(pts - pose.centre, axis=1).reshape(gh, gw).astype(np.float32)
        alpha = floor + (1.0 - floor) * (1.0 - np.exp(-dist / visibility_m))
        return cv2.resize(alpha, (self.w, self.h), interpolation=cv2.INTER_LINEAR)

    def apply(self, img: np.ndarray, index: int, pose: CameraPose) -> np.ndarray:
        p = self.preset
        out = img
        if p.weather == "overcast":
            grey = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            out = cv2.addWeighted(out, 0.6, grey, 0.4, 0)
            out = cv2.addWeighted(out, 0.62, self.grey, 0, 62)
        elif p.weather == "fog":
            alpha = self._fog_alpha(pose, self.fog_visibility_m, 0.25)
            out = cv2.blendLinear(out, self.fog_img, 1.0 - alpha, alpha)
        elif p.weather == "rain":
            # Rain comes with a dark overcast sky: duller, greyer, a little hazy.
            grey = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            out = cv2.addWeighted(out, 0.7, grey, 0.3, 0)
            alpha = self._fog_alpha(pose, 700.0, 0.1)
            out = cv2.addWeighted(out, 0.72, self.grey, 0, 14)
            out = cv2.blendLinear(out, self.fog_img, 1.0 - alpha, alpha)
        if self.rain is not None:
            fall = (2 * self.h) - 1 - (index * 23) % (2 * self.h)
            out = cv2.add(out, self.rain[fall : fall + self.h])
        # Optics: a touch of blur (more for thermal), then vignetting.
        sigma = 1.1 if self.thermal else 0.6
        ksize = (5, 5) if self.thermal else (3, 3)
        out = cv2.GaussianBlur(out, ksize, sigma)
        out = cv2.multiply(out, self.vignette, scale=1.0 / 255.0)
        if self.fpn is not None:
            out = cv2.subtract(cv2.add(out, self.fpn[0]), self.fpn[1])
        pos, neg = self.noise[index % _POOL]
        k = (index * 7919 + self.shift_seed) % (_MARGIN * _MARGIN)
        dy, dx = divmod(k, _MARGIN)
        out = cv2.add(out, pos[dy : dy + self.h, dx : dx + self.w])
        dy2, dx2 = (dy * 7 + 5) % _MARGIN, (dx * 3 + 11) % _MARGIN
        out = cv2.subtract(out, neg[dy2 : dy2 + self.h, dx2 : dx2 + self.w])
        if p.jpeg_quality > 0:
            ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg_quality])
            if ok:
                out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return out
