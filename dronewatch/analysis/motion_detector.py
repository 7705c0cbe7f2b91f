"""Independent-motion detector for a moving camera.

Each frame is registered to the camera's key frame and compared with a background
model kept in key-frame coordinates (see :mod:`dronewatch.analysis.background`). A
pixel is foreground when it lies outside the background's min/max over a small window,
which absorbs sub-pixel registration error on strong edges; blobs grow by hysteresis
from the confident pixels. A global change (IR polarity switch, exposure jump) that
gain normalisation cannot explain restarts the background instead of flooding.

Why not MOG2 or two-frame differencing: MOG2 has no notion of camera motion and floods
on a pan; consecutive frames leave only slivers of a slow target, while a background
with a memory of about a second lets a walker at 0.5 px/frame stand clear of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from dronewatch.analysis.background import StabilisedBackground
from dronewatch.analysis.blobs import (
    BlobRules,
    GhostEdges,
    PeakSplit,
    ShadowCutter,
    StreakRule,
    TrackedSplit,
    ValleySplit,
    WarmPart,
)
from dronewatch.analysis.box_geometry import centres_inside
from dronewatch.analysis.camera_motion import CameraMotion, is_identity
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.config import MotionDetectorConfig, per_frame_gain
from dronewatch.analysis.faint_edges import FaintEdges
from dronewatch.analysis.masks import minus
from dronewatch.analysis.median_background import MedianBackground
from dronewatch.analysis.shadow_cut import ShadowCut
from dronewatch.analysis.shadows import ShadowModel
from dronewatch.analysis.target_scale import RefineGate
from dronewatch.analysis.thermal_decision import POLARITY_GIVE_UP_S, ThermalDecision
from dronewatch.analysis.window_refiner import (
    BUNDLED_MODEL,
    BUNDLED_THERMAL_MODEL,
    FOUND,
    OFF_ZERO,
    BoxRefiner,
    RefinerInputs,
    WindowRefiner,
    looked_at,
)

MOTION_CONFIDENCE = 1.0


@dataclass(frozen=True, slots=True)
class DetectorOutput:
    """The frame's movers (and warm blobs) for the tracker, and whether the frame was a
    global change."""

    candidates: Candidates
    global_change: bool

    @property
    def xyxy(self) -> np.ndarray:
        """The boxes, (N, 4) float32 work-image pixels."""
        return self.candidates.xyxy


@dataclass(frozen=True, slots=True)
class RegisteredFrame:
    """A work frame made ready for the backgrounds (:meth:`MotionDetector.register`)."""

    gray: np.ndarray  # smoothed, current-frame coordinates
    cur: np.ndarray  # the same in key-frame coordinates
    view: np.ndarray  # mask of the key-frame pixels it covers
    identity: bool  # the camera has not moved since the key frame
    hot: np.ndarray | None  # warm blobs (thermal feeds), current-frame work pixels
    edges: np.ndarray | None  # ``cur``'s local contrast, for the ghost-edge rule
    # Current-frame to key-frame homography (the inverse of ``key_to_cur``); None
    # when ``identity``.
    cur_to_key: np.ndarray | None
    # Whether the feed was taken for thermal when the frame was registered. The
    # decision may come a few frames into the feed (dronewatch.analysis.
    # thermal_decision), on the reader thread, while the analyser works on frames
    # registered before it: each frame is analysed as it was registered.
    thermal: bool = False


@dataclass(frozen=True, slots=True)
class DetectorMasks:
    """The last frame's intermediate images (key-frame coordinates), for diagnostics
    such as ``benchmarks/loss_stages.py``: the difference from the backgrounds, the
    threshold applied to it, the seed pixels and the grown foreground."""

    difference: np.ndarray  # uint8 grey levels
    threshold: float
    seeds: np.ndarray  # uint8 mask
    foreground: np.ndarray  # uint8 mask
    key_to_cur: np.ndarray  # maps these images onto the current frame


def _empty(global_change: bool = False) -> DetectorOutput:
    return DetectorOutput(Candidates.empty(), global_change)


class MotionDetector:
    """Feed work-resolution grey frames plus their camera motion, get movers.

    >>> det = MotionDetector(MotionDetectorConfig(), fps=25.0)
    >>> frame = np.full((90, 160), 100, np.uint8)
    >>> still = CameraMotion(np.eye(3), np.eye(3), False, True)
    >>> len(det.detect(frame, still).xyxy)
    0
    """

    def __init__(self, config: MotionDetectorConfig, fps: float) -> None:
        self._cfg = config
        self._decision = ThermalDecision(
            config.thermal,
            min_bright_share=config.thermal_min_bright_share,
            after_frames=max(1, round(config.thermal_polarity_s * fps)),
            give_up_frames=round(POLARITY_GIVE_UP_S * fps),
        )
        k = max(1, 2 * config.misregistration_radius + 1)
        self._window = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        c = max(1, config.close_kernel)
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (c, c))
        self._bg = StabilisedBackground(config, fps)
        self._median = MedianBackground(config, fps) if config.median_reference else None
        self._shadows = ShadowModel(config)
        self._shadow_cut = ShadowCut.from_config(config) if config.shadow_cut else None
        self._streaks = (
            StreakRule(config.streak_width, config.streak_elongation, config.streak_keep_margin)
            if config.streak_width > 0
            else None
        )
        self.threshold = config.threshold_min  # grey levels; see _threshold
        self._frames = 0
        self._learn_count = 0
        # The median's usual brightness gain lately (see _gain_jumped); None: unknown.
        self._usual_gain: float | None = None
        memory = config.refiner_proposal_gain_memory_s
        self._gain_step = per_frame_gain(memory, fps) if memory > 0 else 0.0
        self.last_masks: DetectorMasks | None = None  # None after a restart
        # Boxes of small movers redrawn by a learned model (colour feeds; thermal ones
        # below); anything with a ``refine`` method of WindowRefiner's form will do
        # (the training script records the windows through one). Each bundled model
        # is loaded on the first frame that needs it (a thermal feed never needs the
        # colour one, unless its movers show it is no thermal feed); one the user
        # names at once, so a bad file stops the run at its start.
        self.refiner: BoxRefiner | None = (
            self._window_refiner(config.refiner_model, config.refiner_threshold)
            if config.refine_windows and config.refiner_model
            else None
        )
        # Thermal feeds have a model of their own (see ``refine_windows_thermal``).
        self.thermal_refiner: BoxRefiner | None = (
            self._window_refiner(config.refiner_model_thermal, config.refiner_threshold_thermal)
            if config.refine_windows_thermal and config.refiner_model_thermal
            else None
        )
        # Whether the feed's targets are small enough for the refiner, and where its
        # big targets are (the analyser decides: dronewatch.analysis.target_scale).
        # None: refine every small box.
        self.refine_gate: RefineGate | None = None

    @property
    def thermal(self) -> bool:
        return bool(self._decision.thermal)

    @property
    def may_turn_daylight(self) -> bool:
        """Whether the feed, taken for thermal or not decided yet, may still be found a
        grey daylight one (:mod:`~dronewatch.analysis.thermal_decision`)."""
        return self._decision.may_turn_daylight

    def decide_thermal(self, bgr: np.ndarray) -> None:
        """Whether the feed is thermal imagery (a grey picture), decided on its first
        frame with some detail (see :mod:`~dronewatch.analysis.thermal_decision`)
        unless the config says; later calls do nothing."""
        self._decision.see(bgr)

    def detect(
        self, gray: np.ndarray, motion: CameraMotion, hold: np.ndarray | None = None
    ) -> DetectorOutput:
        """``gray``: current work frame; ``motion``: its registration to the key frame;
        ``hold``: (N, 4) boxes (current-frame work pixels) of tracked targets whose
        background must not be learnt, so that a target that stops stays visible."""
        return self.detect_registered(self.register(gray, motion), motion, hold)

    def register(self, gray: np.ndarray, motion: CameraMotion) -> RegisteredFrame:
        """The first step of :meth:`detect`, which reads no background: the frame
        smoothed, its warm blobs (thermal) and its warp into key-frame coordinates. A
        reader thread may run it ahead of :meth:`detect_registered`."""
        cfg = self._cfg
        if cfg.blur_kernel > 1:
            gray = cv2.GaussianBlur(gray, (cfg.blur_kernel, cfg.blur_kernel), 0)
        thermal = self.thermal
        hot = self._hot_blobs(gray) if thermal else None
        h, w = gray.shape
        identity = is_identity(motion.key_to_cur, 1e-6)
        if identity:
            view = np.full((h, w), 255, np.uint8)
            _clear_border(view, cfg.border_margin)
            return RegisteredFrame(gray, gray, view, True, hot, self._edges(gray), None, thermal)
        cur_to_key = np.linalg.inv(motion.key_to_cur)
        cur = cv2.warpPerspective(gray, cur_to_key, (w, h), flags=cv2.INTER_LINEAR)
        view = _footprint(cur_to_key, w, h, cfg.border_margin)
        return RegisteredFrame(gray, cur, view, False, hot, self._edges(cur), cur_to_key, thermal)

    def _edges(self, img: np.ndarray) -> np.ndarray | None:
        """Local contrast (max - min over the misregistration window) for the
        ghost-edge rule, or None when the rule is off."""
        if self._cfg.ghost_edge_ratio <= 0 and self._cfg.ghost_edge_ratio_thermal <= 0:
            return None
        return cv2.morphologyEx(img, cv2.MORPH_GRADIENT, self._window)

    def detect_registered(
        self,
        frame: RegisteredFrame,
        motion: CameraMotion,
        hold: np.ndarray | None = None,
        walkers: np.ndarray | None = None,
        crossing: float = 0.5,
    ) -> DetectorOutput:
        """:meth:`detect` of a frame :meth:`register` has prepared. ``walkers``: (N, 6)
        predicted boxes (current-frame work pixels) and velocities of tracked upright
        targets; a blob over exactly two of them is cut between them unless they close
        in faster than ``crossing`` of the faster one's speed."""
        cfg = self._cfg
        gray, cur, view, hot = frame.gray, frame.cur, frame.view, frame.hot
        identity, thermal = frame.identity, frame.thermal
        bg = self._bg
        if not bg.ready or not motion.ok:
            self._restart(gray)
            return self._with_hot(_empty(), hot)
        h, w = gray.shape
        key_to_cur = motion.key_to_cur
        valid = bg.valid(view)
        assert bg.mean is not None
        bg8 = cv2.convertScaleAbs(bg.mean)
        median = self._median.image if self._median is not None else None
        if cfg.normalise_gain:
            # The references are mapped onto the frame's brightness, never the frame
            # onto theirs: the backgrounds go on learning raw frames. Learning frames
            # mapped onto the background fed the mapping's small bias (the average is
            # smoother than a frame) back into the background, whose contrast then
            # shrank without end: 0.7x within 6 s of a daylight pan with no exposure
            # change at all.
            samples = _range_samples(valid)
            cur_range = _brightness_range(cur, samples)
            bg8, _ = _match_brightness(bg8, cur_range, samples)
            if median is not None:
                median, median_gain = _match_brightness(median, cur_range, samples)
                if self._gain_jumped(median_gain):
                    # The picture's brightness jumped: see _median_trusted.
                    self._median.unsettle()
        bg_range = ref_range = self._window_range(bg8)
        if median is None:
            above, below = _beyond(cur, bg_range)
        else:
            # A mover differs from both references; a trail only from the average.
            # The saturated differences fall as the reference rises, so the smaller
            # of the two is the difference from the wider of the two ranges.
            ref_range = self._window_range(median)
            wider = (cv2.min(bg_range[0], ref_range[0]), cv2.max(bg_range[1], ref_range[1]))
            above, below = _beyond(cur, wider)
        fg = cv2.max(above, below)
        thr = self._threshold(cur, bg8, bg_range, valid, thermal)
        hi = cv2.bitwise_and(cv2.compare(fg, thr, cv2.CMP_GT), valid)
        if self._flooded(hi, valid):
            self._restart(cur, view)
            if motion.new_key:
                self._rekey(key_to_cur)
            return _empty(global_change=True)
        # Where the frame has matched the short-memory average for a while nothing is
        # moving now: a ghost of a target that left, or a target that stopped (the
        # tracker holds those). Neither is reported as a mover.
        stable = bg.stable(cur, thr)
        # Boxes from the tracker come in current-frame pixels; the masks are in the key
        # frame's (:meth:`register` has inverted the homography already).
        to_key = frame.cur_to_key
        held = self._hold_mask(_in_key(hold, to_key), w, h)
        if held is not None:
            stable = minus(stable, held)
        moving = minus(valid, stable)
        hi = cv2.bitwise_and(hi, moving)
        if thermal and self._decision.watching_movers:
            self._decision.see_movers(
                cv2.countNonZero(cv2.bitwise_and(cv2.compare(above, thr, cv2.CMP_GT), hi)),
                cv2.countNonZero(cv2.bitwise_and(cv2.compare(below, thr, cv2.CMP_GT), hi)),
            )
        lo = cv2.bitwise_and(cv2.compare(fg, cfg.hysteresis * thr, cv2.CMP_GT), moving)
        lo = cv2.morphologyEx(lo, cv2.MORPH_CLOSE, self._close)
        self.last_masks = DetectorMasks(fg, thr, hi, lo, key_to_cur)
        self._learn_count += 1
        # Held targets stay out of both backgrounds: the median takes in whatever
        # stands for half its window (3.4 s), and a target must differ from both.
        learn_view = view if held is None else minus(view, held)
        if self._learn_count % bg.every == 0 or motion.new_key:
            bg.learn(cur, lo, learn_view, stable, valid)
        if self._median is not None:
            self._median.learn(cur, learn_view)
        if motion.new_key:
            self._rekey(key_to_cur)
        bright = dark = None
        if cfg.shadow_split or cfg.shadow_removal:
            dark = cv2.bitwise_and(cv2.compare(below, cfg.hysteresis * thr, cv2.CMP_GT), lo)
        shadow = None
        if cfg.shadow_removal and not thermal and dark is not None:
            shadow = self._shadows.mask(cur, bg8, dark)
        if shadow is not None:
            keep = cv2.bitwise_not(shadow)
            lo = cv2.bitwise_and(lo, keep)
            hi = cv2.bitwise_and(hi, keep)
            dark = None
        elif cfg.shadow_split:
            # Thermal too: the warm part of a blob is the target.
            bright = cv2.bitwise_and(cv2.compare(above, thr, cv2.CMP_GT), lo)
        else:
            dark = None
        reference = median if median is not None else bg8
        # The reference's local contrast: ghost outlines and empty ground.
        ref_texture = cv2.subtract(ref_range[1], ref_range[0])
        faint = self._faint_edges(cur, median, ref_texture, valid, lo, thermal)
        rules = BlobRules(
            cfg.min_area,
            cfg.max_area_fraction * h * w,
            streaks=self._streaks,
            warm_part=None
            if bright is None or dark is None
            else WarmPart(
                bright,
                dark,
                cfg.bright_min_share,
                cfg.dark_min_share,
                cfg.thermal_min_warm_share if thermal else 0.0,
                0.0 if thermal else cfg.bright_head_top,
                cfg.bright_head_upright,
                None if thermal or cfg.warm_part_on_empty_ground else faint,
            ),
            peak_split=self._peak_split(fg, thr, faint, thermal),
            valley_split=ValleySplit(cfg.split_valley, cfg.split_valley_tall)
            if cfg.split_valley > 0
            else None,
            shadow_cut=None
            if self._shadow_cut is None or thermal
            else ShadowCutter(self._shadow_cut, cur, reference),
            tracked_split=None
            if walkers is None or len(walkers) < 2
            else TrackedSplit.of(_in_key(walkers[:, :4], to_key), walkers[:, 4:6], crossing),
            ghost_edges=None
            if frame.edges is None
            else GhostEdges(
                frame.edges,
                ref_texture,
                cfg.ghost_edge_ratio_thermal if thermal else cfg.ghost_edge_ratio,
            ),
            piece_area=0 if thermal else cfg.piece_area,
        )
        boxes, piece = rules.boxes_and_pieces(lo, hi)
        grown = np.zeros(len(boxes), bool)
        empty = grown
        if faint is not None and len(boxes):
            boxes, grown, empty = faint.grow(boxes)
            # A rim on an empty background makes a small blob a target, not a piece.
            piece = piece & ~grown
        confidence = np.full(len(boxes), MOTION_CONFIDENCE, np.float32)
        heat = None
        gate = self.refine_gate
        refiner = self.refiner_for(thermal) if gate is None or gate.on else None
        if refiner is not None:
            off_median = _signed_beyond(cur, ref_range)
            off_average = off_median if median is None else _signed_beyond(cur, bg_range)
            # Boxes the refiner does not look at: those on empty ground (grown ones are).
            kept = empty if cfg.refiner_keep_empty_ground else grown
            proposals = None
            if self._median_trusted(thermal):
                proposals = self._median_proposals(off_median, thr, valid, lo, boxes, kept)
            big = None if gate is None or not len(gate.big) else _in_key(gate.big, to_key)
            boxes, confidence, piece, grown, heat = self._refine(
                refiner,
                RefinerInputs(cur, off_median, off_average, lo, thr),
                boxes,
                piece,
                grown,
                kept,
                proposals,
                big,
            )
        if not identity and len(boxes):
            boxes = warp_boxes(boxes, key_to_cur)
        movers = Candidates.of(boxes, confidence, piece=piece, on_empty=grown, heat=heat)
        return self._with_hot(DetectorOutput(movers, False), hot)

    def _window_refiner(self, model: str, threshold: float) -> WindowRefiner:
        cfg = self._cfg
        return WindowRefiner(
            Path(model) if model else None,
            threshold=threshold,
            nms_iou=cfg.refiner_nms_iou,
            max_side=cfg.refiner_max_side,
            support_px=cfg.refiner_support_px,
            support_share=cfg.refiner_support_share,
            support_fill=cfg.refiner_support_fill,
            unseen_gap=cfg.refiner_unseen_gap,
            support_sure=cfg.refiner_support_sure,
        )

    def refiner_for(self, thermal: bool) -> BoxRefiner | None:
        """The window refiner for a frame taken for thermal or not (None: off)."""
        cfg = self._cfg
        if not thermal:
            if self.refiner is None and cfg.refine_windows:
                self.refiner = self._window_refiner(str(BUNDLED_MODEL), cfg.refiner_threshold)
            return self.refiner
        if self.thermal_refiner is None and cfg.refine_windows_thermal:
            self.thermal_refiner = self._window_refiner(
                str(BUNDLED_THERMAL_MODEL), cfg.refiner_threshold_thermal
            )
        return self.thermal_refiner

    @property
    def refines(self) -> bool:
        """Whether a refiner runs on this feed's frames (thermal or not)."""
        return self.refiner_for(self.thermal) is not None

    def _gain_jumped(self, gain: float) -> bool:
        """Whether the gain mapping the median onto this frame is more than
        ``refiner_proposal_max_gain`` away from its usual level lately (see
        ``refiner_proposal_gain_memory_s``; without a memory, from 1)."""
        usual = 1.0 if self._usual_gain is None else self._usual_gain
        if self._gain_step > 0:
            self._usual_gain = gain if self._usual_gain is None else usual
            self._usual_gain += self._gain_step * (gain - self._usual_gain)
        return abs(gain - usual) > self._cfg.refiner_proposal_max_gain

    def _median_trusted(self, thermal: bool) -> bool:
        """Whether the median may propose boxes to the refiner: proposals are on for
        the feed's kind, and the median is refilled since the last restart and since
        the frame's brightness last jumped (an exposure or gain change maps it onto
        the frame only roughly, and the texture left over reads as movers
        everywhere)."""
        cfg, median = self._cfg, self._median
        wanted = cfg.refiner_proposals_thermal if thermal else cfg.refiner_proposals
        return wanted and median is not None and median.settled

    def _median_proposals(
        self,
        off_median: np.ndarray,
        thr: float,
        valid: np.ndarray,
        foreground: np.ndarray,
        boxes: np.ndarray,
        kept: np.ndarray,
    ) -> np.ndarray:
        """Boxes (key-frame work px) of blobs that differ from the median by
        ``refiner_proposal_threshold`` of the threshold but are not foreground: a
        slow walker the running average has learnt, or a ghost. Only the refiner may
        make targets of them. None inside a motion box ``boxes``, nor near the centre
        of one the refiner looks at (not ``kept``; see ``refiner_proposal_margin``).
        """
        distance = cv2.absdiff(off_median, OFF_ZERO)
        level = self._cfg.refiner_proposal_threshold * thr
        mask = cv2.bitwise_and(cv2.compare(distance, level, cv2.CMP_GT), valid)
        mask = minus(mask, foreground)
        st = blob_stats(mask)
        side = np.maximum(st[:, 2], st[:, 3])
        st = st[(st[:, 4] >= self._cfg.min_area) & (side <= self._cfg.refiner_max_side)]
        found = st[:, :4].astype(np.float32)
        found[:, 2:] += found[:, :2]
        if len(found) and len(boxes):
            found = found[~centres_inside(found, boxes, 2.0).any(axis=1)]
        margin = self._cfg.refiner_proposal_margin
        looked = boxes[looked_at(boxes, kept, self._cfg.refiner_max_side)]
        if margin > 0 and len(found) and len(looked):
            centres = (looked[:, :2] + looked[:, 2:]) / 2
            near = np.hstack([centres - margin, centres + margin])
            found = found[~centres_inside(found, near).any(axis=1)]
        return found

    def _refine(
        self,
        refiner: BoxRefiner,
        images: RefinerInputs,
        boxes: np.ndarray,
        piece: np.ndarray,
        grown: np.ndarray,
        kept: np.ndarray,
        proposals: np.ndarray | None,
        big: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Boxes, confidences, flags (piece, grown) and the model's heat after the
        refiner (key-frame work px). Boxes ``kept`` (those grown on empty ground, or
        all on empty ground: see ``refiner_keep_empty_ground``) and boxes whose
        centre lies on a big tracked target (a part of it) are kept as they are. A
        motion box in which the model finds no target stays at
        ``refiner_unseen_confidence`` (0: dropped); a proposal without one goes."""
        n_motion = len(boxes)
        if proposals is not None and len(proposals):
            boxes = np.concatenate([boxes, proposals]).astype(np.float32)
            none = np.zeros(len(proposals), bool)
            piece, grown = np.concatenate([piece, none]), np.concatenate([grown, none])
            kept = np.concatenate([kept, none])
        if not len(boxes):
            return boxes, np.zeros(0, np.float32), piece, grown, np.zeros(0, np.float32)
        keep = kept if big is None else kept | centres_inside(boxes, big).any(axis=1)
        out, source, unseen, heat = refiner.refine(images, boxes, keep)
        unseen = unseen[unseen < n_motion]
        unseen_conf = self._cfg.refiner_unseen_confidence
        if unseen_conf > 0 and len(unseen):
            out = np.concatenate([out, boxes[unseen]])
            source = np.concatenate([source, unseen])
            heat = np.concatenate([heat, np.zeros(len(unseen), np.float32)])
        found = source == FOUND
        src = np.where(found, 0, source)
        conf = np.full(len(out), MOTION_CONFIDENCE, np.float32)
        if unseen_conf > 0 and len(unseen):
            conf[-len(unseen) :] = unseen_conf
        piece = np.where(found, False, piece[src])
        grown = np.where(found, False, grown[src])
        if big is not None and found.any():
            # What the model finds on a big target is a part of it.
            part = found & centres_inside(out, big).any(axis=1)
            keep = ~part
            out, conf, heat = out[keep], conf[keep], heat[keep]
            piece, grown = piece[keep], grown[keep]
        return out, conf, piece, grown, heat

    def _faint_edges(
        self,
        cur: np.ndarray,
        median: np.ndarray | None,
        texture: np.ndarray,
        valid: np.ndarray,
        foreground: np.ndarray,
        thermal: bool,
    ) -> FaintEdges | None:
        """What grows boxes on an empty background to their faint rims
        (dronewatch.analysis.faint_edges), or None when that is off. It needs the
        median reference: the running average holds trails behind movers."""
        cfg = self._cfg
        if cfg.faint_edge_max_px <= 0 or median is None:
            return None
        return FaintEdges.of(cfg, cur, median, texture, valid, foreground, warm_only=thermal)

    def _peak_split(
        self, fg: np.ndarray, thr: float, faint: FaintEdges | None, thermal: bool
    ) -> PeakSplit | None:
        cfg = self._cfg
        if cfg.split_peaks == "never" or (cfg.split_peaks == "thermal" and not thermal):
            return None
        return PeakSplit(
            fg,
            thr,
            cfg.split_saddle,
            cfg.split_min_distance,
            cfg.split_min_area,
            cfg.split_max_area,
            faint,
            cfg.split_saddle_empty,
        )

    def _window_range(self, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest value of ``ref`` in each pixel's misregistration window."""
        return cv2.erode(ref, self._window), cv2.dilate(ref, self._window)

    def _restart(self, frame: np.ndarray, view: np.ndarray | None = None) -> None:
        """Every background starts again from ``frame`` (key-frame coordinates)."""
        self.last_masks = None
        self._usual_gain = None
        self._bg.restart(frame, view)
        if self._median is not None:
            self._median.restart(frame, view)

    def _rekey(self, key_to_cur: np.ndarray) -> None:
        """Every background moves into the new key frame's coordinates."""
        self._bg.rekey(key_to_cur)
        if self._median is not None:
            self._median.rekey(key_to_cur)

    def _hold_mask(self, boxes: np.ndarray | None, w: int, h: int) -> np.ndarray | None:
        """The held ``boxes`` (key-frame pixels), a pixel wider all round, as a mask."""
        if boxes is None or len(boxes) == 0:
            return None
        mask = np.zeros((h, w), np.uint8)
        for x1, y1, x2, y2 in np.round(boxes).astype(int).tolist():
            cv2.rectangle(mask, (x1 - 1, y1 - 1), (x2 + 1, y2 + 1), 255, -1)
        return mask

    def _flooded(self, hi: np.ndarray, valid: np.ndarray) -> bool:
        """Foreground spread over much of the view, not gathered in a few blobs."""
        cfg = self._cfg
        n_valid = cv2.countNonZero(valid)
        if n_valid == 0:
            return False
        n_hi = cv2.countNonZero(hi)
        if n_hi > cfg.flood_fraction * n_valid:
            return True
        if n_hi < cfg.flood_cells * cfg.flood_cell_fraction * n_valid:
            return False  # too few to make half the cells busy
        cells = cv2.resize(hi, (8, 8), interpolation=cv2.INTER_AREA)
        busy = np.count_nonzero(cells > 255 * cfg.flood_cell_fraction)
        if cfg.flood_cells >= 0 and busy <= cfg.flood_cells * max(
            _fewest_valid_cells(n_valid, valid.size), 1
        ):
            return False  # whatever the valid cells' count: spares the second resize
        cells_valid = cv2.resize(valid, (8, 8), interpolation=cv2.INTER_AREA)
        return busy > cfg.flood_cells * max(np.count_nonzero(cells_valid > 128), 1)

    def _threshold(
        self,
        gray: np.ndarray,
        bg: np.ndarray,
        bg_range: tuple[np.ndarray, np.ndarray],
        valid: np.ndarray,
        thermal: bool,
    ) -> float:
        """See ``MotionDetectorConfig.threshold_min``; ``bg_range``: the
        :meth:`_window_range` of ``bg``; ``thermal``: the frame is analysed as thermal."""
        cfg = self._cfg
        self._frames += 1
        if self._frames % 4 != 1:  # noise and scene change slowly: measure now and then
            return self.threshold
        step = 6
        keep = valid[::step, ::step] > 0
        if np.count_nonzero(keep) < 16:
            return cfg.threshold_min
        b = bg[::step, ::step][keep]
        (noise,) = percentiles(cv2.absdiff(gray[::step, ::step][keep], b).ravel(), (95.0,))
        scene = cfg.threshold_scene_max_thermal if thermal else cfg.threshold_scene_max
        if cfg.threshold_contrast > 0:
            lo, hi = percentiles(b, (10.0, 90.0))
            scene = min(scene, cfg.threshold_contrast * float(hi - lo))
        if cfg.threshold_texture > 0:
            local = cv2.subtract(bg_range[1], bg_range[0])
            (texture,) = percentiles(local[::step, ::step][keep], (75.0,))
            scene = min(scene, cfg.threshold_texture * texture)
        self.threshold = max(cfg.threshold_min, scene, cfg.threshold_noise * noise)
        return self.threshold

    def _hot_blobs(self, gray: np.ndarray) -> np.ndarray:
        cfg = self._cfg
        local = cv2.blur(gray, (cfg.hot_window, cfg.hot_window))
        hot = cv2.subtract(gray, local) > cfg.hot_threshold
        h, w = gray.shape
        rules = BlobRules(cfg.min_area, cfg.max_area_fraction * h * w)
        return rules.boxes(hot.astype(np.uint8), hot)

    def _with_hot(self, out: DetectorOutput, hot: np.ndarray | None) -> DetectorOutput:
        """``out`` plus the warm blobs ``hot`` (boxes) lying in none of its boxes."""
        if hot is None or len(hot) == 0:
            return out
        if len(out.xyxy):
            hot = hot[~centres_inside(hot, out.xyxy, margin=2.0).any(axis=1)]
        warm = Candidates.of(
            hot, np.full(len(hot), self._cfg.hot_confidence), hot=np.ones(len(hot))
        )
        return DetectorOutput(out.candidates.plus(warm), out.global_change)


def blob_stats(mask: np.ndarray) -> np.ndarray:
    """(N, 5) x, y, w, h, area of the 8-connected blobs of ``mask``, background left
    out. Labels are written as 16 bits where they cannot overflow (at most one blob
    per 2 x 2 cell): on a work frame that halves the time (0.43 against 0.78 ms)."""
    h, w = mask.shape
    ltype = cv2.CV_16U if ((w + 1) // 2) * ((h + 1) // 2) < 65535 else cv2.CV_32S
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, ltype, cv2.CCL_DEFAULT)
    return stats[1:]


def _beyond(
    cur: np.ndarray, ref_range: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """How far ``cur`` lies above and below a reference's window range (uint8 grey
    levels, 0 inside the range)."""
    lo, hi = ref_range
    return cv2.subtract(cur, hi), cv2.subtract(lo, cur)


_HALF_CELL = 130 / 255  # a cell counted as not valid is at most this share valid


def _signed_beyond(cur: np.ndarray, ref_range: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """How far ``cur`` lies above (over ``OFF_ZERO``) or below (under it) a
    reference's window range, uint8: the window-robust difference the detector
    thresholds, with its sign, for the window refiner."""
    above, below = _beyond(cur, ref_range)
    return cv2.subtract(cv2.add(above, OFF_ZERO), below)


def _fewest_valid_cells(n_valid: int, size: int) -> float:
    """A lower bound on how many of the 8x8 cells of :meth:`MotionDetector._flooded`
    are valid (their INTER_AREA average above 128) when ``n_valid`` of the mask's
    ``size`` pixels are. The cells' shares add up to ``n_valid / cell`` pixels; a
    valid cell holds at most one cell's worth, one not valid under 128.5 / 255 of it
    (the average is rounded; 130 leaves room for float error)."""
    cell = size / 64
    return (n_valid / cell - 64 * _HALF_CELL) / (1 - _HALF_CELL)


def _clear_border(mask: np.ndarray, margin: int) -> None:
    if margin:
        mask[:margin] = 0
        mask[-margin:] = 0
        mask[:, :margin] = 0
        mask[:, -margin:] = 0


def _footprint(cur_to_key: np.ndarray, w: int, h: int, margin: int) -> np.ndarray:
    """Mask (key-frame coordinates) of the pixels the current frame covers."""
    m = float(margin)
    corners = np.array([[m, m], [w - 1 - m, m], [w - 1 - m, h - 1 - m], [m, h - 1 - m]])
    p = np.hstack([corners, np.ones((4, 1))]) @ cur_to_key.T
    poly = np.round(p[:, :2] / p[:, 2:3]).astype(np.int32)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(mask, poly, 255)
    _clear_border(mask, margin)
    return mask


def _in_key(boxes: np.ndarray | None, cur_to_key: np.ndarray | None) -> np.ndarray | None:
    """Current-frame ``boxes`` in key-frame pixels (unchanged when the camera has not
    moved since the key frame: ``cur_to_key`` None)."""
    if boxes is None or cur_to_key is None or len(boxes) == 0:
        return boxes
    return warp_boxes(boxes, cur_to_key)


_CORNERS = [0, 1, 2, 1, 2, 3, 0, 3]  # box columns making its corners' x, y


def warp_boxes(boxes: np.ndarray, hom: np.ndarray) -> np.ndarray:
    """Axis-aligned boxes through a homography (bounding box of the warped corners)."""
    # (N*4, 3) homogeneous corners (x1, y1), (x2, y1), (x2, y2), (x1, y2) of each box.
    pts = np.ones((4 * len(boxes), 3))
    pts[:, :2] = boxes[:, _CORNERS].reshape(-1, 2)
    p = pts @ hom.T
    xy = (p[:, :2] / p[:, 2:3]).reshape(-1, 4, 2)
    return np.concatenate([xy.min(axis=1), xy.max(axis=1)], axis=1).astype(np.float32)


_RANGE_STEP = 8  # brightness ranges are measured on every 8th pixel of every 8th row


def _range_samples(valid: np.ndarray) -> np.ndarray | None:
    """Which pixels of the sampling grid are ``valid``, or None when too few are."""
    keep = valid[::_RANGE_STEP, ::_RANGE_STEP] > 0
    return keep if np.count_nonzero(keep) >= 16 else None


def _brightness_range(img: np.ndarray, samples: np.ndarray | None) -> tuple[float, float] | None:
    """10th and 90th percentile of ``img`` over the valid ``samples``
    (:func:`_range_samples`), or None when too few pixels are valid."""
    if samples is None:
        return None
    lo, hi = percentiles(img[::_RANGE_STEP, ::_RANGE_STEP][samples], (10.0, 90.0))
    return lo, hi


def percentiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.percentile(values, qs)`` (linear interpolation) of a 1-D array, from one
    partial sort: np.percentile's own overhead took 9% of the analysis time."""
    n = len(values)
    pos = [q / 100.0 * (n - 1) for q in qs]
    if values.dtype == np.uint8:
        # numpy's stable sort of bytes is a radix sort: cheaper than the partial sort
        # of a few thousand grey levels, and the same order statistics.
        part = np.sort(values, kind="stable")
    else:
        kth = sorted({min(int(p) + d, n - 1) for p in pos for d in (0, 1)})
        part = np.partition(values, kth)
    out = []
    for p in pos:
        k = int(p)
        a = float(part[k])
        b = float(part[min(k + 1, n - 1)])
        out.append(a + (p - k) * (b - a))
    return out


def _match_brightness(
    ref: np.ndarray, cur_range: tuple[float, float] | None, samples: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """``ref`` mapped by a gain and offset onto the frame whose brightness range is
    ``cur_range`` (auto exposure, gain control, drifting haze), and the gain;
    ``samples``: see :func:`_brightness_range`."""
    ref_range = _brightness_range(ref, samples)
    if cur_range is None or ref_range is None:
        return ref, 1.0
    gain, offset = _gain_offset(ref_range, cur_range)
    if gain == 1.0 and offset == 0.0:
        return ref, 1.0
    return cv2.convertScaleAbs(ref, alpha=gain, beta=offset), gain


def _gain_offset(src: tuple[float, float], dst: tuple[float, float]) -> tuple[float, float]:
    """Gain/offset mapping the brightness range ``src`` onto ``dst``."""
    (s_lo, s_hi), (d_lo, d_hi) = src, dst
    if s_hi - s_lo < 4 or d_hi - d_lo < 4:
        return 1.0, 0.0
    gain = (d_hi - d_lo) / (s_hi - s_lo)
    offset = d_lo - gain * s_lo
    if abs(gain - 1) < 0.03 and abs(offset) < 2:
        return 1.0, 0.0
    return gain, offset
