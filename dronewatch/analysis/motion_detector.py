"""Independent-motion detector for a moving camera.

The background is the pixel-wise median of three past frames, each warped into the
current frame with the accumulated camera homography (so each is interpolated once, not
once per frame). A mover shows up where the current frame differs from that background
by more than the noise; a target that stopped fades out after the longest lag, which the
tracker bridges. Comparing against a whole window of the background (a grey-level
dilation/erosion) absorbs sub-pixel registration error on strong edges.

Why not MOG2 or two-frame differencing: MOG2 has no notion of camera motion and floods
on a pan; consecutive frames leave only slivers of a slow target. Lags of a fraction of
a second let a walker at 0.5 px/frame move clear of its old position.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig

MOTION_CONFIDENCE = 1.0


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


@dataclass(slots=True)
class _Past:
    image: np.ndarray
    to_current: np.ndarray  # homography from that frame to the current frame


class MotionDetector:
    """Feed work-resolution grey frames plus the camera homography, get movers.

    >>> det = MotionDetector(MotionDetectorConfig(), fps=25.0)
    >>> frame = np.full((90, 160), 100, np.uint8)
    >>> len(det.detect(frame, np.eye(3)).xyxy)
    0
    """

    def __init__(self, config: MotionDetectorConfig, fps: float) -> None:
        self._cfg = config
        self._lags = sorted({max(1, round(lag * fps)) for lag in config.reference_lags_s})
        self._history: deque[_Past] = deque(maxlen=self._lags[-1] + 1)
        self._thermal = config.thermal
        k = max(1, 2 * config.misregistration_radius + 1)
        self._window = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        c = max(1, config.close_kernel)
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (c, c))
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
        self._history.clear()

    def detect(self, gray: np.ndarray, hom: np.ndarray) -> DetectorOutput:
        """``gray``: current work frame; ``hom``: previous -> current homography."""
        cfg = self._cfg
        if cfg.blur_kernel > 1:
            gray = cv2.GaussianBlur(gray, (cfg.blur_kernel, cfg.blur_kernel), 0)
        for past in self._history:
            past.to_current = hom @ past.to_current
        self._history.append(_Past(gray, np.eye(3)))
        n = len(self._history)
        refs = [self._history[n - 1 - lag] for lag in self._lags if lag < n]
        hot = self._hot_blobs(gray) if self._thermal else None
        if not refs:
            return self._with_hot(_empty(), hot)
        h, w = gray.shape
        valid = np.full((h, w), 255, np.uint8)
        warped: list[np.ndarray] = []
        for past in refs:
            img = cv2.warpPerspective(past.image, past.to_current, (w, h), flags=cv2.INTER_LINEAR)
            if cfg.normalise_gain:
                img = _match_gain(img, gray)
            warped.append(img)
            _clip_valid(valid, past.to_current, w, h, cfg.border_margin)
        bg = _median(warped)
        # Foreground: outside the [min, max] of the background over a small window.
        above = cv2.subtract(gray, cv2.dilate(bg, self._window))
        below = cv2.subtract(cv2.erode(bg, self._window), gray)
        fg = cv2.max(above, below)
        thr = self._threshold(gray, bg, valid)
        hi = (fg > thr) & (valid > 0)
        if int(np.count_nonzero(hi)) > cfg.flood_fraction * max(int(np.count_nonzero(valid)), 1):
            # Global change (IR polarity switch, exposure jump, lost registration):
            # start the background again from this frame rather than flood.
            self._history.clear()
            self._history.append(_Past(gray, np.eye(3)))
            return _empty(global_change=True)
        lo = ((fg > 0.5 * thr) & (valid > 0)).astype(np.uint8)
        lo = cv2.morphologyEx(lo, cv2.MORPH_CLOSE, self._close)
        boxes = _components(lo, hi, cfg.min_area, cfg.max_area_fraction * h * w)
        out = DetectorOutput(
            boxes,
            np.full(len(boxes), MOTION_CONFIDENCE, np.float32),
            np.zeros(len(boxes), bool),
            False,
        )
        return self._with_hot(out, hot)

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


def _median(imgs: list[np.ndarray]) -> np.ndarray:
    if len(imgs) == 1:
        return imgs[0]
    if len(imgs) == 2:
        return cv2.addWeighted(imgs[0], 0.5, imgs[1], 0.5, 0)
    a, b, c = imgs[0], imgs[1], imgs[2]
    return cv2.max(cv2.min(a, b), cv2.min(cv2.max(a, b), c))


def _match_gain(ref: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Scale/offset ``ref`` so its robust brightness statistics match ``cur``."""
    r = ref[::8, ::8].astype(np.float32)
    c = cur[::8, ::8].astype(np.float32)
    keep = r > 0  # outside the warped area the reference is black
    if keep.sum() < 16:
        return ref
    r, c = r[keep], c[keep]
    r_lo, r_hi = np.percentile(r, (10, 90))
    c_lo, c_hi = np.percentile(c, (10, 90))
    if r_hi - r_lo < 4 or c_hi - c_lo < 4:
        return ref
    gain = (c_hi - c_lo) / (r_hi - r_lo)
    if abs(gain - 1) < 0.03 and abs(c_lo - r_lo) < 2:
        return ref
    return cv2.convertScaleAbs(ref, alpha=gain, beta=c_lo - gain * r_lo)


def _clip_valid(valid: np.ndarray, hom: np.ndarray, w: int, h: int, margin: int) -> None:
    """Zero ``valid`` outside the current-frame footprint of a warped past frame."""
    if np.allclose(hom, np.eye(3), atol=1e-6):
        if margin:
            valid[:margin] = 0
            valid[-margin:] = 0
            valid[:, :margin] = 0
            valid[:, -margin:] = 0
        return
    m = float(margin)
    corners = np.array([[m, m], [w - 1 - m, m], [w - 1 - m, h - 1 - m], [m, h - 1 - m]])
    p = np.hstack([corners, np.ones((4, 1))]) @ hom.T
    poly = np.round(p[:, :2] / p[:, 2:3]).astype(np.int32)
    footprint = np.zeros_like(valid)
    cv2.fillConvexPoly(footprint, poly, 255)
    cv2.bitwise_and(valid, footprint, dst=valid)


def _components(mask: np.ndarray, seeds: np.ndarray, min_area: int, max_area: float) -> np.ndarray:
    """Boxes (x1, y1, x2, y2) of connected regions of ``mask`` containing a seed pixel."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros((0, 4), np.float32)
    seeded = np.bincount(labels[seeds], minlength=n) > 0
    area = stats[:, cv2.CC_STAT_AREA]
    keep = seeded & (area >= min_area) & (area <= max_area)
    keep[0] = False
    s = stats[keep]
    if len(s) == 0:
        return np.zeros((0, 4), np.float32)
    x, y, bw, bh = (s[:, i].astype(np.float32) for i in range(4))
    return np.stack([x, y, x + bw, y + bh], axis=1)
