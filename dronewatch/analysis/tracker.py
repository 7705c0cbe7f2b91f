"""Camera-compensated multi-object tracker for small targets.

Why our own rather than Roboflow's ByteTrack (which ``bytetrack_adapter`` wraps for
comparison, see ``benchmarks/tracker_compare.py``): targets here are a few pixels wide,
so two boxes of the same target one frame apart often have IoU 0 and IoU-only
association breaks tracks. This one associates on centre distance normalised by target
size (plus an IoU bonus), warps every prediction by the camera homography before
association, keeps stopped or hidden targets alive by coasting (with decaying velocity)
and by looking for the target's last appearance near its prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from dronewatch.analysis.box_geometry import centres_inside, iou_matrix, overlap_of_smaller
from dronewatch.analysis.camera_motion import is_identity, local_scale, warp_points
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.config import TrackerConfig, per_frame_gain

_NO_MATCH = 1e6
# A walker seen from a mast stands 2-3.5 times taller than wide (pets09); taller and
# thinner, a big upright blob is more likely rain or a pole's misregistered edge.
_WALKER_MIN_ASPECT = 1.5
_WALKER_MAX_ASPECT = 3.5


@dataclass(slots=True)
class Track:
    """Mutable state of one track, in work-image pixels."""

    cx: float
    cy: float
    w: float
    h: float
    vx: float = 0.0
    vy: float = 0.0
    track_id: int = -1  # assigned on confirmation
    age: int = 1
    hits: int = 1
    # frames since a detector box was associated (0 too while coasting through a blob
    # shared with another target: see MultiTargetTracker._crossing)
    since_detection: int = 0
    since_seen: int = 0  # frames since a detection or a template match
    confirmed: bool = False
    score: float = 1.0
    hot_hits: int = 0
    class_votes: np.ndarray = field(default_factory=lambda: np.zeros(3, np.float32))
    # Where the target was last seen: the frame and the box (cx, cy, w, h) in it. The
    # template is cut from it only when the track first misses: most tracks are seen
    # every frame and would copy a template per frame for nothing.
    seen_in: tuple[np.ndarray, float, float, float, float] | None = None
    template: np.ndarray | None = None
    measured: tuple[float, float, float, float] | None = None  # this frame's box, if any
    speed: float = 0.0  # smoothed speed relative to the scene, work px / frame
    pace_sum: float = 0.0  # sum of ``speed`` in its own lengths / frame since confirmed
    pace_n: int = 0
    jitter: float = 0.0  # running mean square of the measurement residuals, px^2
    foot_jitter: float = 0.0  # the same for the bottom centre of the box (the feet)
    still: int = 0  # frames in a row the track has been standing still
    crossing: int = 0  # frames in a row coasted through a blob shared with another target
    ox: float = 0.0  # where the track started, in current-frame pixels
    oy: float = 0.0
    weak: bool = False  # started by a weak detection: confirmed only after longer
    # the refiner's heat summed over the detections it was corrected with (its first
    # box's heat is not counted, nor heat under confirm_heat_min; see confirm_heat)
    heat: float = 0.0
    # While tentative: (frame number, measured box, score) of every frame with a
    # detection, handed out once when the track is confirmed (see earlier_boxes).
    earlier: list[tuple[int, tuple[float, float, float, float], float]] = field(
        default_factory=list
    )
    # Once confirmed: (frame number, predicted box) of the frames since its last
    # detection that were not reported, filled in if it is seen again soon (see
    # TrackerConfig.fill_gap_s).
    missed: list[tuple[int, tuple[float, float, float, float]]] = field(default_factory=list)

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        return (
            self.cx - self.w / 2,
            self.cy - self.h / 2,
            self.cx + self.w / 2,
            self.cy + self.h / 2,
        )


def report_box(t: Track, measurement_weight: float) -> tuple[float, float, float, float]:
    """The box to report: this frame's detection blended with the filtered state (the
    detection has the target's current extent; the filter lags and coasts)."""
    if t.measured is None or measurement_weight <= 0.0:
        return t.xyxy
    a, b = measurement_weight, 1 - measurement_weight
    m1, m2, m3, m4 = t.measured
    f1, f2, f3, f4 = t.xyxy
    return a * m1 + b * f1, a * m2 + b * f2, a * m3 + b * f3, a * m4 + b * f4


