"""From one frame's foreground mask to target boxes: which blobs count, and which box
each gets.

A blob is a connected region of the grown foreground holding at least one seed pixel
(a pixel above the full threshold). On top of that, each rule below is optional and
set per frame by the detector:
- streaks: thin, long blobs on their own are rain or slivers of misregistered edges;
- ghost edges: a blob whose outline is an edge in the background but not in the
  frame is a ghost (what the background remembers of a target that has left);
- warm part: a blob with a clearly brighter and a clearly darker part gets the box of
  its brighter part (the darker part is its shadow, or on a thermal feed the cold
  ghost it left in the background); on a thermal feed a blob with almost nothing
  warmer than the ground is such a ghost alone and is dropped. In daylight an upright
  blob whose brighter part is at its top keeps its whole box: that is a walker's face,
  hair or shoulders above darker clothes, not a target above its shadow; and so does
  a daylight blob on empty ground (an empty sky), where nothing can cast a shadow: a
  drone's dark arms and body are part of it;
- peak split: a blob over several targets is cut between the peaks of its
  difference from the background (:mod:`dronewatch.analysis.blob_split`);
- tracked split: a blob over the predicted centres of two tracked upright walkers is
  cut between them at its narrowest column;
- valley split: two upright figures side by side (walkers seen from an elevated
  camera) are cut at the dip between them in the blob's column profile;
- shadow cut: a blob's part at the feed's shadow ratio is cut off its box, and a
  small blob that is such a shadow alone is dropped
  (:mod:`dronewatch.analysis.shadow_cut`);
- pieces: the boxes of a blob under ``piece_area`` pixels are flagged as pieces, for
  the tracker to use only as part of a target (see ``MotionDetectorConfig.piece_area``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from dronewatch.analysis.blob_split import split_by_peaks
from dronewatch.analysis.faint_edges import FaintEdges
from dronewatch.analysis.shadow_cut import SHADOW_ALONE, ShadowCut

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class StreakRule:
    """Blobs at most ``width`` px thin and ``elongation`` times longer than thin are
    dropped unless they lie within ``keep_margin`` px of another blob's box: a thin
    piece next to a blob is the edge of a target, and dropping it would shrink that
    target's box. Thinness comes from the minimum-area rectangle, so diagonal lines
    count too."""

    width: float
    elongation: float
    keep_margin: float

    def is_streak(self, contour: np.ndarray, w: int, h: int) -> bool:
        if max(w, h) < self.elongation * self.width:
            return False
        _, (rw, rh), _ = cv2.minAreaRect(contour)
        thin = min(rw, rh)
        return thin <= self.width and max(rw, rh) >= self.elongation * max(thin, 1.0)

    def kept(self, streaks: list[Box], boxes: list[Box]) -> list[Box]:
        """The streaks lying next to one of ``boxes``."""
        if not streaks or not boxes:
            return []
        b = np.array(boxes, np.float32)
        m = self.keep_margin
        out = []
        for x0, y0, x1, y1 in streaks:
            beside_x = (b[:, 0] <= x1 + m) & (b[:, 2] >= x0 - m)
            if (beside_x & (b[:, 1] <= y1 + m) & (b[:, 3] >= y0 - m)).any():
                out.append((x0, y0, x1, y1))
        return out


@dataclass(frozen=True, slots=True)
class WarmPart:
    """One frame's pixels brighter and darker than the background (masks over the
    work frame), and the shares of a blob that make each part count."""

    bright: np.ndarray
    dark: np.ndarray
    bright_min_share: float
    dark_min_share: float
    min_warm_share: float = 0.0  # thermal: blobs with less than this warm are ghosts
    head_top: float = 0.0  # see :meth:`is_head`; 0 turns that test off
    head_upright: float = 1.5
    # Daylight: what tells empty ground (an empty sky) from ground a shadow can fall
    # on; blobs on empty ground keep their whole box. None: the cut applies everywhere.
    empty: FaintEdges | None = None

    def on_empty_ground(self, x: int, y: int, w: int, h: int) -> bool:
        """Whether the blob with this bounding box lies on empty ground."""
        return self.empty is not None and self.empty.empty_around(x, y, x + w, y + h)

    def is_head(self, by: int, bh: int, w: int, h: int) -> bool:
        """Whether a bright part at rows ``by``..``by + bh`` of an upright blob (``w``
        by ``h``, at least ``head_upright`` times taller than wide) is centred in its top
        ``head_top`` share: the head and shoulders of a walker in dark clothes."""
        return h >= self.head_upright * w and by + bh / 2 < self.head_top * h

    def is_ghost(self, n_bright: int, area: int) -> bool:
        return n_bright < self.min_warm_share * area

    def applies(self, n_bright: int, n_dark: int, area: int) -> bool:
        """Whether a blob of ``area`` px with ``n_bright`` bright and ``n_dark`` dark
        ones has both parts."""
        return n_bright >= max(2, self.bright_min_share * area) and (
            n_dark >= self.dark_min_share * area
        )


@dataclass(frozen=True, slots=True)
class PeakSplit:
    """Blobs of ``min_area`` to ``max_area`` pixels are cut at the peaks of ``signal``
    (the difference from the background) that rise above ``floor``; see
    :func:`~dronewatch.analysis.blob_split.split_by_peaks`."""

    signal: np.ndarray
    floor: float
    saddle_share: float
    min_distance: float
    min_area: int
    max_area: int
    # On empty ground (an empty sky) a blob is one target unless its dip falls under
    # ``empty_saddle``: a drone's warm rotors are hills parted by shallow dips.
    empty: FaintEdges | None = None
    empty_saddle: float = 0.0

    def takes(self, area: int) -> bool:
        """Whether a blob of ``area`` px may hold several targets."""
        return self.min_area <= area <= self.max_area

    def boxes(self, mask: np.ndarray, x: int, y: int) -> list[Box] | None:
        h, w = mask.shape
        signal = self.signal[y : y + h, x : x + w]
        found = split_by_peaks(mask, signal, self.floor, self.saddle_share, self.min_distance)
        if (
            found is not None
            and self.empty_saddle < self.saddle_share
            and self.empty is not None
            and self.empty.empty_around(x, y, x + w, y + h)
        ):
            found = split_by_peaks(mask, signal, self.floor, self.empty_saddle, self.min_distance)
        if found is None:
            return None
        return [(x + a, y + b, x + c, y + d) for a, b, c, d in found]


@dataclass(frozen=True, slots=True)
class ValleySplit:
    """Upright figures side by side in one blob (walkers seen from an elevated camera)
    are cut at the deepest dip of the blob's column profile (foreground pixels per
    column) when it falls under ``max_ratio`` of the lower of the highest columns on
    either side, and both parts stand upright: at least ``tall`` times taller than
    wide, and ``min_width`` columns wide."""

    max_ratio: float
    tall: float
    min_width: int = 3

    def takes(self, w: int, h: int) -> bool:
        """Whether a blob of this bounding box can be cut into two upright parts. Every
        column of a blob holds some of it, so the parts are as wide as the blob less
        the cut column."""
        return 2 * self.min_width + 1 <= w <= 2 * h / self.tall + 1

    def boxes(self, own: np.ndarray, x: int, y: int) -> list[Box] | None:
        """The two parts' boxes, or None to keep the blob whole. ``own``: the blob's
        mask over its bounding box at (``x``, ``y``)."""
        w = own.shape[1]
        mw = self.min_width
        if w < 2 * mw + 1:
            return None
        prof = (own > 0).sum(0)
        left = np.maximum.accumulate(prof)
        right = np.maximum.accumulate(prof[::-1])[::-1]
        # Candidate cut columns mw .. w - mw - 1, each against the highest column to
        # its left and to its right.
        peaks = np.minimum(left[mw - 1 : w - mw - 1], right[mw + 1 : w - mw + 1])
        ratio = np.where(peaks >= 3, prof[mw : w - mw] / np.maximum(peaks, 1), np.inf)
        k = int(ratio.argmin())
        if ratio[k] >= self.max_ratio:
            return None
        c = mw + k
        out = []
        for lo, hi in ((0, c), (c + 1, w)):
            part = own[:, lo:hi]
            bx, by, bw, bh = cv2.boundingRect(part)
            if bw == 0 or bh < self.tall * bw:
                return None
            out.append((x + lo + bx, y + by, x + lo + bx + bw, y + by + bh))
        return out


@dataclass(frozen=True, slots=True)
class TrackedSplit:
    """Predicted centres, widths and velocities of tracked upright walkers (the blobs'
    coordinates; :meth:`of`). Two walkers who touch make one blob, often with no dip
    between them in its column profile (one half behind the other); the tracks say
    there are two. Two that close in on each other faster than ``crossing`` of the
    faster one's speed are crossing, and are left to the tracker."""

    cx: np.ndarray
    cy: np.ndarray
    width: np.ndarray
    vx: np.ndarray
    speed: np.ndarray
    crossing: float

    @classmethod
    def of(cls, boxes: np.ndarray, velocity: np.ndarray, crossing: float) -> TrackedSplit:
        """From (N, 4) boxes x1, y1, x2, y2 and (N, 2) velocities."""
        return cls(
            (boxes[:, 0] + boxes[:, 2]) / 2,
            (boxes[:, 1] + boxes[:, 3]) / 2,
            boxes[:, 2] - boxes[:, 0],
            velocity[:, 0],
            np.hypot(velocity[:, 0], velocity[:, 1]),
            crossing,
        )

    def pair_in(self, x: int, y: int, w: int, h: int) -> tuple[float, float] | None:
        """The centres' x of the two walkers in a blob's bounding box, left one first,
        when it holds exactly two at least half a width apart and not crossing; None
        otherwise."""
        cx, cy = self.cx, self.cy
        inside = np.flatnonzero((cx >= x) & (cx < x + w) & (cy >= y) & (cy < y + h))
        if len(inside) != 2:
            return None
        a, b = sorted(inside.tolist(), key=lambda i: cx[i])
        if cx[b] - cx[a] < 0.5 * min(self.width[a], self.width[b]):
            return None
        closing = self.vx[a] - self.vx[b]
        if closing > self.crossing * max(self.speed[a], self.speed[b], 0.1):
            return None
        return float(cx[a]), float(cx[b])

    def boxes(self, own: np.ndarray, x: int, y: int, pair: tuple[float, float]) -> list[Box] | None:
        """The two parts' boxes of a blob (``own``: its mask over its bounding box at
        (``x``, ``y``)) cut at its narrowest column between the ``pair``'s centres
        (:meth:`pair_in`)."""
        w = own.shape[1]
        c0, c1 = int(pair[0] - x) + 1, int(pair[1] - x)
        if c1 <= c0:
            return None
        c = c0 + int((own[:, c0:c1] > 0).sum(0).argmin())
        out = []
        for lo, hi in ((0, c), (c + 1, w)):
            bx, by, bw, bh = cv2.boundingRect(own[:, lo:hi])
            if bw == 0 or bh == 0:
                return None
            out.append((x + lo + bx, y + by, x + lo + bx + bw, y + by + bh))
        return out


