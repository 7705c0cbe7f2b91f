"""Cut a target's cast shadow off its blob: the darkened part at one ratio, to one side.

From a drone in sunshine a walker's shadow is as large as the walker and joined to it,
so the blob's box is about twice the walker's. Two things mark the shadow:
- a cast shadow darkens the ground under it by one factor (sun and sky are shared), so
  within the blob its pixels sit at one ratio to the background (UAV123 person12_1:
  0.25-0.30 for the shadow's pixels, while the walker's spread from 0.1 to 1.3);
- it lies to one side of the target, on the ground.
The ratio that counts is the one most blobs of the feed agree on: a black car on grey
asphalt is one flat ratio too, but cars differ from each other while every shadow in
a view darkens alike. A blob keeps its box unless a connected part of it at the
feed's shadow ratio is a fair share of it, lies off to one side, and leaves enough
of the blob behind; then the box is that of the rest.

A small blob darker than the ground all through, at the agreed ratio or a little
fainter (the soft tip of a long shadow), is a shadow on its own: the far end of a
walker's shadow parts from the walker in the mask, and the walker may not be in it
at all once the background has learnt them. Such blobs are no targets. Cars at the
shadow's ratio are larger (simulator day-pan seed 2: 147 of 151 blobs flat at one
dark ratio were cars), so only blobs up to a walker's shadow's size are dropped.

Global shadow models (one histogram of ratios over all darkened foreground) did not
hold on real footage: bush clutter seen from a low drone spreads the ratios and the
peak was found in 3% of person12_1's frames.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig

_BINS = 64  # ratio resolution: 1/64
_SQUARE3 = np.ones((3, 3), np.uint8)
_SQUARE2 = np.ones((2, 2), np.uint8)
_FIVE = np.ones(5)
_MIN_AREA = 12  # px: smaller blobs hold too few pixels to find a shadow in
_AGREE = 3  # bins: a blob's shadow is at the feed's ratio when this close to it
SHADOW_ALONE = (0, 0, 0, 0)
"""What :meth:`ShadowCut.box` returns for a blob that is a shadow on its own."""


class ShadowCut:
    """Per feed: the agreed shadow ratio, and the cut of one blob (see module doc)."""

    def __init__(
        self,
        *,
        min_ratio: float,
        max_ratio: float,
        band: float,
        min_share: float,
        min_rest: float,
        min_offset: float,
        agreement: float,
        lone_max_area: int = 0,
        lone_max_ratio: float = 0.9,
        lone_fainter: float = 0.19,
        decay: float = 0.998,
        min_votes: float = 20.0,
    ) -> None:
        self._lone_max_area = lone_max_area
        self._lone_max = round(lone_max_ratio * _BINS)
        self._lone_fainter = round(lone_fainter * _BINS)
        self._lo = round(min_ratio * _BINS)
        self._hi = min(round(max_ratio * _BINS), _BINS)
        self._band = round(band * _BINS)
        # The dark range's smoothed histogram runs over bins lo - band .. hi + band;
        # of it, the part within bins 0 .. _BINS.
        self._hist_from = max(0, self._band - self._lo)
        self._hist_to = min(self._hi + self._band, _BINS) - (self._lo - self._band) + 1
        self._min_share = min_share
        self._min_rest = min_rest
        self._min_offset = min_offset
        self._agreement = agreement
        self._decay = decay
        self._min_votes = min_votes
        self._votes = np.zeros(_BINS + 1, np.float64)
        self._window = np.ones(2 * self._band + 1)
        self._agreed_now: int | None = None  # _agreed() changes only with a vote

    @classmethod
    def from_config(cls, cfg: MotionDetectorConfig) -> ShadowCut:
        """The cut with the detector's ``shadow_cut_*`` settings."""
        return cls(
            min_ratio=cfg.shadow_cut_min_ratio,
            max_ratio=cfg.shadow_cut_max_ratio,
            band=cfg.shadow_cut_band,
            min_share=cfg.shadow_cut_min_share,
            min_rest=cfg.shadow_cut_min_rest,
            min_offset=cfg.shadow_cut_min_offset,
            agreement=cfg.shadow_cut_agreement,
            lone_max_area=cfg.shadow_alone_max_area,
            lone_max_ratio=cfg.shadow_alone_max_ratio,
            lone_fainter=cfg.shadow_alone_fainter,
        )

    def worth_a_look(self, area: int, n_dark: int | None) -> bool:
        """Whether a blob of ``area`` px can hold a shadow. ``n_dark``: the pixels of the
        darker-than-ground mask in the blob's crop, if there is such a mask; a shadow is
        darker than the ground, so blobs with little dark in them have none. Cheap,
        ahead of :meth:`box`."""
        if area < (_MIN_AREA if self._lone_max_area <= 0 else 1):
            return False
        return n_dark is None or n_dark >= self._min_share * area

    @property
    def ratio(self) -> float | None:
        """The shadow ratio the feed's blobs agree on so far, or None."""
        peak = self._agreed_now
        return None if peak is None else peak / _BINS

    def box(
        self, own: np.ndarray, cur: np.ndarray, ref: np.ndarray, min_area: int
    ) -> tuple[int, int, int, int] | None:
        """``own``: one blob's mask (uint8) over a crop; ``cur``/``ref``: the frame and
        its background over the same crop. The box (x, y, w, h in the crop) of the
        blob without its shadow, :data:`SHADOW_ALONE` when the blob is nothing but a
        shadow, or None to keep the blob's own box."""
        n = cv2.countNonZero(own)
        if n == 0:
            return None
        ratio = cv2.divide(cur, cv2.max(ref, 1), scale=float(_BINS))  # uint8, 1/64 steps
        if n < self._lone_max_area and self._alone(ratio[own > 0]):
            return SHADOW_ALONE
        if n < _MIN_AREA:
            return None
        dark = self._dark_histogram(ratio, own)
        if dark is None or int(dark.sum()) < self._min_share * n:
            return None
        # Integer counts: the smoothed sums are exact whatever the order of adding.
        hist = np.convolve(dark, self._window)[self._hist_from : self._hist_to]
        peak = int(hist.argmax())
        if hist[peak] > (1.0 - self._min_rest) * n:
            return None  # all of it at one dark ratio: a shadow alone, or a dark target
        mode = self._lo - self._band + self._hist_from + peak
        band = cv2.bitwise_and(cv2.inRange(ratio, mode - self._band, mode + self._band), own)
        shadow = _big_parts(band, self._min_share * n)
        if shadow is None:
            return None
        # Its penumbra (blur, compression) lies just outside the band.
        shadow = cv2.bitwise_and(cv2.dilate(shadow, _SQUARE3), own)
        rest = cv2.bitwise_and(own, cv2.bitwise_not(shadow))
        rest = cv2.morphologyEx(rest, cv2.MORPH_OPEN, _SQUARE2)
        if cv2.countNonZero(rest) < max(min_area, self._min_rest * n):
            return None  # (the count is the m00 of its moments, and cheaper)
        mr = cv2.moments(rest, binaryImage=True)
        ms = cv2.moments(shadow, binaryImage=True)
        dx = ms["m10"] / ms["m00"] - mr["m10"] / mr["m00"]
        dy = ms["m01"] / ms["m00"] - mr["m01"] / mr["m00"]
        if math.hypot(dx, dy) < self._min_offset * math.sqrt(n):
            return None  # dark all round (a dark car with a pale roof): no shadow beside it
        self._vote(mode)
        agreed = self._agreed_now
        if agreed is None or abs(mode - agreed) > _AGREE:
            return None
        x, y, w, h = cv2.boundingRect(rest)
        return int(x), int(y), int(w), int(h)

    def _alone(self, ratios: np.ndarray) -> bool:
        """Whether a small blob's pixel ratios (1/64 steps) are those of a shadow
        alone: every one darker than the ground, most at the agreed ratio or fainter."""
        agreed = self._agreed_now
        if agreed is None:
            return False
        ordered = np.sort(ratios)  # the median; np.median costs 10x more on a few pixels
        if int(ordered[-1]) > self._lone_max:
            return False
        typical = (float(ordered[(len(ordered) - 1) // 2]) + float(ordered[len(ordered) // 2])) / 2
        return agreed - _AGREE <= typical <= agreed + self._lone_fainter

    def _dark_histogram(self, ratio: np.ndarray, own: np.ndarray) -> np.ndarray | None:
        """The counts (float32, whole numbers) of ``own``'s pixels at each ratio of the
        dark range [lo, hi], in 1/64 bins; None for an empty range."""
        if self._hi < self._lo:
            return None
        bins = self._hi - self._lo + 1
        return cv2.calcHist([ratio], [0], own, [bins], [self._lo, self._hi + 1]).ravel()

    def _vote(self, mode: int) -> None:
        self._votes *= self._decay
        self._votes[mode] += 1.0
        self._agreed_now = self._agreed()

    def _agreed(self) -> int | None:
        total = float(self._votes.sum())
        if total < self._min_votes:
            return None
        smooth = np.convolve(self._votes, _FIVE, "same")
        peak = int(smooth.argmax())
        return peak if smooth[peak] >= self._agreement * total else None


def _big_parts(band: np.ndarray, min_area: float) -> np.ndarray | None:
    """The 4-connected parts of ``band`` (uint8 mask) of ``min_area`` px or more, as a
    0/255 mask; None if there is none."""
    if cv2.countNonZero(band) < min_area:
        return None  # not even all of it together
    # The labels alone and a bincount of them: cheaper than the labelling's own stats.
    count, labels = cv2.connectedComponents(band, connectivity=4)
    areas = np.bincount(labels.ravel(), minlength=count).tolist()
    big = [label for label in range(1, len(areas)) if areas[label] >= min_area]
    if not big:
        return None
    if len(big) == 1:
        return cv2.compare(labels, big[0], cv2.CMP_EQ)
    lut = np.zeros(len(areas), np.uint8)
    lut[big] = 255
    return lut[labels]
