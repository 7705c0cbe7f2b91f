"""Our single-object follower: motion-predicted template matching for small targets.

Why this design: operator targets are 4-40 px, often slow or stopped, seen by a camera
that pans, orbits and shakes, and each update must cost well under a millisecond on the
GUI process. Learned trackers are out of budget, and MIL, the one generic tracker the
plain OpenCV wheel ships, costs 30-40 ms and drifts off 5 px people onto texture
(``benchmarks/follow_benchmark.py``). What works at this scale is

1. **Where to look.** The image motion of the target is split into the motion of the
   ground around it (phase correlation, previous frame vs this one, of a region of
   about 384 px around the target shrunk to 64 px grey — wide, so that a vehicle
   passing over the target does not drag it along; absorbs pan, orbit and jitter, also
   across skipped frames) plus the target's own velocity relative to the ground
   (smoothed, per frame).
   Stopped targets therefore stay put on the ground however the camera moves.
2. **What to look for.** Normalised cross-correlation (``TM_CCOEFF_NORMED``, colour) of
   a template — the box plus a little context — over a small window around that
   prediction, with a mild penalty for distance from it so that look-alike targets
   nearby (people in a crowd) do not steal the track. The peak is refined to sub-pixel.
   Targets over ``work_px`` are matched on shrunk patches, and also 4 % smaller and
   larger each frame to follow zoom and approach.
3. **When to trust it.** The template is refreshed slowly only when the match is good,
   so it follows appearance changes without soaking up the background. The target is
   declared lost when the match stays poor for several frames; meanwhile its box coasts
   with the ground, and a strong match near it later picks it up again.

Everything works on patches a few times the target size (the ground region is shrunk
to 64 px), so the cost hardly depends on the frame size: about 0.4-0.6 ms per update at
640x360, 1-2 ms for a 300 px target at 1280x720 (measured on a busy 2-core machine).
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
    """Tuning of :class:`TemplateFollower`.

    Defaults tuned with ``benchmarks/follow_benchmark.py`` on the simulator presets and
    the two UAV123 clips. Distances are in working px (image px for targets up to
    ``work_px``).
    """

    context: float = 0.15  # template padding around the box, as a fraction of each side
    min_context_px: int = 2
    search_px: float = 5.0  # search radius around the prediction (one frame elapsed) ...
    search_rel: float = 0.25  # ... plus this fraction of the box's longer side
    max_search_px: int = 64
    distance_penalty: float = 0.1  # score lost at the search window's edge
    accept_score: float = 0.35  # peak correlation that counts as "found"
    learn_score: float = 0.6  # peak correlation above which the template is refreshed
    learn_rate: float = 0.07
    reacquire_score: float = 0.7  # peak correlation that ends a "lost" state
    lost_after: int = 6  # frames without a match before the target is declared lost
    velocity_gain: float = 0.1  # smoothing of the target's velocity over the ground
    max_velocity_px: float = 12.0  # per frame, relative to the ground
    ground_motion: bool = True  # estimate the ground's motion around the target
    ground_min_response: float = 0.05  # phase-correlation response worth trusting
    ground_px: float = 384.0  # side of the region (image px) whose motion is the ground's
    colour: bool = True  # match in colour (else grey: 3x cheaper matching)
    work_px: int = 32  # larger targets are matched on patches shrunk to this longer side
    scale_step: float = 1.04  # scale change tried each frame, both ways (large targets)
    scale_margin: float = 0.01  # correlation gain a scale change needs to win


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
        self._px = 1.0  # image px per working px (> 1 for large or zoomed-in targets)
        self._tsize = (1, 1)  # template width, height
        self._template = np.zeros((1, 1), np.float32)
        self._image_ndim = 3
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
        self._px = float(max(1, math.ceil(max(w, h) / cfg.work_px - 0.25)))
        ws, hs = max(2, round(w / self._px)), max(2, round(h / self._px))
        px = max(cfg.min_context_px, round(cfg.context * ws))
        py = max(cfg.min_context_px, round(cfg.context * hs))
        self._tsize = (ws + 2 * px, hs + 2 * py)
        self._template = self._patch(image, self._center, self._tsize)[0]
        self._image_ndim = image.ndim
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
        if image.ndim != self._image_ndim:
            raise ValueError("images must keep the channel count the follower started with")
        cfg = self.config

        ground = self._ground_shift(image, k)
        predicted = self._center + ground + (0.0 if self._lost else self._velocity * k)
        side = float(self._size.max()) / self._px
        radius = (cfg.search_px + cfg.search_rel * side) * (1.0 + 0.5 * (k - 1))
        if self._lost:
            radius *= 2.0
        m = int(min(math.ceil(radius), cfg.max_search_px))
        offset, score, scale = self._match(image, predicted, m, search_scale=not self._lost)
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
            if scale != 1.0 and float(self._size.min()) * scale >= 2.0:
                self._px *= scale
                self._size = self._size * scale
            self._misses = 0
            self._lost = False
            if score >= cfg.learn_score:
                fresh = self._patch(image, self._center, self._tsize)[0]
                a = cfg.learn_rate
                cv2.addWeighted(self._template, 1 - a, fresh, a, 0.0, dst=self._template)
        else:
            # Coast with the ground (and, for a few frames, the target's own velocity),
            # but keep the box over the image so that a wrong ground estimate while lost
            # cannot carry it away for good.
            height, width = image.shape[:2]
            self._center = np.clip(predicted, 0, [width - 1, height - 1])
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

    def _patch(
        self, image: np.ndarray, center: np.ndarray, size: tuple[int, int], px: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Float32 working patch of ``size`` (w, h) around ``center``, and its true centre.

        Each working px covers ``px`` image px (default: the follower's). At 1:1 the
        patch is sampled at ``center`` to sub-pixel; otherwise it is cut on the integer
        grid (its centre may differ from ``center`` by half a pixel) and resized, after
        keeping every (px // 2)-th pixel so that large targets cost little. Borders are
        replicated.
        """
        px = px or self._px
        if abs(px - 1.0) < 1e-3:
            c = (float(center[0]), float(center[1]))
            return self._channels(cv2.getRectSubPix(image, size, c, None, cv2.CV_32F)), center
        return self._grid_patch(image, center, size, px)

    def _grid_patch(
        self, image: np.ndarray, center: np.ndarray, size: tuple[int, int], px: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`_patch` but always cut on the integer grid: search windows at every
        scale are then sampled alike, so their correlations compare fairly."""
        w, h = max(1, round(size[0] * px)), max(1, round(size[1] * px))
        x0, y0 = round(center[0] + 0.5 - w / 2), round(center[1] + 0.5 - h / 2)
        crop = _crop(image, x0, y0, w, h, step=max(1, int(px // 2)))
        if crop.shape[1] == size[0] and crop.shape[0] == size[1]:
            return self._channels(crop.astype(np.float32)), np.array(
                [x0 + w / 2 - 0.5, y0 + h / 2 - 0.5]
            )
        inter = cv2.INTER_AREA if px > 1.0 else cv2.INTER_LINEAR
        patch = cv2.resize(crop, size, interpolation=inter).astype(np.float32)
        return self._channels(patch), np.array([x0 + w / 2 - 0.5, y0 + h / 2 - 0.5])

    def _channels(self, patch: np.ndarray) -> np.ndarray:
        if patch.ndim == 3 and not self.config.colour:
            return cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
        return patch

    def _match(
        self, image: np.ndarray, predicted: np.ndarray, m: int, search_scale: bool
    ) -> tuple[np.ndarray, float, float]:
        """Best template position within ``m`` working px of ``predicted``.

        Returns (offset from ``predicted`` in image px, peak correlation, scale change).
        When ``search_scale`` and the target is matched on shrunk patches, the window is
        also matched shrunk a little more and a little less; a scale wins only by a
        clear margin. (At 1:1 the "larger" candidate would be an enlarged, smoother
        window, which out-scores the others on blur alone and shrinks the box away; and
        a few per cent of a small target is under a pixel anyway.)
        """
        best = self._match_at(image, predicted, m, self._px)
        scale = 1.0
        cfg = self.config
        if search_scale and self._px >= cfg.scale_step:
            for s in (1.0 / cfg.scale_step, cfg.scale_step):
                cand = self._match_at(image, predicted, m, self._px * s)
                if cand[1] > best[1] + cfg.scale_margin:
                    best, scale = cand, s
        return best[0], best[1], scale

    def _match_at(
        self, image: np.ndarray, predicted: np.ndarray, m: int, px: float
    ) -> tuple[np.ndarray, float]:
        tw, th = self._tsize
        # Integer-aligned search window, so the image is not re-interpolated every frame.
        window, base = self._grid_patch(image, predicted, (tw + 2 * m, th + 2 * m), px)
        scores = cv2.matchTemplate(window, self._template, cv2.TM_CCOEFF_NORMED)
        np.nan_to_num(scores, copy=False)
        penalty = self._penalty(m)
        scores -= penalty
        _, _, _, (ix, iy) = cv2.minMaxLoc(scores)
        dx = ix + _parabola_peak(scores, ix, iy, axis=1)
        dy = iy + _parabola_peak(scores, ix, iy, axis=0)
        peak = float(scores[iy, ix] + penalty[iy, ix])
        return base - predicted + np.array([dx - m, dy - m]) * px, peak

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
        side = max(self.config.ground_px, 2.5 * float(self._size.max()))
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
        (dx, dy), response = cv2.phaseCorrelate(self._ground_patch, current, self._hanning(w, h))
        if response < self.config.ground_min_response or max(abs(dx), abs(dy)) > min(w, h) / 4:
            return fallback
        shift = np.array([dx, dy]) * rect.factor
        self._ground_velocity = 0.5 * self._ground_velocity + 0.5 * shift / k
        return shift

    def _hanning(self, w: int, h: int) -> np.ndarray:
        win = self._windows.get((w, h))
        if win is None:
            win = cv2.createHanningWindow((w, h), cv2.CV_32F)
            self._windows[(w, h)] = win
        return win


def _crop(image: np.ndarray, x0: int, y0: int, w: int, h: int, step: int = 1) -> np.ndarray:
    """Every ``step``-th pixel of ``image[y0:y0+h, x0:x0+w]``, the part outside the image
    replicated from its border (zeros when the region misses the image altogether)."""
    height, width = image.shape[:2]
    rows = _span(y0, h, height, step)
    cols = _span(x0, w, width, step)
    out_h, out_w = -(-h // step), -(-w // step)
    if rows is None or cols is None:
        return np.zeros((out_h, out_w, *image.shape[2:]), image.dtype)
    (r0, r1, top), (c0, c1, left) = rows, cols
    part = _subsample(image[r0:r1, c0:c1], step)
    bottom, right = out_h - top - part.shape[0], out_w - left - part.shape[1]
    if top == bottom == left == right == 0:
        return part
    return cv2.copyMakeBorder(part, top, bottom, left, right, cv2.BORDER_REPLICATE)


def _subsample(region: np.ndarray, step: int) -> np.ndarray:
    """Every ``step``-th pixel of ``region`` (nearest-neighbour resize: a strided copy in
    C, several times faster than numpy's for 3-channel images)."""
    if step == 1:
        return region
    h, w = region.shape[:2]
    return cv2.resize(region, (-(-w // step), -(-h // step)), interpolation=cv2.INTER_NEAREST)


def _span(start: int, length: int, limit: int, step: int) -> tuple[int, int, int] | None:
    """First and end index inside ``[0, limit)`` of ``start, start + step, ...`` (below
    ``start + length``), and how many samples fall before 0; None when none is inside."""
    skip = -(-max(0, -start) // step)
    first = start + skip * step
    end = min(start + length, limit)
    if first >= end:
        return None
    return first, end, skip


def _shrink_grey(image: np.ndarray, rect: _GroundRect) -> np.ndarray:
    """The image region ``rect`` shrunk by its factor, as float32 grey."""
    x0, y0, x1, y1, f = rect
    size = ((x1 - x0) // f, (y1 - y0) // f)
    # Sampling every (f // 2)-th pixel before the area average halves the cost for
    # large factors at a little aliasing, which phase correlation shrugs off.
    step = f // 2 or 1
    small = cv2.resize(_subsample(image[y0:y1, x0:x1], step), size, interpolation=cv2.INTER_AREA)
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