@dataclass(frozen=True, slots=True)
class ShadowCutter:
    """One frame's images for :class:`~dronewatch.analysis.shadow_cut.ShadowCut`."""

    cut: ShadowCut
    cur: np.ndarray
    ref: np.ndarray

    def boxes(self, own: np.ndarray, x: int, y: int, min_area: int) -> list[Box] | None:
        """The blob's box without its shadow; [] for a shadow alone; None to keep
        the blob's own box."""
        h, w = own.shape
        roi = (slice(y, y + h), slice(x, x + w))
        found = self.cut.box(own, self.cur[roi], self.ref[roi], min_area)
        if found is None:
            return None
        if found == SHADOW_ALONE:
            return []
        bx, by, bw, bh = found
        return [(x + bx, y + by, x + bx + bw, y + by + bh)]


@dataclass(frozen=True, slots=True)
class GhostEdges:
    """A target's outline is an edge in the frame; a ghost's is an edge only in the
    background, which still holds the target that has left (or stood long enough to be
    learnt before it moved on). Ghosts and slow movers look alike pixel by pixel, which
    is why the backgrounds learn pixels that stay still quickly and absorb slow
    walkers along with ghosts; the outline tells them apart.

    ``frame_edges`` and ``background_edges``: the local contrast (3x3 max - min) of the
    frame and of the background blobs are compared with, in the blobs' coordinates.
    A blob is a ghost when the frame's mean along its outline is under ``max_ratio``
    of the background's. At a ratio of 1 an edge both share (a kerb the ghost lies
    on) adds to both means alike and cancels out."""

    frame_edges: np.ndarray
    background_edges: np.ndarray
    max_ratio: float

    def is_ghost(self, contour: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
        outline = np.zeros((h, w), np.uint8)
        cv2.drawContours(outline, [contour], 0, 255, 1, offset=(-x, -y))
        roi = (slice(y, y + h), slice(x, x + w))
        in_frame = cv2.mean(self.frame_edges[roi], outline)[0]
        return in_frame < self.max_ratio * cv2.mean(self.background_edges[roi], outline)[0]


@dataclass(frozen=True, slots=True)
class BlobRules:
    """How one frame's foreground becomes boxes (see the module doc)."""

    min_area: int
    max_area: float
    streaks: StreakRule | None = None
    warm_part: WarmPart | None = None
    peak_split: PeakSplit | None = None
    valley_split: ValleySplit | None = None
    shadow_cut: ShadowCutter | None = None
    ghost_edges: GhostEdges | None = None
    tracked_split: TrackedSplit | None = None
    piece_area: int = 0

    def boxes(self, mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """Boxes (x1, y1, x2, y2; float32) of the blobs of ``mask`` holding a pixel of
        ``seeds``, pieces included."""
        return self.boxes_and_pieces(mask, seeds)[0]

    def boxes_and_pieces(
        self, mask: np.ndarray, seeds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`boxes`, and which of them (bool per box) come from blobs under
        ``piece_area`` pixels.

        Outer contours instead of a full labelling: the mask is sparse and this is
        several times faster; pixel counts are taken over each blob's bounding box."""
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes: list[Box] = []
        pieces: list[Box] = []
        streaks: list[Box] = []
        min_area, max_area, piece_area = self.min_area, self.max_area, self.piece_area
        streak_rule, ghost_edges = self.streaks, self.ghost_edges
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h < min_area:
                continue
            roi = (slice(y, y + h), slice(x, x + w))
            area = cv2.countNonZero(mask[roi])
            if area < min_area or area > max_area or not cv2.countNonZero(seeds[roi]):
                continue
            if streak_rule is not None and streak_rule.is_streak(contour, w, h):
                streaks.append((x, y, x + w, y + h))
                continue
            if ghost_edges is not None and ghost_edges.is_ghost(contour, x, y, w, h):
                continue
            found = self._blob_boxes(contour, mask, x, y, w, h, area)
            if found is not None:
                (pieces if area < piece_area else boxes).extend(found)
        if self.streaks is not None:
            boxes.extend(self.streaks.kept(streaks, boxes))
        is_piece = np.zeros(len(boxes) + len(pieces), bool)
        is_piece[len(boxes) :] = True
        boxes.extend(pieces)
        if not boxes:
            return np.zeros((0, 4), np.float32), is_piece
        return np.array(boxes, np.float32), is_piece

    def _blob_boxes(
        self, contour: np.ndarray, mask: np.ndarray, x: int, y: int, w: int, h: int, area: int
    ) -> list[Box] | None:
        """The boxes one blob gives (none for a ghost or a shadow alone)."""
        roi = (slice(y, y + h), slice(x, x + w))
        split = self.peak_split
        warm = self.warm_part
        n_dark = None  # the blob's dark pixels (bounding box), counted once for both rules
        if warm is not None:
            n_bright = cv2.countNonZero(warm.bright[roi])
            if warm.is_ghost(n_bright, area):
                return None
            n_dark = cv2.countNonZero(warm.dark[roi])
            if warm.applies(n_bright, n_dark, area) and not warm.on_empty_ground(x, y, w, h):
                bx, by, bw, bh = cv2.boundingRect(warm.bright[roi])
                if not warm.is_head(by, bh, w, h):
                    return self._bright_boxes(warm.bright, n_bright, x, y, w, h, (bx, by, bw, bh))
        own = None  # the blob's own mask, drawn once when a rule first needs it
        tracked = self.tracked_split
        pair = None if tracked is None else tracked.pair_in(x, y, w, h)
        if tracked is not None and pair is not None:
            own = _own_mask(contour, mask[roi], x, y)
            pieces = tracked.boxes(own, x, y, pair)
            if pieces:
                return pieces
        if split is not None and split.takes(area):
            own = _own_mask(contour, mask[roi], x, y) if own is None else own
            pieces = split.boxes(own, x, y)
            if pieces:
                return pieces
        if self.valley_split is not None and self.valley_split.takes(w, h):
            own = _own_mask(contour, mask[roi], x, y) if own is None else own
            pieces = self.valley_split.boxes(own, x, y)
            if pieces:
                return pieces
        cutter = self.shadow_cut
        if cutter is not None and cutter.cut.worth_a_look(area, n_dark):
            own = _own_mask(contour, mask[roi], x, y) if own is None else own
            cut = cutter.boxes(own, x, y, self.min_area)
            if cut is not None:
                return cut or None
        return [(x, y, x + w, y + h)]

    def _bright_boxes(
        self,
        bright: np.ndarray,
        n_bright: int,
        x: int,
        y: int,
        w: int,
        h: int,
        part: tuple[int, int, int, int],
    ) -> list[Box]:
        """The box of a blob's ``n_bright`` bright pixels (``part``: their bounding
        rectangle within the blob's), or the peak-split pieces of it."""
        bx, by, bw, bh = part
        split = self.peak_split
        if split is not None and split.takes(n_bright):
            rows = slice(y + by, y + by + bh)
            cols = slice(x + bx, x + bx + bw)
            pieces = split.boxes(bright[rows, cols], x + bx, y + by)
            if pieces:
                return pieces
        x0, y0 = max(x + bx - 1, x), max(y + by - 1, y)
        x1, y1 = min(x + bx + bw + 1, x + w), min(y + by + bh + 1, y + h)
        return [(x0, y0, x1, y1)]


def _own_mask(contour: np.ndarray, mask: np.ndarray, x: int, y: int) -> np.ndarray:
    """The pixels of ``mask`` (a region's bounding-box crop) inside ``contour``: the
    crop may hold parts of other regions."""
    own = np.zeros(mask.shape, np.uint8)
    cv2.drawContours(own, [contour], 0, 255, -1, offset=(-x, -y))
    return cv2.bitwise_and(own, mask)
