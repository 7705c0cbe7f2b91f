"""Our single-object follower: motion-predicted template matching for small targets.

Why this design: operator targets are 4-40 px, often slow or stopped, seen by a camera
that pans, orbits and shakes, and each update must cost well under a millisecond on the
GUI process. Learned trackers are out of budget, and generic ones (MIL, KCF) treat a
5 px person like a face: they drift onto texture. What works at this scale is

1. **Where to look.** The image motion of the target is split into the motion of the
   ground around it (phase correlation of a small grey patch centred on the target,
   previous frame vs this one — absorbs pan, orbit and jitter, also across skipped
   frames) plus the target's own velocity relative to the ground (smoothed, per frame).
   Stopped targets therefore stay put on the ground however the camera moves.
2. **What to look for.** Normalised cross-correlation (``TM_CCOEFF_NORMED``, colour) of
   a template — the box plus a little context — over a small window around that
   prediction, with a mild penalty for distance from it so that look-alike targets
   nearby (people in a crowd) do not steal the track. The peak is refined to sub-pixel.
3. **When to trust it.** The template is refreshed slowly only when the match is good,
   so it follows appearance changes without soaking up the background. The target is
   declared lost when the match stays poor for several frames; meanwhile its box coasts
   with the ground, and a strong match near it later picks it up again.

Everything works on patches a few times the target size, so the cost does not depend
on the frame size (about 0.1-0.3 ms per update).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from dronewatch.review.follow import (
    BoxXYXY,
    FollowResult,
    check_frames_elapsed,
    check_image,
    check_start_box,
)


@dataclass(frozen=True, slots=True)
class TemplateFollowerConfig:
    """Tuning of :class:`TemplateFollower` (defaults tuned on the simulator presets)."""

    context: float = 0.15  # template padding around the box, as a fraction of each side
    min_context_px: int = 2
    search_px: float = 5.0  # search radius around the prediction (one frame elapsed) ...
    search_rel: float = 0.4  # ... plus this fraction of the box's longer side
    max_search_px: int = 64
    distance_penalty: float = 0.1  # score lost at the search window's edge
    accept_score: float = 0.45  # peak correlation that counts as "found"
    learn_score: float = 0.7  # peak correlation above which the template is refreshed
    learn_rate: float = 0.05
    reacquire_score: float = 0.7  # peak correlation that ends a "lost" state
    lost_after: int = 6  # frames without a match before the target is declared lost
    velocity_gain: float = 0.1  # smoothing of the target's velocity over the ground
    max_velocity_px: float = 12.0  # per frame, relative to the ground
    ground_motion: bool = True  # estimate the ground's motion around the target
    ground_min_response: float = 0.05  # phase-correlation response worth trusting
    ground_px: float = 384.0  # side of the region (image px) whose motion is the ground's
    work_px: int = 32  # larger targets are matched on patches shrunk to this longer side


_GROUND_SIDE = 64  # side of the shrunk grey ground patch (px)


class _GroundRect(NamedTuple):
    x0: int
    y0: int
    x1: int
    y1: int
    factor: int  # shrink factor


class TemplateFollower:
    """Follows one target by template matching around a motion prediction.

    See the module docstring for the why. Positions are kept in pixel-index coordinates
    (pixel ``i`` centred at ``i``); boxes in and out are continuous xyxy (pixel ``i``
    spans ``[i, i + 1)``).
    """

    def __init__(self, config: TemplateFollowerConfig | None = None) -> None:
        self.config = config or TemplateFollowerConfig()
        self._started = False
        self._center = np.zeros(2)  # pixel-index coordinates
        self._size = np.ones(2)  # box width, height (image px)
        self._scale = 1.0  # working px per image px (< 1 for large targets)
        self._pad = (0, 0)
        self._tsize = (1, 1)  # template width, height
        self._template = np.zeros((1, 1), np.float32)
        self._velocity = np.zeros(2)  # over the ground, px per frame
        self._ground_velocity = np.zeros(2)  # px per frame
        self._ground_patch: np.ndarray | None = None
        self._ground_rect_xyxy: _GroundRect | None = None
        self._misses = 0
        self._lost = False
        self._confidence = 1.0
        self._penalties: dict[int, np.ndarray] = {}
        self._windows: dict[tuple[int, int], np.ndarray] = {}

    # -- protocol ------------------------------------------------------------------

    def start(self, image: np.ndarray, xyxy: BoxXYXY) -> None:
        x0, y0, x1, y1 = check_start_box(image, xyxy)
        cfg = self.config
        w, h = x1 - x0, y1 - y0
        self._size = np.array([w, h])
        self._center = np.array([(x0 + x1) / 2 - 0.5, (y0 + y1) / 2 - 0.5])
        self._scale = min(1.0, cfg.work_px / max(w, h))
        ws, hs = max(2, round(w * self._scale)), max(2, round(h * self._scale))
        px = max(cfg.min_context_px, round(cfg.context * ws))
        py = max(cfg.min_context_px, round(cfg.context * hs))
        self._pad = (px, py)
        self._tsize = (ws + 2 * px, hs + 2 * py)
        self._template = self._patch(image, self._center, self._tsize)
        self._velocity = np.zeros(2)
        self._ground_velocity = np.zeros(2)
        self._store_ground(image)
        self._misses = 0
        self._lost = False
        self._confidence = 1.0
        self._started = True

    def update(self, image: np.ndarray, frames_elapsed: int = 1) -> FollowResult:
        if not self._started:
            raise RuntimeError("TemplateFollower.update() called before start()")
        check_image(image)
        k = check_frames_elapsed(frames_elapsed)
        if image.ndim != self._template.ndim:
            raise ValueError("images must keep the channel count the follower started with")
        cfg = self.config

        ground = self._ground_shift(image, k)
        predicted = self._center + ground + (0.0 if self._lost else self._velocity * k)
        side = float(self._size.max()) * self._scale
        radius = (cfg.search_px + cfg.search_rel * side) * (1.0 + 0.5 * (k - 1))
        if self._lost:
            radius *= 2.0
        m = int(min(math.ceil(radius), cfg.max_search_px))
        offset, score = self._match(image, predicted, m)
        threshold = cfg.reacquire_score if self._lost else cfg.accept_score

        if score >= threshold:
            found = predicted + offset
            if not self._lost:
                measured = (found - self._center - ground) / k
                g = cfg.velocity_gain
                self._velocity = (1 - g) * self._velocity + g * measured
                self._velocity = np.clip(self._velocity, -cfg.max_velocity_px, cfg.max_velocity_px)
            else:
                self._velocity = np.zeros(2)
            self._center = found
            self._misses = 0
            self._lost = False
            if score >= cfg.learn_score:
                fresh = self._patch(image, self._center, self._tsize)
                a = cfg.learn_rate
                cv2.addWeighted(self._template, 1 - a, fresh, a, 0.0, dst=self._template)
        else:
            # Coast with the ground (and, for a few frames, the target's own velocity).
            self._center = predicted
            self._misses += k
            if self._misses >= cfg.lost_after:
                self._lost = True
        self._confidence = max(0.0, min(1.0, score))
        self._store_ground(image)
        return FollowResult(self._box(), self._confidence, self._lost)

    # -- internals -----------------------------------------------------------------

    def _box(self) -> BoxXYXY:
        cx, cy = self._center + 0.5
        w, h = self._size
        return (float(cx - w / 2), float(cy - h / 2), float(cx + w / 2), float(cy + h / 2))

    def _patch(self, image: np.ndarray, center: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """Float32 working patch of ``size`` (w, h) centred on ``center`` (image px).

        Borders are replicated. For large targets the patch covers ``size / scale``
        image px, shrunk to ``size``.
        """
        c = (float(center[0]), float(center[1]))
        if self._scale >= 1.0:
            return cv2.getRectSubPix(image, size, c, None, cv2.CV_32F)
        big = (round(size[0] / self._scale), round(size[1] / self._scale))
        crop = cv2.getRectSubPix(image, big, c)
        return cv2.resize(crop, size, interpolation=cv2.INTER_AREA).astype(np.float32)

    def _match(self, image: np.ndarray, predicted: np.ndarray, m: int) -> tuple[np.ndarray, float]:
        """Best template position within ``m`` px of ``predicted``: (offset, peak score)."""
        tw, th = self._tsize
        # Integer-aligned search window, so the image is not re-interpolated every frame.
        base = np.round(predicted) if self._scale >= 1.0 else predicted
        window = self._patch(image, base, (tw + 2 * m, th + 2 * m))
        scores = cv2.matchTemplate(window, self._template, cv2.TM_CCOEFF_NORMED)
        np.nan_to_num(scores, copy=False)
        scores -= self._penalty(m)
        _, _, _, (ix, iy) = cv2.minMaxLoc(scores)
        dx = ix + _parabola_peak(scores, ix, iy, axis=1)
        dy = iy + _parabola_peak(scores, ix, iy, axis=0)
        peak = float(scores[iy, ix] + self._penalty(m)[iy, ix])
        return base - predicted + np.array([dx - m, dy - m]) / self._scale, peak

    def _penalty(self, m: int) -> np.ndarray:
        pen = self._penalties.get(m)
        if pen is None:
            r = np.arange(-m, m + 1, dtype=np.float32) / max(m, 1)
            pen = self.config.distance_penalty * (r[None, :] ** 2 + r[:, None] ** 2)
            pen = pen.astype(np.float32)
            self._penalties[m] = pen
        return pen

    def _store_ground(self, image: np.ndarray) -> None:
        if not self.config.ground_motion:
            return
        rect = self._ground_rect(image)
        self._ground_rect_xyxy = rect
        self._ground_patch = None if rect is None else _shrink_grey(image, rect)

    def _ground_rect(self, image: np.ndarray) -> _GroundRect | None:
        """Region whose motion stands for the ground's, and its shrink factor.

        Several times the target's size, so that neither the target nor a vehicle passing
        over it dominates the estimate; shrunk by an integer factor (the fast path of
        ``INTER_AREA``) to about ``_GROUND_SIDE`` px.
        """
        side = max(self.config.ground_px, 4.0 * float(self._size.max()))
        f = max(1, math.ceil(side / _GROUND_SIDE))
        half = f * _GROUND_SIDE / 2
        cx, cy = self._center
        height, width = image.shape[:2]
        x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
        x1, y1 = min(width, round(cx + half)), min(height, round(cy + half))
        w, h = (x1 - x0) // f * f, (y1 - y0) // f * f
        if w < 16 * f or h < 16 * f:
            return None
        return _GroundRect(x0, y0, x0 + w, y0 + h, f)

    def _ground_shift(self, image: np.ndarray, k: int) -> np.ndarray:
        """Motion of the ground around the target since the previous update (px)."""
        fallback = self._ground_velocity * k
        rect = self._ground_rect_xyxy
        if self._ground_patch is None or rect is None:
            return fallback
        current = _shrink_grey(image, rect)
        h, w = current.shape
        (dx, dy), response = cv2.phaseCorrelate(self._ground_patch, current, self._window(w, h))
        if response < self.config.ground_min_response or max(abs(dx), abs(dy)) > min(w, h) / 4:
            return fallback
        shift = np.array([dx, dy]) * rect.factor
        self._ground_velocity = 0.5 * self._ground_velocity + 0.5 * shift / k
        return shift

    def _window(self, w: int, h: int) -> np.ndarray:
        win = self._windows.get((w, h))
        if win is None:
            win = cv2.createHanningWindow((w, h), cv2.CV_32F)
            self._windows[(w, h)] = win
        return win


def _shrink_grey(image: np.ndarray, rect: _GroundRect) -> np.ndarray:
    """The image region ``rect`` shrunk by its factor, as float32 grey."""
    x0, y0, x1, y1, f = rect
    size = ((x1 - x0) // f, (y1 - y0) // f)
    small = cv2.resize(image[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
    if small.ndim == 3:
        small = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    return small.astype(np.float32)


def _parabola_peak(scores: np.ndarray, ix: int, iy: int, axis: int) -> float:
    """Sub-pixel offset of the peak along one axis from a parabola through 3 samples."""
    if axis == 1:
        if ix == 0 or ix == scores.shape[1] - 1:
            return 0.0
        a, b, c = scores[iy, ix - 1], scores[iy, ix], scores[iy, ix + 1]
    else:
        if iy == 0 or iy == scores.shape[0] - 1:
            return 0.0
        a, b, c = scores[iy - 1, ix], scores[iy, ix], scores[iy + 1, ix]
    denom = a - 2 * b + c
    if denom >= 0:
        return 0.0
    return float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5))