def _boxes(state: np.ndarray) -> np.ndarray:
    """(N, 4) x1, y1, x2, y2 from the first four columns cx, cy, w, h of ``state``
    (float64), as :attr:`Track.xyxy` computes them: the same float64 operations, so the
    same values, in one pass instead of one property call per track."""
    centre, half = state[:, :2], state[:, 2:4] / 2
    return np.hstack([centre - half, centre + half])


def _state(tracks: list[Track]) -> np.ndarray:
    """(N, 4) float64 cx, cy, w, h of ``tracks``."""
    return np.array([(t.cx, t.cy, t.w, t.h) for t in tracks], np.float64).reshape(-1, 4)


def _area(box: np.ndarray) -> float:
    return float(max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0))


def _areas(boxes: np.ndarray) -> np.ndarray:
    """:func:`_area` of every row of ``boxes``, in their dtype."""
    return np.maximum(boxes[:, 2] - boxes[:, 0], 0.0) * np.maximum(boxes[:, 3] - boxes[:, 1], 0.0)


class MultiTargetTracker:
    """Alpha-beta filtered tracks, Hungarian association on a size-normalised distance.

    ``update`` is called once per frame with that frame's detections and the camera
    homography (previous -> current) already estimated by the detector stage.
    """

    def __init__(self, config: TrackerConfig, fps: float) -> None:
        self._cfg = config
        self._fps = fps
        self._max_age = max(1, round(config.max_age_s * fps))
        self._max_step = config.max_speed_px_s / max(fps, 1.0)
        self._hold_max = round(config.hold_max_s * fps)
        self._coast_output = max(0, round(config.coast_output_s * fps))
        self._fill_gap = max(0, round(config.fill_gap_s * fps))
        self._coast_shared = round(config.coast_shared_s * fps)
        self._init_window = max(config.init_hits, round(config.init_window_s * fps))
        self._weak_hits = max(config.init_hits, round(config.weak_init_s * fps))
        self._size_gain = per_frame_gain(config.size_time_s, fps)
        self._tentative_size_gain = per_frame_gain(config.tentative_size_time_s, fps)
        self.tracks: list[Track] = []
        self._next_id = 1
        self.frame = 0  # frames updated so far
        self._earlier: list[tuple[int, int, tuple[float, float, float, float], float]] = []

    def reset(self) -> None:
        self.tracks = []

    def continue_ids_after(self, other: MultiTargetTracker) -> None:
        """Number this tracker's tracks on from ``other``'s, which it replaces: no ID
        is given twice in a feed. Call before the first :meth:`update`."""
        self._next_id = max(self._next_id, other._next_id)

    def take_over_ids(self, other: MultiTargetTracker, min_iou: float = 0.3) -> None:
        """This tracker replaces ``other`` (numbered on from it: see
        :meth:`continue_ids_after`), both having seen the same frames: each confirmed
        track takes the ID of the confirmed track of ``other`` its box overlaps best,
        at IoU ``min_iou`` or more, so a target both follow keeps its ID."""
        mine = [t for t in self.tracks if t.confirmed]
        theirs = [t for t in other.tracks if t.confirmed]
        if not mine or not theirs:
            return
        iou = iou_matrix(_boxes(_state(mine)), _boxes(_state(theirs)))
        rows, cols = linear_sum_assignment(-iou)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if iou[r, c] >= min_iou:
                mine[r].track_id = theirs[c].track_id

    def update(
        self, offered: Candidates, hom: np.ndarray, gray: np.ndarray | None = None
    ) -> list[Track]:
        """Advance all tracks one frame with this frame's ``offered`` boxes; return the
        tracks to report this frame.

        ``gray`` (the work frame, for template rescue) is kept by reference until a
        track misses: the caller must not write into it afterwards. Boxes flagged
        ``piece`` may only join a target's box or continue a small target's track."""
        cfg = self._cfg
        xyxy, confidence, class_id = offered.xyxy, offered.confidence, offered.class_id
        hot, piece = offered.hot, offered.piece
        heats = offered.heat.tolist()
        self.frame += 1
        self._earlier = []
        self._predict(hom)
        n_det = len(xyxy)
        matched_t, matched_d, predicted = self._associate(xyxy, piece)
        det_used = np.zeros(n_det, bool)
        track_used = np.zeros(len(self.tracks), bool)
        det_used[matched_d] = True
        if self._coast_shared > 0 and len(matched_d):
            crossing, shared = self._crossing(xyxy, predicted)
            if crossing.any():
                # Other tracks keep their match, even to the blob (a walker standing
                # where two others cross); a box matched to a crossing track is free.
                keep = ~crossing[matched_t]
                matched_t, matched_d = matched_t[keep], matched_d[keep]
                track_used |= crossing
                det_used[:] = shared
                det_used[matched_d] = True
        # Only motion blobs break into pieces: a model box is a whole object, so a track
        # matched to one joins nothing and a model box joins no track. So is a box the
        # window refiner found and is sure of (see ``found_whole_heat``).
        motion = class_id == 0
        if cfg.found_whole_heat > 0:
            motion &= offered.heat < cfg.found_whole_heat
        measured = self._absorb_fragments(xyxy, predicted, matched_t, matched_d, det_used, motion)
        track_used[matched_t] = True
        # Python scalars per detection: indexing numpy arrays one by one costs more.
        confs = confidence.tolist()
        classes = class_id.tolist()
        hots = hot.tolist()
        for ti, di, box in zip(matched_t.tolist(), matched_d.tolist(), measured, strict=True):
            track = self.tracks[ti]
            self._correct(track, box, confs[di], classes[di], hots[di], gray)
            if heats[di] >= cfg.confirm_heat_min:
                track.heat += heats[di]
        for ti, track in enumerate(self.tracks):
            if not track_used[ti]:
                self._miss(track, gray)
        det_used |= piece  # pieces start no track
        self._spawn(xyxy, confidence, det_used, class_id, hot, gray)
        self._prune()
        for track in self.tracks:
            needed = self._weak_hits if track.weak else cfg.init_hits
            if not track.confirmed and track.hits >= needed and self._has_moved(track):
                track.confirmed = True
                track.track_id = self._next_id
                self._next_id += 1
                self._earlier.extend(
                    (track.track_id, self.frame - f, box, score)
                    for f, box, score in track.earlier
                    if f < self.frame
                )
                track.earlier = []
        return [t for t in self.tracks if t.confirmed and t.since_detection <= self._coast_output]

    def earlier_boxes(self) -> list[tuple[int, int, tuple[float, float, float, float], float]]:
        """The tracks confirmed in the last :meth:`update`, in the frames before it
        while they were tentative: (track ID, frames before the last one, measured box,
        score). Offline outputs start a track where it was first seen with them, not
        where the tracker became sure (a few frames to two seconds later). Also the
        frames a confirmed track seen again in it was missed for (a gap of at most
        ``fill_gap_s``), its box there filled in (:meth:`_fill_gap_boxes`)."""
        return self._earlier

    def _absorb_fragments(
        self,
        xyxy: np.ndarray,
        predicted: np.ndarray,
        matched_t: np.ndarray,
        matched_d: np.ndarray,
        det_used: np.ndarray,
        motion: np.ndarray,
    ) -> list[np.ndarray]:
        """Measurement box per matched track: its detection plus the unmatched pieces
        lying inside the track's predicted box (a target whose colour matches the
        ground in places breaks into several blobs). ``predicted``: every track's
        predicted box, as :meth:`_associate` returns them.

        The pieces must fill at least ``fragment_min_fill`` of the joined box: pieces
        of one target lie close together, while a track that once got a big box (a
        truck and its shadow) would otherwise keep joining every small mover passing
        through it, and its box would ratchet up frame after frame."""
        boxes = list(xyxy[matched_d].astype(np.float64))
        loose = np.flatnonzero(~det_used & motion)
        if len(loose) == 0 or len(matched_t) == 0:
            return boxes
        pred = predicted[matched_t]
        if self._cfg.fragment_margin:
            m = self._cfg.fragment_margin * np.maximum(
                pred[:, 2] - pred[:, 0], pred[:, 3] - pred[:, 1]
            )
            pred = pred + np.stack([-m, -m, m, m], axis=1)
        centres = (xyxy[loose, :2] + xyxy[loose, 2:]) / 2
        inside = (
            (centres[None, :, 0] >= pred[:, None, 0])
            & (centres[None, :, 0] <= pred[:, None, 2])
            & (centres[None, :, 1] >= pred[:, None, 1])
            & (centres[None, :, 1] <= pred[:, None, 3])
        )
        filled = _areas(xyxy[matched_d]).tolist()
        inside &= motion[matched_d][:, None]
        for j, d in enumerate(loose):
            owners = np.flatnonzero(inside[:, j])
            if len(owners) != 1:
                continue  # between two tracks: leave it alone
            k = owners[0]
            b = boxes[k]
            union = np.array(
                [
                    min(b[0], xyxy[d, 0]),
                    min(b[1], xyxy[d, 1]),
                    max(b[2], xyxy[d, 2]),
                    max(b[3], xyxy[d, 3]),
                ]
            )
            area = _area(union)
            fill = (filled[k] + _area(xyxy[d])) / max(area, 1.0)
            if area > 1.5 * _area(pred[k]) or fill < self._cfg.fragment_min_fill:
                continue  # would grow the target: a neighbour, not a piece of it
            filled[k] += _area(xyxy[d])
            boxes[k] = union
            det_used[d] = True
        return boxes

    def _crossing(self, xyxy: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which tracks coast through a blob they share with another target this frame,
        and which boxes are such blobs (bool per track, per box; see
        ``TrackerConfig.coast_shared_s``). Such a track gives up its match, keeps its
        predicted position and its velocity, stays alive and is reported (its
        ``since_detection`` stays 0); a shared blob starts no track, but another track
        matched to it keeps it (a walker standing where two others cross). Only
        confirmed tracks detected in the frame before (or coasting) that move count: a
        target standing still has no velocity to carry it through."""
        crossing = np.zeros(len(self.tracks), bool)
        shared = np.zeros(len(xyxy), bool)
        limit = self._coast_shared
        movers = np.flatnonzero(
            [
                t.confirmed and t.since_detection == 0 and t.still == 0 and t.crossing < limit
                for t in self.tracks
            ]
        )
        if len(movers) < 2:
            return crossing, shared
        inside = centres_inside(predicted[movers], xyxy).T  # (boxes, movers)
        # a track with a box of its own besides the blob (a part inside a whole) is not
        # hidden in it
        inside &= inside.sum(axis=0) == 1
        for d in np.flatnonzero(inside.sum(axis=1) >= 2):
            group = movers[inside[d]]
            if not self._cross(group, predicted[group], xyxy[d]):
                continue
            for ti in group.tolist():
                t = self.tracks[ti]
                crossing[ti] = True
                t.crossing += 1
                t.measured = None
                t.since_seen = 0
            shared[d] = True
        return crossing, shared

    def _cross(self, group: np.ndarray, boxes: np.ndarray, blob: np.ndarray) -> bool:
        """Whether the tracks ``group`` indexes, predicted at ``boxes``, are targets
        crossing inside ``blob`` rather than parts of one target (see
        ``TrackerConfig.coast_shared_s``)."""
        cfg = self._cfg
        tracks = [self.tracks[i] for i in group.tolist()]
        upright = cfg.coast_shared_upright
        if not all(t.h >= upright * t.w for t in tracks):
            return False
        if not any(t.crossing for t in tracks):  # entering: they must have been apart
            overlap = overlap_of_smaller(boxes, boxes)
            np.fill_diagonal(overlap, 0.0)
            if overlap.max() > cfg.coast_shared_overlap:
                return False
        joint = (boxes[:, 2].max() - boxes[:, 0].min()) * (boxes[:, 3].max() - boxes[:, 1].min())
        if joint < cfg.coast_shared_fill * _area(blob):
            return False
        v = np.array([(t.vx, t.vy) for t in tracks])
        speed = np.hypot(v[:, 0], v[:, 1])
        apart = np.hypot(v[:, None, 0] - v[None, :, 0], v[:, None, 1] - v[None, :, 1])
        return bool(np.any(apart >= cfg.coast_shared_apart * np.maximum.outer(speed, speed)))

    def hold_boxes(self) -> np.ndarray:
        """Boxes of confirmed targets seen this frame whose background the detector
        must not learn, so that a target that stops stays in the foreground: those
        standing still (up to ``hold_max_s``: then parked for good, or clutter) and
        upright ones at least ``hold_big_px`` big while they move (a big walker's stop
        is missed too often; see the config). The track's own box, not this frame's
        detection: once part of a standing target has been learnt, its detection
        shrinks, and holding only that lets the rest be learnt too."""
        big = self._cfg.hold_big_px
        boxes = []
        for t in self.tracks:
            if not t.confirmed or t.measured is None:
                continue
            # not while this frame's detection is much larger than the track (joined
            # to a neighbour or a trail: the track's size is about to follow it)
            x1, y1, x2, y2 = t.measured
            if (x2 - x1) * (y2 - y1) > 1.5 * t.w * t.h:
                continue
            standing = 0 < t.still <= self._hold_max
            moving_big = (
                t.still == 0
                and 0 < big <= max(t.w, t.h)
                and t.h >= self._cfg.hold_big_upright * t.w
            )
            if standing or moving_big:
                boxes.append(t.xyxy)
        return np.array(boxes, np.float32).reshape(-1, 4)

    def upright_predictions(self, upright: float) -> np.ndarray:
        """The confirmed tracks detected in this frame or the one before that stand at
        least ``upright`` times taller than wide: (N, 6) rows of next frame's box (x1,
        y1, x2, y2) and their velocity (vx, vy), in work pixels and this frame's
        coordinates (the caller moves the boxes with the camera)."""
        state = np.array(
            [
                (t.cx + t.vx, t.cy + t.vy, t.w, t.h, t.vx, t.vy)
                for t in self.tracks
                if t.confirmed and t.since_detection <= 1 and t.h >= upright * t.w
            ],
            np.float64,
        ).reshape(-1, 6)
        return np.hstack([_boxes(state), state[:, 4:]]).astype(np.float32)

    def _has_moved(self, t: Track) -> bool:
        """Whether a tentative track may be confirmed by how it has moved (or by the
        refiner's heat: ``TrackerConfig.confirm_heat``)."""
        cfg = self._cfg
        moved = float(np.hypot(t.cx - t.ox, t.cy - t.oy))
        if moved > self._max_step * max(t.age - 1, 1):
            return False  # faster than any target: rain, flicker, a wrong association
        if 0 < cfg.confirm_heat <= t.heat:
            return True
        size = float(np.sqrt(t.w * t.h))
        jitter = t.jitter
        if (
            0 < cfg.confirm_feet_min_px <= t.h
            and _WALKER_MIN_ASPECT * t.w <= t.h <= _WALKER_MAX_ASPECT * t.w
        ):
            jitter = t.foot_jitter  # see TrackerConfig.confirm_feet_min_px
        jitter_move = cfg.confirm_jitter_factor * float(np.sqrt(jitter))
        return moved >= max(cfg.confirm_min_move_px, cfg.confirm_min_move_size * size, jitter_move)

    # --- steps -------------------------------------------------------------------

    def _predict(self, hom: np.ndarray) -> None:
        if not self.tracks:
            return
        s = 1.0
        state = np.array([(t.cx, t.cy, t.vx, t.vy) for t in self.tracks], np.float64)
        c, v = state[:, :2], state[:, 2:]
        if not is_identity(hom):
            c_new = warp_points(hom, c)
            v = warp_points(hom, c + v) - c_new
            c = c_new
            s = local_scale(hom)
            o = warp_points(hom, np.array([[t.ox, t.oy] for t in self.tracks], np.float64))
        else:
            o = None
        c = c + v
        for t, (cx, cy), (vx, vy) in zip(self.tracks, c.tolist(), v.tolist(), strict=True):
            t.cx, t.cy, t.vx, t.vy = cx, cy, vx, vy
            t.w *= s
            t.h *= s
            t.age += 1
        if o is not None:
            for t, (ox, oy) in zip(self.tracks, o.tolist(), strict=True):
                t.ox, t.oy = ox, oy

    def _associate(
        self, xyxy: np.ndarray, piece: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matched (track, detection) index pairs, and the tracks' predicted boxes
        (float64; empty when nothing could match), which the caller reuses."""
        cfg = self._cfg
        if not self.tracks or len(xyxy) == 0:
            return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 4))
        state = np.array(
            [(t.cx, t.cy, t.w, t.h, t.since_seen, t.confirmed) for t in self.tracks], np.float64
        )
        tb = _boxes(state)
        tc = (tb[:, :2] + tb[:, 2:]) / 2
        dc = (xyxy[:, :2] + xyxy[:, 2:]) / 2
        size = state[:, 2:4].max(axis=1)
        misses = state[:, 4]
        gate = cfg.gate_px + cfg.gate_growth_px * misses + 0.5 * size
        d = tc[:, None, :] - dc[None, :, :]
        # np.linalg.norm(d, axis=2) by its own steps, without its checks and dispatch
        dist = np.sqrt(np.add.reduce(d * d, axis=2)) / gate[:, None]
        iou = iou_matrix(tb, xyxy.astype(np.float64))
        cost = dist - cfg.iou_weight * iou
        cost = cost - 0.2 * state[:, 5:6]  # confirmed tracks win ties
        allowed = (dist < 1.0) | (iou > 0.1)
        if piece.any():
            small = state[:, 2] * state[:, 3] <= cfg.piece_track_max_area
            allowed &= ~piece[None, :] | small[:, None]
        cost = np.where(allowed, cost, _NO_MATCH)
        rows, cols = linear_sum_assignment(cost)
        ok = cost[rows, cols] < _NO_MATCH
        return rows[ok], cols[ok], tb

    def _correct(
        self,
        t: Track,
        box: np.ndarray,
        conf: float,
        class_id: int,
        is_hot: bool,
        gray: np.ndarray | None,
    ) -> None:
        cfg = self._cfg
        if conf >= cfg.new_track_confidence:
            t.weak = False
        x1, y1, x2, y2 = box.tolist()  # Python floats: numpy scalar maths costs 5x more
        if t.missed:
            self._fill_gap_boxes(t, (x1, y1, x2, y2))
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        mw, mh = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
        rx, ry = mx - t.cx, my - t.cy
        if t.hits > 1:
            rb = y2 - (t.cy + t.h / 2)  # the feet against the predicted box's bottom
            n = min(t.hits, 10)
            t.jitter += (rx * rx + ry * ry - t.jitter) / n
            t.foot_jitter += (rx * rx + rb * rb - t.foot_jitter) / n
        a, b = cfg.position_gain, cfg.velocity_gain
        if t.hits == 1:  # second sighting: velocity straight from the displacement
            a, b = 1.0, 1.0
        t.cx += a * rx
        t.cy += a * ry
        t.vx += b * rx
        t.vy += b * ry
        g = self._size_gain if t.confirmed else self._tentative_size_gain
        t.w += g * (mw - t.w)
        t.h += g * (mh - t.h)
        t.measured = (x1, y1, x2, y2)
        t.hits += 1
        t.since_detection = 0
        t.since_seen = 0
        t.crossing = 0  # its own box again
        t.score = 0.8 * t.score + 0.2 * conf
        if not t.confirmed:
            t.earlier.append((self.frame, t.measured, t.score))
        t.speed = 0.8 * t.speed + 0.2 * float(np.hypot(t.vx, t.vy))
        if t.confirmed:
            t.pace_sum += t.speed / max(t.w, t.h, 1.0)
            t.pace_n += 1
        still_px = max(cfg.still_speed_px, cfg.still_pace * max(t.w, t.h) / self._fps)
        t.still = t.still + 1 if t.speed < still_px else 0
        if is_hot:
            t.hot_hits += 1
        if class_id > 0:
            t.class_votes[class_id] += conf
        if gray is not None and cfg.template_rescue:
            t.seen_in = (gray, t.cx, t.cy, t.w, t.h)
            t.template = None

    def _miss(self, t: Track, gray: np.ndarray | None) -> None:
        cfg = self._cfg
        t.measured = None
        t.since_detection += 1
        t.since_seen += 1
        t.vx *= cfg.coast_velocity_decay
        t.vy *= cfg.coast_velocity_decay
        if t.seen_in is not None:
            t.template = _cut(*t.seen_in)
            t.seen_in = None
        if t.confirmed and t.template is not None and gray is not None:
            found = _search(gray, t, cfg.gate_px + 0.5 * max(t.w, t.h))
            if found is not None and found[2] >= cfg.template_min_score:
                t.cx, t.cy = found[0], found[1]
                t.since_seen = 0
        # Up to one more than fill_gap: that one says the gap is too long to fill.
        unreported = t.confirmed and t.since_detection > self._coast_output
        if unreported and self._fill_gap and len(t.missed) <= self._fill_gap:
            t.missed.append((self.frame, t.xyxy))

    def _fill_gap_boxes(self, t: Track, box: tuple[float, float, float, float]) -> None:
        """``t``, missed for a few frames, is seen again at ``box``: its boxes in the
        missed frames (each predicted in its own frame's pixels, so camera motion is
        followed) are handed out as earlier boxes, moved towards where it turned out
        to be by the share of the gap gone by. A gap longer than ``fill_gap_s`` is
        not filled: there the track has more often jumped to another target."""
        missed, t.missed = t.missed, []
        n = len(missed)
        if n > self._fill_gap:
            return
        # How far off the prediction it was found.
        e1, e2, e3, e4 = (b - p for b, p in zip(box, t.xyxy, strict=True))
        for k, (frame, (p1, p2, p3, p4)) in enumerate(missed, start=1):
            share = k / (n + 1)
            filled = (p1 + share * e1, p2 + share * e2, p3 + share * e3, p4 + share * e4)
            self._earlier.append((t.track_id, self.frame - frame, filled, t.score))

    def _spawn(
        self,
        xyxy: np.ndarray,
        confidence: np.ndarray,
        det_used: np.ndarray,
        class_id: np.ndarray,
        hot: np.ndarray,
        gray: np.ndarray | None,
    ) -> None:
        cfg = self._cfg
        live = [t for t in self.tracks if t.since_seen == 0]
        boxes = None  # the live tracks' boxes, once a detection may start a track
        for di in np.flatnonzero(~det_used):
            weak = bool(confidence[di] < cfg.new_track_confidence)
            warm = bool(hot[di])
            if weak and (confidence[di] < cfg.weak_start_confidence or warm):
                continue
            box = xyxy[di]
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            # A fragment of a target already being tracked must not start a twin.
            if boxes is None:
                boxes = _boxes(_state(live))
            if len(boxes) and np.any(
                (cx >= boxes[:, 0])
                & (cx <= boxes[:, 2])
                & (cy >= boxes[:, 1])
                & (cy <= boxes[:, 3])
            ):
                continue
            t = Track(
                cx=float(cx),
                cy=float(cy),
                ox=float(cx),
                oy=float(cy),
                w=float(max(box[2] - box[0], 1.0)),
                h=float(max(box[3] - box[1], 1.0)),
                score=float(confidence[di]),
                weak=weak,
            )
            if class_id[di] > 0:
                t.class_votes[int(class_id[di])] += float(confidence[di])
            if hot[di]:
                t.hot_hits = 1
            if gray is not None and cfg.template_rescue:
                t.seen_in = (gray, t.cx, t.cy, t.w, t.h)
            first = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
            t.earlier.append((self.frame, first, t.score))
            self.tracks.append(t)

    def _prune(self) -> None:
        kept = []
        for t in self.tracks:
            if t.confirmed:
                if t.since_detection > self._max_age:
                    continue
            elif t.since_detection > self._cfg.tentative_misses or t.age > self._init_window:
                continue
            kept.append(t)
        self.tracks = kept


def _cut(gray: np.ndarray, cx: float, cy: float, bw: float, bh: float) -> np.ndarray | None:
    """The box plus a small margin; None near the border or when flat (a flat patch
    matches anything)."""
    m = 2
    x1, y1 = round(cx - bw / 2) - m, round(cy - bh / 2) - m
    x2, y2 = round(cx + bw / 2) + m, round(cy + bh / 2) + m
    h, w = gray.shape
    if x1 < 0 or y1 < 0 or x2 > w or y2 > h or x2 - x1 < 5 or y2 - y1 < 5:
        return None
    patch = gray[y1:y2, x1:x2]
    if float(patch.std()) < 4.0:
        return None
    return patch.copy()


def _search(gray: np.ndarray, t: Track, radius: float) -> tuple[float, float, float] | None:
    """Best normalised-correlation match of the track's template near its prediction."""
    tpl = t.template
    if tpl is None:
        return None
    th, tw = tpl.shape
    r = int(np.ceil(radius))
    x1 = round(t.cx - tw / 2) - r
    y1 = round(t.cy - th / 2) - r
    x2, y2 = x1 + tw + 2 * r, y1 + th + 2 * r
    h, w = gray.shape
    if x1 < 0 or y1 < 0 or x2 > w or y2 > h:
        return None
    res = cv2.matchTemplate(gray[y1:y2, x1:x2], tpl, cv2.TM_CCOEFF_NORMED)
    _, score, _, loc = cv2.minMaxLoc(res)
    return x1 + loc[0] + tw / 2, y1 + loc[1] + th / 2, float(score)
