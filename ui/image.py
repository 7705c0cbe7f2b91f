"""ndarray to QImage without copying, and without letting Python free what Qt reads."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QImage


class FrameImage:
    """A QImage that wraps a frame's own buffer and keeps the array alive with it.

    With ``for_screen`` the BGR frame is first expanded to 32-bit BGRX (one OpenCV call,
    GIL released), which is Qt's native ``Format_RGB32`` on little-endian machines: the
    paint path then blits it without converting every repaint.
    """

    __slots__ = ("array", "image")

    def __init__(self, bgr: np.ndarray, for_screen: bool = False) -> None:
        if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
            raise ValueError(f"expected HxWx3 uint8 BGR, got shape {bgr.shape} dtype {bgr.dtype}")
        height, width = bgr.shape[:2]
        if for_screen and np.little_endian:
            bgrx = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
            self.array = bgrx  # QImage reads this memory: it must outlive the image
            self.image = QImage(
                bgrx.data, width, height, bgrx.strides[0], QImage.Format.Format_RGB32
            )
            return
        if not bgr.flags.c_contiguous:
            bgr = np.ascontiguousarray(bgr)
        self.array = bgr
        self.image = QImage(bgr.data, width, height, bgr.strides[0], QImage.Format.Format_BGR888)
