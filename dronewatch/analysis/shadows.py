"""Cast-shadow removal for motion blobs.

A target's shadow moves with it, so background subtraction reports target + shadow as
one blob; from a drone in sunshine a walker's shadow is longer than the walker and the
box is then mostly shadow. A shadow scales the ground's brightness by one factor that
is the same everywhere in the scene (sun and sky are shared), so the ratio
current / background of shadow pixels piles up at that factor, while targets spread
over all ratios. The detector learns the factor from a decaying histogram of the
ratios of darkened foreground pixels and removes pixels near it. Without a clear peak
(overcast, night, thermal) nothing is removed.
"""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig

_BINS = 64  # ratio resolution 1/64


class ShadowModel:
    """Learns the shadow darkening ratio of a feed; see the module docstring."""

    def __init__(self, config: MotionDetectorConfig) -> None:
        self._cfg = config
        self._hist = np.zeros(_BINS, np.float32)
        self._lo = round(config.shadow_ratio_min * _BINS)
        self._hi = round(config.shadow_ratio_max * _BINS)
        self.ratio: float | None = None  # the learnt factor, None when no clear peak

    def mask(self, cur: np.ndarray, bg8: np.ndarray, dark: np.ndarray) -> np.ndarray | None:
        """Update the histogram with this frame's darkened pixels ``dark``; return the
        mask of those that look like shadow, or None."""
        cfg = self._cfg
        ratio8 = cv2.divide(cur, cv2.max(bg8, 1), scale=float(_BINS))
        hist = cv2.calcHist([ratio8], [0], dark, [_BINS], [0, _BINS]).ravel()
        self._hist *= cfg.shadow_hist_decay
        self._hist += hist
        smooth = np.convolve(self._hist, np.ones(5, np.float32), "same")
        peak = int(np.argmax(smooth[self._lo : self._hi])) + self._lo
        total = float(self._hist[2 : _BINS - 2].sum())
        if total < cfg.shadow_min_pixels or smooth[peak] < cfg.shadow_peak_share * total:
            self.ratio = None
            return None
        self.ratio = peak / _BINS
        # Penumbra and blur sit between the shadow factor and 1: take more on that side.
        band = cv2.inRange(ratio8, peak - 3, peak + 6)
        return cv2.bitwise_and(band, dark)
