"""Grow the boxes of small targets on an empty background out to their faint rims.

The detector's threshold is set for the whole scene (texture, noise, misregistration),
so a target's box ends where the target differs from the background by that much.
Against an empty sky, where nothing else differs by more than a grey level or two, a
target's faint rim (a drone's thin arms, the glow around a warm airframe) is plainly
there, and the box an observer draws takes it in. Where a box's surroundings are
featureless in the median background and unchanged in the frame, it grows over the
pixels joined to it that differ from the median by more than a few grey levels (on
thermal feeds: are that much warmer), unless that rim touches another blob that goes
on past it (targets side by side on plain ground, whose rims meet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from dronewatch.analysis.config import MotionDetectorConfig

_SQUARE = np.ones((3, 3), np.uint8)
# The ground around a box is empty when, leaving out its rim and a gap of
# ``_RIM_GAP`` px, at least ``_MIN_GROUND_PX`` pixels are seen, ``_CALM_SHARE`` of
# them within ``clean_max`` of the median and ``_FLAT_SHARE`` featureless. Before the
# rim is looked for, a box is passed over unless ``_RING_SHARE`` of the ring from one
# to two margins out is both (a cheap first test on an integral image).
_RIM_GAP = 2
_MIN_GROUND_PX = 16
_CALM_SHARE = 0.9
_FLAT_SHARE = 0.5
_RING_SHARE = 0.4


@dataclass
class FaintEdges:
    """``cur``, the median background and ``valid`` (255 where the backgrounds hold
    the ground) are key-frame uint8 images of the same size. Differences are measured
    against the median alone: the running average holds a fresh trail behind any
    mover, where the mover's rim would go unseen. On thermal feeds (``warm_only``)
    only warmer counts, for the rim and for the ground around alike: ground colder
    than the median (a warm target's ghost) counts as unchanged.

    A rim can reach at most a margin past the box and must reach ``min_reach``:
    boxes whose longer side is 4 px or less do not grow at the defaults."""

    cur: np.ndarray
    median: np.ndarray
    # The median's local range (max - min over the detector's misregistration window,
    # 3x3 at the default radius of 1).
    texture: np.ndarray
    valid: np.ndarray
    foreground: np.ndarray  # the detector's grown mask: a rim that reaches another
    # blob's pixels joins two targets, and the box stays as it is
    max_px: int  # boxes whose longer side is at most this many work px may grow
    margin: float  # ... by this share of their longer side (at least 2 px) on each side
    floor: float  # the rim differs from the background by more than this many levels
    # The ground around is empty when nine tenths of it differ from the background by
    # at most ``clean_max`` levels and half of it has a ``texture`` of at most
    # ``flat_max`` (an empty sky reads 0-1); see _CALM_SHARE and the rest above.
    clean_max: float
    flat_max: float
    min_reach: float  # the rim reaches at least this many px past the box (a thinner
    # fringe is the optics' blur, which every target has and the threshold cuts alike)
    # Thermal: the rim is warmer than the background. A warm target's glow is; the
    # trail a slow one leaves where the background has learnt some of it is colder.
    warm_only: bool = False
    _empty_sum: np.ndarray | None = field(default=None, init=False, repr=False)

    @classmethod
    def of(
        cls,
        config: MotionDetectorConfig,
        cur: np.ndarray,
        median: np.ndarray,
        texture: np.ndarray,
        valid: np.ndarray,
        foreground: np.ndarray,
        *,
        warm_only: bool,
    ) -> FaintEdges:
        """With the detector's ``faint_edge_*`` settings."""
        return cls(
            cur,
            median,
            texture,
            valid,
            foreground,
            config.faint_edge_max_px,
            config.faint_edge_margin,
            config.faint_edge_floor,
            config.faint_edge_clean_max,
            config.faint_edge_flat_max,
            config.faint_edge_min_reach,
            warm_only,
        )

    def grow(self, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``boxes`` (N, 4) x1, y1, x2, y2 with those on empty ground grown, which of
        them grew, and which lie on empty ground (grown or not)."""
        out = boxes.copy()
        grown = np.zeros(len(boxes), bool)
        empty = np.zeros(len(boxes), bool)
        for i, box in enumerate(boxes):
            empty[i], extent = self._grown(box)
            if extent is not None:
                out[i] = extent
                grown[i] = True
        return out, grown, empty

    def empty_around(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        """Whether the box (x1, y1, x2, y2; key-frame px) lies on empty ground."""
        return self._rim(x1, y1, x2, y2) is not None

    def _rim(self, x1: int, y1: int, x2: int, y2: int) -> tuple[np.ndarray, tuple[int, int]] | None:
        """The box's faint rim (a mask over the window, box included) and the window's
        top-left corner, or None unless the ground around them is empty (see
        ``_MIN_GROUND_PX``). The box (integer px) lies within the image."""
        windows = self._flat_windows(x1, y1, x2, y2)
        if windows is None:
            return None
        (wx1, wy1, wx2, wy2), (rx1, ry1, rx2, ry2) = windows
        # The backgrounds must have seen the ground the rim may cover.
        if cv2.countNonZero(self.valid[ry1:ry2, rx1:rx2]) < (ry2 - ry1) * (rx2 - rx1):
            return None
        diff = self._difference(wx1, wy1, wx2, wy2)
        reach = np.zeros(diff.shape, np.uint8)
        reach[ry1 - wy1 : ry2 - wy1, rx1 - wx1 : rx2 - wx1] = 1
        faint = cv2.bitwise_and(cv2.compare(diff, self.floor, cv2.CMP_GT), reach)
        box = np.zeros(diff.shape, bool)
        box[y1 - wy1 : y2 - wy1, x1 - wx1 : x2 - wx1] = True
        rim = _parts_touching(faint, box)
        rim[box] = 1
        around = cv2.dilate(rim, _SQUARE, iterations=_RIM_GAP) == 0
        around &= self.valid[wy1:wy2, wx1:wx2] > 0
        if np.count_nonzero(around) < _MIN_GROUND_PX:
            return None
        if not _mostly(diff[around] <= self.clean_max, _CALM_SHARE):
            return None
        if not _mostly(self.texture[wy1:wy2, wx1:wx2][around] <= self.flat_max, _FLAT_SHARE):
            return None
        return rim, (wx1, wy1)

    def _flat_windows(
        self, x1: int, y1: int, x2: int, y2: int
    ) -> tuple[tuple[int, int, int, int], tuple[int, int, int, int]] | None:
        """The box's window out to two margins and its reach out to one (integer px,
        clipped to the image: the rim is looked for within the reach, the ground
        judged in the window), or None for a box too big to grow or one whose ring
        between the two is not ``_RING_SHARE`` empty (most boxes, on textured
        ground, stop here at the cost of a few lookups in an integral image)."""
        side = max(x2 - x1, y2 - y1)
        if side > self.max_px:
            return None
        h, w = self.cur.shape
        m = max(2, math.ceil(float(self.margin) * side))
        window = max(x1 - 2 * m, 0), max(y1 - 2 * m, 0), min(x2 + 2 * m, w), min(y2 + 2 * m, h)
        reach = max(x1 - m, 0), max(y1 - m, 0), min(x2 + m, w), min(y2 + m, h)
        (wx1, wy1, wx2, wy2), (rx1, ry1, rx2, ry2) = window, reach
        count = self._empty_count()
        ring_size = (wx2 - wx1) * (wy2 - wy1) - (rx2 - rx1) * (ry2 - ry1)
        ring = _box_sum(count, *window) - _box_sum(count, *reach)
        return (window, reach) if ring >= _RING_SHARE * ring_size else None

    def _empty_count(self) -> np.ndarray:
        """A running count (integral image) of the pixels that are featureless in the
        background and unchanged in the frame; made on first use."""
        if self._empty_sum is None:
            h, w = self.cur.shape
            flat = cv2.compare(self.texture, self.flat_max, cv2.CMP_LE)
            calm = cv2.compare(self._difference(0, 0, w, h), self.clean_max, cv2.CMP_LE)
            empty = cv2.bitwise_and(cv2.bitwise_and(flat, calm), self.valid) // 255
            self._empty_sum = cv2.integral(empty, sdepth=cv2.CV_32S)
        return self._empty_sum

    def _grown(self, box: np.ndarray) -> tuple[bool, np.ndarray | None]:
        """Whether the box lies on empty ground, and its extent grown over its rim
        (None: it does not grow)."""
        h, w = self.cur.shape
        x1, y1 = max(int(np.floor(box[0])), 0), max(int(np.floor(box[1])), 0)
        x2, y2 = min(int(np.ceil(box[2])), w), min(int(np.ceil(box[3])), h)
        if x2 <= x1 or y2 <= y1:
            return False, None
        found = self._rim(x1, y1, x2, y2)
        if found is None:
            return False, None
        rim, (wx1, wy1) = found
        if self._meets_another(rim, x1 - wx1, y1 - wy1, x2 - wx1, y2 - wy1, wx1, wy1):
            return True, None
        ys, xs = np.nonzero(rim)
        out = np.array(
            [
                min(box[0], xs.min() + wx1),
                min(box[1], ys.min() + wy1),
                max(box[2], xs.max() + 1 + wx1),
                max(box[3], ys.max() + 1 + wy1),
            ],
            box.dtype,
        )
        if float(np.abs(out - box).max()) < self.min_reach:
            return True, None
        return True, out

    def _meets_another(
        self, rim: np.ndarray, bx1: int, by1: int, bx2: int, by2: int, wx1: int, wy1: int
    ) -> bool:
        """Whether the rim (window px; the box at bx1..bx2, by1..by2) reaches a blob
        of the foreground that goes on past it: a neighbouring target, whose rim
        meets this one's on plain ground. Blobs wholly inside the rim are parts of
        this target (a drone's arms)."""
        h, w = rim.shape
        others = self.foreground[wy1 : wy1 + h, wx1 : wx1 + w].copy()
        others[by1:by2, bx1:bx2] = 0
        touch = cv2.bitwise_and(others, rim) > 0
        if not touch.any():
            return False
        return bool((_parts_touching(others, touch) & (rim == 0)).any())

    def _difference(self, x1: int, y1: int, x2: int, y2: int) -> np.ndarray:
        """How far the frame is from the median background in the window (thermal: how
        much warmer)."""
        cur, median = self.cur[y1:y2, x1:x2], self.median[y1:y2, x1:x2]
        return cv2.subtract(cur, median) if self.warm_only else cv2.absdiff(cur, median)


def _parts_touching(mask: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The 8-connected parts of ``mask`` (uint8) with a pixel in ``where`` (bool, same
    shape), as a 0/1 uint8 mask; by a table over the labels (np.isin sorts)."""
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    table = np.zeros(count, np.uint8)
    table[labels[where]] = 1
    table[0] = 0
    return table[labels]


def _mostly(flags: np.ndarray, share: float) -> bool:
    """Whether at least ``share`` of ``flags`` (a non-empty bool array) are set."""
    return np.count_nonzero(flags) >= share * flags.size


def _box_sum(integral: np.ndarray, x1: int, y1: int, x2: int, y2: int) -> int:
    """The sum over [y1:y2, x1:x2] of the image ``integral`` was made from."""
    return int(integral[y2, x2] - integral[y1, x2] - integral[y2, x1] + integral[y1, x1])
