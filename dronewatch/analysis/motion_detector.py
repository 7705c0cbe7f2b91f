"""Independent-motion detector for a moving camera.

The background is a running average kept in the coordinates of a *key frame*: each new
frame is warped into key-frame coordinates with the accumulated camera homography,
compared, and blended in. The background itself is only re-warped when the view has
moved far enough to need a new key frame, so repeated interpolation never blurs it (a
background warped every frame smears edges by a pixel or two within a second).
Comparing against the background's min/max over a small window absorbs sub-pixel
registration error and parallax on strong edges.

Why not MOG2 or two-frame differencing: MOG2 has no notion of camera motion and floods
on a pan; consecutive frames leave only slivers of a slow target. A background with a
memory of about a second lets a walker at 0.5 px/frame stand clear of it; pixels under
a detected mover learn ten times slower so targets do not burn into the background.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig

MOTION_CONFIDENCE = 1.0
_MAX_AGE_CODE = 63  # age codes 0..63; +64 under a mover; 128 = outside the view


@dataclass(frozen=True, slots=True)
class DetectorOutput:
    """Boxes in work-image pixels and whether the frame was a global change."""

    xyxy: np.ndarray  # (N, 4) float32
    confidence: np.ndarray  # (N,) float32
    hot: np.ndarray  # (N,) bool: found as a warm blob rather than a mover
    global_change: bool


def _empty(global_change: bool = False) -> DetectorOutput:
    return DetectorOutput(
        np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, bool), global_change
    )


class MotionDetector:
    """Feed work-resolution grey frames plus the camera homography, get movers.

    >>> det = MotionDetector(MotionDetectorConfig(), fps=25.0)
    >>> frame = np.full((90, 160), 100, np.uint8)
    >>> len(det.detect(frame, np.eye(3)).xyxy)
    0
    """

    def __init__(self, config: MotionDetectorConfig, fps: float) -> None:
        self._cfg = config
        self._thermal = config.thermal
        k = max(1, 2 * config.misregistration_radius + 1)
        self._window = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        c = max(1, config.close_kernel)
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (c, c))
        self._min_age = max(1, round(config.warmup_s * fps))
        alpha = 1.0 / max(config.learning_time_s * fps, 1.0)
        max_step = config.max_step_per_s / max(fps, 1.0)
        rate = np.zeros(256, np.float32)
        cap = np.zeros(256, np.float32)
        for age in range(_MAX_AGE_CODE + 1):
            young = age < self._min_age
            rate[age] = rate[age + 64] = max(alpha, 1.0 / (age + 1))
            cap[age] = 255.0 if young else max_step
            cap[age + 64] = 255.0 if young else max_step * config.foreground_learning_factor
        stable_rate = 1.0 / max(config.stable_learning_s * fps, 1.0)
        rate[192:] = stable_rate
        cap[192:] = 255.0
        self._rate_lut, self._cap_lut = rate, cap
        fast_alpha = 1.0 / max(config.stable_time_s * fps, 1.0)
        self._fast_lut = np.array(
            [max(fast_alpha, 1.0 / (min(i, _MAX_AGE_CODE) + 1)) for i in range(256)], np.float32
        )
        self._fast: np.ndarray | None = None  # short-memory background (float32)
        self._bg: np.ndarray | None = None  # float32, key-frame coordinates
        self._age: np.ndarray | None = None  # uint8 frames of history per pixel
        self._key_to_cur = np.eye(3)
        self.noise_threshold = config.threshold_min

    @property
    def thermal(self) -> bool:
        return bool(self._thermal)

    def decide_thermal(self, bgr: np.ndarray) -> None:
        """Grey-scale colour frames (B = G = R) are taken to be thermal imagery."""
        if self._thermal is None:
            sample = bgr[::8, ::8].astype(np.int16)
            spread = np.abs(sample[..., 0] - sample[..., 1]) + np.abs(
                sample[..., 1] - sample[..., 2]
            )
            self._thermal = bool(spread.mean() < 3.0)

    def reset(self) -> None:
        self._bg = None
        self._age = None

    def _restart(self, gray: np.ndarray) -> None:
        self._bg = gray.astype(np.float32)
        self._fast = self._bg.copy()
        self._age = np.ones(gray.shape, np.uint8)
        self._key_to_cur = np.eye(3)

    def detect(self, gray: np.ndarray, hom: np.ndarray) -> DetectorOutput:
        """``gray``: current work frame; ``hom``: previous -> current homography."""
        cfg = self._cfg
        if cfg.blur_kernel > 1:
            gray = cv2.GaussianBlur(gray, (cfg.blur_kernel, cfg.blur_kernel), 0)
        hot = self._hot_blobs(gray) if self._thermal else None
        if self._bg is None or self._age is None:
            self._restart(gray)
            return self._with_hot(_empty(), hot)
        h, w = gray.shape
        self._key_to_cur = hom @ self._key_to_cur
        if _corner_shift(self._key_to_cur, w, h) > cfg.rekey_fraction * h:
            self._rekey(w, h)
        key_to_cur = self._key_to_cur
        identity = bool(np.allclose(key_to_cur, np.eye(3), atol=1e-6))
        if identity:
            cur = gray
            view = np.full((h, w), 255, np.uint8)
            _clear_border(view, cfg.border_margin)
        else:
            cur_to_key = np.linalg.inv(key_to_cur)
            cur = cv2.warpPerspective(gray, cur_to_key, (w, h), flags=cv2.INTER_LINEAR)
            view = _footprint(cur_to_key, w, h, cfg.border_margin)
        bg, age = self._bg, self._age
        valid = cv2.bitwise_and(view, cv2.compare(age, self._min_age, cv2.CMP_GE))
        bg8 = cv2.convertScaleAbs(bg)
        if cfg.normalise_gain:
            cur = _match_gain(cur, bg8, valid)
        above = cv2.subtract(cur, cv2.dilate(bg8, self._window))
        below = cv2.subtract(cv2.erode(bg8, self._window), cur)
        fg = cv2.max(above, below)
        thr = self._threshold(cur, bg8, valid)
        hi = cv2.bitwise_and(cv2.compare(fg, thr, cv2.CMP_GT), valid)
        if self._flooded(hi, valid):
            # Global change (IR polarity switch, exposure jump, lost registration):
            # start the background again from this frame rather than flood.
            self._restart(gray)
            return _empty(global_change=True)
        lo = cv2.bitwise_and(cv2.compare(fg, cfg.hysteresis * thr, cv2.CMP_GT), valid)
        lo = cv2.morphologyEx(lo, cv2.MORPH_CLOSE, self._close)
        self._learn(cur, lo, view, thr)
        boxes = _components(lo, hi, cfg.min_area, cfg.max_area_fraction * h * w)
        if not identity and len(boxes):
            boxes = _warp_boxes(boxes, key_to_cur)
        out = DetectorOutput(
            boxes,
            np.full(len(boxes), MOTION_CONFIDENCE, np.float32),
            np.zeros(len(boxes), bool),
            False,
        )
        return self._with_hot(out, hot)

    def _flooded(self, hi: np.ndarray, valid: np.ndarray) -> bool:
        """Foreground spread over much of the view, not gathered in a few blobs."""
        cfg = self._cfg
        n_valid = cv2.countNonZero(valid)
        if n_valid == 0:
            return False
        if cv2.countNonZero(hi) > cfg.flood_fraction * n_valid:
            return True
        cells = cv2.resize(hi, (8, 8), interpolation=cv2.INTER_AREA)
        cells_valid = cv2.resize(valid, (8, 8), interpolation=cv2.INTER_AREA)
        busy = np.count_nonzero(cells > 255 * cfg.flood_cell_fraction)
        return busy > cfg.flood_cells * max(np.count_nonzero(cells_valid > 128), 1)

    def _learn(self, cur: np.ndarray, movers: np.ndarray, view: np.ndarray, thr: float) -> None:
        """Blend the frame into the background.

        A running average whose per-frame step is capped: noise and lighting drift are
        followed at the averaging rate, but a target passing over a pixel (a large
        difference) moves the background only by the cap, and slower still where a
        mover was detected; a ghost left by a target in the first frame fades at the
        cap rate. Young pixels (just come into view) learn at 1/age, uncapped.

        A second, short-memory average tells ghosts from movers: where the current
        frame has matched it for a while the scene is stable there, so the background
        learns it quickly (a ghost vanishes; a target that stopped is absorbed and the
        tracker holds it).
        """
        assert self._bg is not None and self._age is not None
        code = cv2.min(self._age, _MAX_AGE_CODE)
        code = cv2.bitwise_or(code, cv2.bitwise_and(cv2.dilate(movers, self._close), 64))
        code = cv2.bitwise_or(code, cv2.bitwise_and(cv2.bitwise_not(view), 128))
        assert self._fast is not None
        fast_rate = cv2.LUT(cv2.min(self._age, _MAX_AGE_CODE), self._fast_lut)
        fast8 = cv2.convertScaleAbs(self._fast)
        stable = cv2.compare(cv2.absdiff(cur, fast8), self._cfg.stable_tolerance * thr, cv2.CMP_LT)
        code = cv2.bitwise_or(code, cv2.bitwise_and(cv2.bitwise_and(stable, view), 192))
        fstep = cv2.subtract(cur, self._fast, dtype=cv2.CV_32F)
        cv2.multiply(fstep, fast_rate, dst=fstep)
        cv2.add(self._fast, fstep, dst=self._fast, mask=view)
        step = cv2.subtract(cur, self._bg, dtype=cv2.CV_32F)
        cv2.multiply(step, cv2.LUT(code, self._rate_lut), dst=step)
        cap = cv2.LUT(code, self._cap_lut)
        cv2.min(step, cap, dst=step)
        cv2.max(step, -cap, dst=step)
        cv2.add(self._bg, step, dst=self._bg)
        cv2.add(self._age, cv2.bitwise_and(view, 1), dst=self._age)

    def _rekey(self, w: int, h: int) -> None:
        """Move the background into the current frame's coordinates (one interpolation)."""
        assert self._bg is not None and self._age is not None
        hom = self._key_to_cur
        self._bg = cv2.warpPerspective(
            self._bg, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        self._age = cv2.warpPerspective(self._age, hom, (w, h), flags=cv2.INTER_NEAREST)
        assert self._fast is not None
        self._fast = cv2.warpPerspective(
            self._fast, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        self._key_to_cur = np.eye(3)

    def _threshold(self, gray: np.ndarray, bg: np.ndarray, valid: np.ndarray) -> float:
        cfg = self._cfg
        step = 4
        d = gray[::step, ::step].astype(np.int16) - bg[::step, ::step]
        d = d[valid[::step, ::step] > 0]
        if d.size < 16:
            return cfg.threshold_min
        mad = float(np.median(np.abs(d - np.median(d)))) * 1.4826
        self.noise_threshold = max(cfg.threshold_min, cfg.threshold_sigma * mad)
        return self.noise_threshold

    def _hot_blobs(self, gray: np.ndarray) -> np.ndarray:
        cfg = self._cfg
        local = cv2.blur(gray, (cfg.hot_window, cfg.hot_window))
        hot = cv2.subtract(gray, local) > cfg.hot_threshold
        h, w = gray.shape
        return _components(hot.astype(np.uint8), hot, cfg.min_area, cfg.max_area_fraction * h * w)

    def _with_hot(self, out: DetectorOutput, hot: np.ndarray | None) -> DetectorOutput:
        if hot is None or len(hot) == 0:
            return out
        if len(out.xyxy):
            cx = (hot[:, 0] + hot[:, 2]) / 2
            cy = (hot[:, 1] + hot[:, 3]) / 2
            m = out.xyxy
            inside = (
                (cx[:, None] >= m[None, :, 0] - 2)
                & (cx[:, None] <= m[None, :, 2] + 2)
                & (cy[:, None] >= m[None, :, 1] - 2)
                & (cy[:, None] <= m[None, :, 3] + 2)
            ).any(axis=1)
            hot = hot[~inside]
        return DetectorOutput(
            np.concatenate([out.xyxy, hot]).astype(np.float32),
            np.concatenate([out.confidence, np.full(len(hot), self._cfg.hot_confidence)]).astype(
                np.float32
            ),
            np.concatenate([out.hot, np.ones(len(hot), bool)]),
            out.global_change,
        )


def _corner_shift(hom: np.ndarray, w: int, h: int) -> float:
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    p = np.hstack([corners, np.ones((4, 1))]) @ hom.T
    return float(np.abs(p[:, :2] / p[:, 2:3] - corners).max())


def _clear_border(mask: np.ndarray, margin: int) -> None:
    if margin:
        mask[:margin] = 0
        mask[-margin:] = 0
        mask[:, :margin] = 0
        mask[:, -margin:] = 0


def _footprint(cur_to_key: np.ndarray, w: int, h: int, margin: int) -> np.ndarray:
    """Mask (key-frame coordinates) of the pixels the current frame covers."""
    m = float(margin)
    corners = np.array([[m, m], [w - 1 - m, m], [w - 1 - m, h - 1 - m], [m, h - 1 - m]])
    p = np.hstack([corners, np.ones((4, 1))]) @ cur_to_key.T
    poly = np.round(p[:, :2] / p[:, 2:3]).astype(np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, poly, 255)
    _clear_border(mask, margin)
    return mask


def _warp_boxes(boxes: np.ndarray, hom: np.ndarray) -> np.ndarray:
    """Axis-aligned boxes through a homography (bounding box of the warped corners)."""
    x1, y1, x2, y2 = boxes.T
    pts = np.stack([np.stack([x1, y1]), np.stack([x2, y1]), np.stack([x2, y2]), np.stack([x1, y2])])
    pts = pts.transpose(2, 0, 1).reshape(-1, 2).astype(np.float64)  # (N*4, 2)
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ hom.T
    xy = (p[:, :2] / p[:, 2:3]).reshape(-1, 4, 2)
    return np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1).astype(np.float32)


def _match_gain(cur: np.ndarray, bg: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Scale/offset ``cur`` so its robust brightness statistics match the background."""
    step = 8
    keep = valid[::step, ::step] > 0
    if keep.sum() < 16:
        return cur
    c = cur[::step, ::step][keep].astype(np.float32)
    b = bg[::step, ::step][keep].astype(np.float32)
    c_lo, c_hi = np.percentile(c, (10, 90))
    b_lo, b_hi = np.percentile(b, (10, 90))
    if c_hi - c_lo < 4 or b_hi - b_lo < 4:
        return cur
    gain = (b_hi - b_lo) / (c_hi - c_lo)
    offset = b_lo - gain * c_lo
    if abs(gain - 1) < 0.03 and abs(offset) < 2:
        return cur
    return cv2.convertScaleAbs(cur, alpha=gain, beta=offset)


def _components(mask: np.ndarray, seeds: np.ndarray, min_area: int, max_area: float) -> np.ndarray:
    """Boxes (x1, y1, x2, y2) of connected regions of ``mask`` containing a seed pixel."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros((0, 4), np.float32)
    seeded = np.bincount(labels[seeds > 0], minlength=n) > 0
    area = stats[:, cv2.CC_STAT_AREA]
    keep = seeded & (area >= min_area) & (area <= max_area)
    keep[0] = False
    s = stats[keep]
    if len(s) == 0:
        return np.zeros((0, 4), np.float32)
    x, y, bw, bh = (s[:, i].astype(np.float32) for i in range(4))
    return np.stack([x, y, x + bw, y + bh], axis=1)
