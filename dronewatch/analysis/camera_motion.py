"""Camera motion between consecutive frames: sparse optical flow + RANSAC homography.

Estimated once per frame on a small grey copy and shared by the detector (to warp its
background references) and the tracker (to warp its predictions), so the two never
disagree about where the camera went.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.analysis.config import CameraMotionConfig


@dataclass(frozen=True, slots=True)
class CameraMotion:
    """Camera motion at one frame, in work-image pixels.

    ``key_to_cur`` maps the current *key frame* onto this frame; it is measured
    directly against the key frame (not chained frame to frame), so it does not drift.
    ``new_key`` says this frame becomes the key frame for the frames that follow.
    ``ok`` is False when registration failed (the frame starts a new key).
    """

    prev_to_cur: np.ndarray
    key_to_cur: np.ndarray
    new_key: bool
    ok: bool


class CameraMotionEstimator:
    """Registers each work frame to a key frame with sparse optical flow + RANSAC.

    >>> est = CameraMotionEstimator(CameraMotionConfig())
    >>> img = np.random.default_rng(0).integers(0, 255, (180, 320), np.uint8)
    >>> est.update(img).prev_to_cur.shape
    (3, 3)
    """

    def __init__(self, config: CameraMotionConfig) -> None:
        self._cfg = config
        self._key: np.ndarray | None = None
        self._key_pts: np.ndarray | None = None
        self._key_to_prev = np.eye(3)  # flow-image coordinates
        self._last_step = np.eye(3)
        self._failures = 0
        self._scale = 1.0
        self._work_scale: tuple[float, np.ndarray, np.ndarray] = (1.0, np.eye(3), np.eye(3))
        self._key_cells: np.ndarray | None = None  # grid cell of each key-frame corner
        self.inlier_ratio = 1.0

    def reset(self) -> None:
        self._key = None

    def update(self, gray: np.ndarray) -> CameraMotion:
        """Feed the next work-resolution grey frame."""
        cfg = self._cfg
        h, w = gray.shape
        if w > cfg.flow_width:
            self._scale = cfg.flow_width / w
            size = (cfg.flow_width, round(h * self._scale))
            small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        else:
            self._scale = 1.0
            small = gray
        if self._key is None:
            self._set_key(small)
            return CameraMotion(np.eye(3), np.eye(3), False, True)
        key_to_cur = None
        if self._key_pts is not None and len(self._key_pts) >= cfg.min_inliers:
            key_to_cur = self._register(small)
        if key_to_cur is None:
            # Too little texture, or the trackable corners sit on a mover: assume the
            # camera held still since the last frame rather than throw the background
            # away (a real camera move then shows up as a flood and restarts it).
            self._failures += 1
            self._last_step = np.eye(3)
            if self._failures % cfg.retry_frames == 0:
                # Look for a better key frame; the view is assumed unchanged.
                old_key_to_cur = self._key_to_prev
                self._set_key(small)
                return CameraMotion(np.eye(3), self._to_work(old_key_to_cur), True, True)
            return CameraMotion(np.eye(3), self._to_work(self._key_to_prev), False, True)
        self._failures = 0
        step = key_to_cur @ np.linalg.inv(self._key_to_prev)
        self._last_step = step
        sh, sw = small.shape
        new_key = (
            _corner_shift(key_to_cur, sw, sh) > cfg.rekey_fraction * sh or self.inlier_ratio < 0.5
        )
        if new_key:
            self._set_key(small)
        else:
            self._key_to_prev = key_to_cur
        return CameraMotion(self._to_work(step), self._to_work(key_to_cur), new_key, True)

    def _to_work(self, hom: np.ndarray) -> np.ndarray:
        s = self._scale
        if s == 1.0:
            return hom
        if self._work_scale[0] != s:
            self._work_scale = (s, np.diag([1 / s, 1 / s, 1.0]), np.diag([s, s, 1.0]))
        _, up, down = self._work_scale
        return up @ hom @ down

    def _set_key(self, small: np.ndarray) -> None:
        self._key = small
        self._key_pts = self._find_corners(small)
        self._key_cells = None if self._key_pts is None else self._cell_of(self._key_pts)
        self._key_to_prev = np.eye(3)

    def _register(self, small: np.ndarray) -> np.ndarray | None:
        """Homography key -> current, tracking the key's corners from a prediction."""
        cfg = self._cfg
        assert self._key is not None and self._key_pts is not None
        predicted = self._last_step @ self._key_to_prev
        pts = self._key_pts.reshape(-1, 2).astype(np.float64)
        guess = warp_points(predicted, pts).astype(np.float32).reshape(-1, 1, 2)
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(
            self._key,
            small,
            self._key_pts,
            guess,
            winSize=(cfg.lk_window, cfg.lk_window),
            maxLevel=cfg.lk_levels,
            criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03),
            flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
        )
        good = status.reshape(-1) == 1
        if int(good.sum()) < cfg.min_inliers:
            return None
        assert self._key_cells is not None
        src, dst = self._key_pts.reshape(-1, 2)[good], nxt.reshape(-1, 2)[good]
        return self._fit(src, dst, self._key_cells[good])

    def _fit(
        self, src: np.ndarray, dst: np.ndarray, cells: np.ndarray | None = None
    ) -> np.ndarray | None:
        """``cells``: the grid cell of each of ``src`` (:meth:`_cell_of`; worked out here
        when not given)."""
        cfg = self._cfg
        if cfg.model == "affine":
            m, inliers = cv2.estimateAffinePartial2D(
                src, dst, method=cv2.RANSAC, ransacReprojThreshold=cfg.ransac_threshold
            )
            if m is None:
                return None
            hom = np.vstack([m, [0.0, 0.0, 1.0]])
        else:
            hom, inliers = cv2.findHomography(src, dst, cv2.RANSAC, cfg.ransac_threshold)
            if hom is None:
                return None
        n_in = int(inliers.sum()) if inliers is not None else 0
        self.inlier_ratio = n_in / max(len(self._key_pts) if self._key_pts is not None else 1, 1)
        if n_in < cfg.min_inliers:
            return None
        if cfg.min_inlier_spread > 0:
            # RANSAC keeps the largest agreeing set; over plain ground that can be one
            # big textured mover. Refused like any failed fit (the camera held still).
            held = inliers.ravel() > 0
            cells = self._cell_of(src) if cells is None else cells
            if _distinct(cells[held]) < cfg.min_inlier_spread * _distinct(cells):
                return None
        return hom.astype(np.float64)

    def _cell_of(self, pts: np.ndarray) -> np.ndarray:
        """The cell of the corner grid each of ``pts`` (key-frame pixels) lies in."""
        assert self._key is not None
        h, w = self._key.shape
        n = max(self._cfg.grid_cells, 1)
        pts = pts.reshape(-1, 2)
        cells = (pts[:, 1] * n // h).clip(0, n - 1) * n + (pts[:, 0] * n // w).clip(0, n - 1)
        return cells.astype(np.intp)

    def _find_corners(self, small: np.ndarray) -> np.ndarray | None:
        """Corners spread over a grid so one textured corner cannot own the fit."""
        cfg = self._cfg
        h, w = small.shape
        n = max(cfg.grid_cells, 1)
        per_cell = max(cfg.max_corners // (n * n), 4)
        found: list[np.ndarray] = []
        for gy in range(n):
            for gx in range(n):
                y0, y1 = gy * h // n, (gy + 1) * h // n
                x0, x1 = gx * w // n, (gx + 1) * w // n
                pts = cv2.goodFeaturesToTrack(
                    small[y0:y1, x0:x1],
                    maxCorners=per_cell,
                    qualityLevel=cfg.quality_level,
                    minDistance=cfg.min_distance,
                    blockSize=5,
                )
                if pts is not None:
                    found.append(pts.reshape(-1, 2) + np.array([x0, y0], np.float32))
        if not found:
            return None
        return np.concatenate(found).reshape(-1, 1, 2).astype(np.float32)


def _distinct(cells: np.ndarray) -> int:
    """How many different cells ``cells`` holds."""
    return int(np.count_nonzero(np.bincount(cells))) if len(cells) else 0


def warp_points(hom: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to (N, 2) points."""
    if len(pts) == 0:
        return pts.astype(np.float64)
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ hom.T
    return p[:, :2] / p[:, 2:3]


def local_scale(hom: np.ndarray) -> float:
    """Isotropic scale of the homography's linear part (zoom factor)."""
    return float(np.sqrt(abs(np.linalg.det(hom[:2, :2]))))


def _corner_shift(hom: np.ndarray, w: int, h: int) -> float:
    """Largest displacement of an image corner under ``hom`` (pan, roll and zoom alike)."""
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    return float(np.abs(warp_points(hom, corners) - corners).max())


_EYE = np.eye(3)


def is_identity(hom: np.ndarray, atol: float = 1e-9) -> bool:
    """Cheaper than np.allclose for one 3x3 matrix."""
    return float(np.abs(hom - _EYE).max()) <= atol
