"""Set operations on the 0/255 uint8 masks the detector and backgrounds pass around."""

from __future__ import annotations

import cv2
import numpy as np


def minus(mask: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The pixels of ``mask`` not in ``other`` (0/255 masks both): one saturating
    subtract instead of a bitwise_not and a bitwise_and."""
    return cv2.subtract(mask, other)
