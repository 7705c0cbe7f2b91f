"""Camera motion between consecutive frames: sparse optical flow + RANSAC homography.

Estimated once per frame on a small grey copy and shared by the detector (to warp its
background references) and the tracker (to warp its predictions), so the two never
disagree about where the camera went.
"""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.analysis.config import CameraMotionConfig


class CameraMotionEstimator:
    """Estimates the homography mapping the previous work frame onto the current one.

    >>> est = CameraMotionEstimator(CameraMotionConfig())
    >>> img = np.random.default_rng(0).integers(0, 255, (180, 320), np.uint8)
    >>> est.update(img).shape
    (3, 3)
    """

    def __init__(self, config: CameraMotionConfig) -> None:
        self._cfg = config
        self._prev: np.ndarray | None = None
        self._prev_pts: np.ndarray | None = None
        self._scale = 1.0
        self.inlier_ratio = 1.0
        self.ok = True  # False when the last estimate fell back to identity

    def reset(self) -> None:
        self._prev = None
        self._prev_pts = None

    def update(self, gray: np.ndarray) -> np.ndarray:
        """Feed the next work-resolution grey frame; return H (previous -> current)."""
        cfg = self._cfg
        h, w = gray.shape
        if w > cfg.flow_width:
            self._scale = cfg.flow_width / w
            small = cv2.resize(
                gray, (cfg.flow_width, round(h * self._scale)), interpolation=cv2.INTER_AREA
            )
        else:
            self._scale = 1.0
            small = gray
        prev, prev_pts = self._prev, self._prev_pts
        self._prev = small
        self._prev_pts = self._find_corners(small)
        if prev is None or prev_pts is None or len(prev_pts) < cfg.min_inliers:
            self.ok = prev is None
            return np.eye(3)
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(
            prev,
            small,
            prev_pts,
            None,
            winSize=(cfg.lk_window, cfg.lk_window),
            maxLevel=cfg.lk_levels,
            criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03),
        )
        good = status.reshape(-1) == 1
        src = prev_pts.reshape(-1, 2)[good]
        dst = nxt.reshape(-1, 2)[good]
        if len(src) < cfg.min_inliers:
            self.ok = False
            return np.eye(3)
        h_small = self._fit(src, dst)
        if h_small is None:
            self.ok = False
            return np.eye(3)
        self.ok = True
        s = self._scale
        scale = np.diag([s, s, 1.0])
        return np.linalg.inv(scale) @ h_small @ scale

    def _fit(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
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
        self.inlier_ratio = n_in / max(len(src), 1)
        if n_in < cfg.min_inliers:
            return None
        return hom.astype(np.float64)

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


def warp_points(hom: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to (N, 2) points."""
    if len(pts) == 0:
        return pts.astype(np.float64)
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ hom.T
    return p[:, :2] / p[:, 2:3]


def local_scale(hom: np.ndarray) -> float:
    """Isotropic scale of the homography's linear part (zoom factor)."""
    return float(np.sqrt(abs(np.linalg.det(hom[:2, :2]))))
