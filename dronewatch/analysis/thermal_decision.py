"""Whether a feed is thermal imagery, decided on its first frame that shows something.

A thermal camera's picture reaches us as a grey colour frame (B = G = R, give or take a
decoder's constant offset between the channels). A colour frame can look grey too when
it shows nothing: the black frames a clip fades in from, or a plain overcast sky. And a
plain blue sky has channel differences as constant as a grey picture's, only far from
zero. So only a frame with some detail decides, however long the feed shows nothing
(it is treated as colour meanwhile), and only a picture whose channels agree to within
a small offset is grey.
"""

from __future__ import annotations

import cv2
import numpy as np

# Across a grey picture the channel differences vary by less than this (standard
# deviations of B - G and G - R, summed; measured: the real IR clip 0.0, the
# simulator's thermal sample 0.1, the faintest colour clip here 3.6) ...
GREY_SPREAD = 3.0
# ... and stay this close to zero on average (summed absolute means; the simulator's
# thermal sample has 5.0 from its encoder, colour clips 10 and up, a clear sky 60).
GREY_OFFSET = 12.0
# A frame whose grey levels vary less than this (standard deviation) shows nothing
# to decide on: a fade from black, an empty sky.
FEATURELESS_STD = 4.0


def grey_picture(bgr: np.ndarray) -> tuple[bool, bool]:
    """(whether ``bgr`` is a grey picture, whether it has enough detail to say so)."""
    if bgr.ndim == 2 or bgr.shape[2] == 1:
        return True, True
    h, w = bgr.shape[:2]
    small = cv2.resize(bgr, (max(w // 8, 1), max(h // 8, 1)), interpolation=cv2.INTER_AREA)
    sample = small.astype(np.int16)  # averaged: codec chroma noise cancels
    b_g = sample[..., 0] - sample[..., 1]
    g_r = sample[..., 1] - sample[..., 2]
    spread = float(np.std(b_g)) + float(np.std(g_r))
    offset = abs(float(np.mean(b_g))) + abs(float(np.mean(g_r)))
    detail = float(np.std(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))) >= FEATURELESS_STD
    return spread < GREY_SPREAD and offset < GREY_OFFSET, detail


class ThermalDecision:
    """Watches a feed's frames until one can say whether the feed is thermal.

    ``thermal`` is None while undecided (the feed is treated as colour meanwhile)."""

    def __init__(self, thermal: bool | None = None) -> None:
        self.thermal = thermal

    def see(self, bgr: np.ndarray) -> None:
        """Look at the next frame, unless the feed is decided already (a look costs a
        resize to an eighth of the frame's size)."""
        if self.thermal is not None:
            return
        grey, detail = grey_picture(bgr)
        if detail:
            self.thermal = grey
