"""OpenCV's MIL tracker behind the :class:`~dronewatch.review.follow.Follower` protocol.

The comparison baseline: the only single-object tracker the plain opencv-python wheel
ships without model files. It costs about 30 ms per update at 640x360, far over the
live budget, and it has no notion of skipped frames.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from dronewatch.review.follow import (
    BoxXYXY,
    FollowResult,
    check_frames_elapsed,
    check_image,
    check_start_box,
)


def mil_available() -> bool:
    """True when this OpenCV build has the MIL tracker."""
    return hasattr(cv2, "TrackerMIL_create") or hasattr(cv2, "TrackerMIL")


def _create_mil() -> Any:
    if hasattr(cv2, "TrackerMIL_create"):
        return cv2.TrackerMIL_create()
    if hasattr(cv2, "TrackerMIL"):
        return cv2.TrackerMIL.create()
    raise RuntimeError(f"OpenCV {cv2.__version__} has no MIL tracker (cv2.TrackerMIL)")


class MilFollower:
    """MIL tracker; ``lost`` after ``lost_after`` consecutive failed updates.

    MIL reports success or failure and a tracking score; ``confidence`` is that score
    clipped to [0, 1] (0 on failure).
    """

    def __init__(self, lost_after: int = 5) -> None:
        if not mil_available():
            raise RuntimeError(f"OpenCV {cv2.__version__} has no MIL tracker (cv2.TrackerMIL)")
        self.lost_after = lost_after
        self._tracker: Any = None
        self._box: BoxXYXY = (0.0, 0.0, 0.0, 0.0)
        self._misses = 0

    def start(self, image: np.ndarray, xyxy: BoxXYXY) -> None:
        box = check_start_box(image, xyxy)
        x0, y0 = round(box[0]), round(box[1])
        w = max(round(box[2] - box[0]), 2)
        h = max(round(box[3] - box[1]), 2)
        self._tracker = _create_mil()
        self._tracker.init(_bgr(image), (x0, y0, w, h))
        self._box = box
        self._misses = 0

    def update(self, image: np.ndarray, frames_elapsed: int = 1) -> FollowResult:
        if self._tracker is None:
            raise RuntimeError("MilFollower.update() called before start()")
        check_image(image)
        check_frames_elapsed(frames_elapsed)
        ok, rect = self._tracker.update(_bgr(image))
        if ok:
            x, y, w, h = (float(v) for v in rect)
            self._box = (x, y, x + w, y + h)
            self._misses = 0
            score = float(self._tracker.getTrackingScore())
            confidence = min(max(score, 0.0), 1.0)
        else:
            self._misses += 1
            confidence = 0.0
        return FollowResult(self._box, confidence, self._misses >= self.lost_after)


def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
