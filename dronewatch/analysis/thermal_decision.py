"""Whether a feed is thermal imagery, decided on its first frame that shows something.

A thermal camera's picture reaches us as a grey colour frame (B = G = R, give or take a
decoder's constant offset between the channels). A colour frame can look grey too when
it shows nothing: the black frames a clip fades in from, or a plain overcast sky. And a
plain blue sky has channel differences as constant as a grey picture's, only far from
zero. So only a frame with some detail decides, however long the feed shows nothing
(it is treated as colour meanwhile), and only a picture whose channels agree to within
a small offset is grey.

A grey picture is not always thermal: a monochrome visible camera, or a colour clip
made grey, shows people in dark coats and their shadows, darker than the ground,
where a thermal (white-hot) picture shows warm targets brighter than it. The thermal
path takes its warm blobs for targets and its dark ones for ghosts, and on such a
feed it does badly (pets09 made grey: MOTA -6.2 against 0.64 as daylight). So a grey
feed is taken for thermal at once, but its movers are watched for its first seconds:
when most of the pixels that differ from the backgrounds are darker than them, the
feed is daylight after all (see ``MotionDetectorConfig.thermal_min_bright_share``).
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


# Movers' pixels (differing from the backgrounds) a grey feed must show before their
# brightness decides; a feed that shows fewer stays thermal.
POLARITY_MIN_PIXELS = 1000
# A grey feed with too few movers to judge by this time stays thermal.
POLARITY_GIVE_UP_S = 30.0


class ThermalDecision:
    """Watches a feed's frames until one can say whether the feed is thermal, then, if
    it is, its movers (:meth:`see_movers`) until they say whether they are warm.

    ``thermal`` is None while undecided (the feed is treated as colour meanwhile).
    ``min_bright_share`` 0: a grey picture is thermal, whatever its movers."""

    def __init__(
        self,
        thermal: bool | None = None,
        *,
        min_bright_share: float = 0.0,
        after_frames: int = 75,
        give_up_frames: int = 750,
    ) -> None:
        self.thermal = thermal
        self._watch = thermal is None and min_bright_share > 0
        self._min_bright_share = min_bright_share
        self._after = after_frames
        self._give_up = max(give_up_frames, after_frames)
        self._bright = self._dark = self._frames = 0

    @property
    def watching_movers(self) -> bool:
        """Whether :meth:`see_movers` still counts: a grey feed in its first seconds."""
        return self._watch and self.thermal is True

    @property
    def may_turn_daylight(self) -> bool:
        """Whether the feed may yet be decided daylight by its movers: undecided, or
        grey with its movers still watched."""
        return self._watch and self.thermal is not False

    def see_movers(self, bright: int, dark: int) -> None:
        """One frame's mover pixels brighter and darker than the backgrounds. After
        ``after_frames`` of them with enough pixels, a feed whose movers are mostly
        darker is decided to be daylight, for good."""
        if not self.watching_movers:
            return
        self._bright += bright
        self._dark += dark
        self._frames += 1
        seen = self._bright + self._dark
        if self._frames >= self._after and seen >= POLARITY_MIN_PIXELS:
            self._watch = False
            if self._bright < self._min_bright_share * seen:
                self.thermal = False
        elif self._frames >= self._give_up:
            self._watch = False

    def see(self, bgr: np.ndarray) -> None:
        """Look at the next frame, unless the feed is decided already (a look costs a
        resize to an eighth of the frame's size)."""
        if self.thermal is not None:
            return
        grey, detail = grey_picture(bgr)
        if detail:
            self.thermal = grey
