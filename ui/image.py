"""ndarray to QImage without copying, and without letting Python free what Qt reads."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


class FrameImage:
    """A QImage that wraps a BGR frame's own buffer and keeps the array alive with it."""

    __slots__ = ("array", "image")

    def __init__(self, bgr: np.ndarray) -> None:
        if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
            raise ValueError(f"expected HxWx3 uint8 BGR, got shape {bgr.shape} dtype {bgr.dtype}")
        if not bgr.flags.c_contiguous:
            bgr = np.ascontiguousarray(bgr)
        self.array = bgr  # QImage reads this memory: it must outlive the image
        height, width = bgr.shape[:2]
        self.image = QImage(bgr.data, width, height, bgr.strides[0], QImage.Format.Format_BGR888)
