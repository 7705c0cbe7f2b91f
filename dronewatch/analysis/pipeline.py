"""Per-feed analysis: camera motion -> movers (+ optional model) -> tracks -> classes.

Everything heavy runs on a grey copy downscaled to ``config.work_width``; boxes are
scaled back to full-frame pixels only on the way out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path

import numpy as np

from dronewatch.analysis.allocator import keep_large_buffers_in_heap
from dronewatch.analysis.box_geometry import centres_inside, iou_matrix, longer_sides
from dronewatch.analysis.bytetrack_adapter import ByteTrackAdapter
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.classify import WalkerSize, classify_track
from dronewatch.analysis.config import AnalysisConfig, tentative_reach_frames
from dronewatch.analysis.motion_detector import DetectorMasks, MotionDetector, warp_boxes
from dronewatch.analysis.onnx_detector import OnnxDetector
from dronewatch.analysis.prepare import FramePreparer, PreparedFrame, feed_fps
from dronewatch.analysis.target_scale import RefineGate, SmallTargetVote
from dronewatch.analysis.tracker import MultiTargetTracker, report_box
from dronewatch.analysis.types import Detections, EarlierBox, FrameAnalysis, TrackState
from dronewatch.frames import FramePacket, VideoInfo

__all__ = ["FeedAnalyzer", "PreparedFrame"]


class FeedAnalyzer:
    """Detects and tracks moving targets in one feed; call :meth:`process` per frame.

    >>> import numpy as np
    >>> from dronewatch.frames import FramePacket, VideoInfo
    >>> analyzer = FeedAnalyzer(VideoInfo(fps=25.0, width=160, height=90, frame_count=None))
    >>> frame = np.zeros((90, 160, 3), np.uint8)
    >>> analyzer.process(FramePacket(0, 0.0, frame)).tracks
    ()
    """

    def __init__(
        self,
        info: VideoInfo,
        config: AnalysisConfig | None = None,
        model_path: Path | None = None,
    ) -> None:
        self.info = info
        self.config = cfg = config or AnalysisConfig()
        keep_large_buffers_in_heap()
        self._fps = fps = feed_fps(info)
        self._detector = MotionDetector(cfg.detector, fps)
        self._preparer = FramePreparer(info, cfg, self._detector)
        self._scale = s = self._preparer.scale
        self._work_size = self._preparer.work_size
        self._to_work = np.diag([s, s, 1.0])
        self._to_full = np.diag([1 / s, 1 / s, 1.0])
        self._model = OnnxDetector(Path(model_path), cfg.model) if model_path else None
        self._model_every = max(1, round(cfg.model.every_s * fps))
        tracker_cfg = cfg.tracker
        if self._model is not None:
            # A track started by the model must outlive the frames the model skips.
            misses = max(tracker_cfg.tentative_misses, self._model_every - 1)
            tracker_cfg = replace(tracker_cfg, tentative_misses=misses)
        self._tracker_config = tracker_cfg
        self._tracker: MultiTargetTracker | ByteTrackAdapter
        if tracker_cfg.kind == "bytetrack":
            self._tracker = ByteTrackAdapter(tracker_cfg, fps)
        else:
            self._tracker = MultiTargetTracker(tracker_cfg, fps)
        self._frames_seen = 0
        self._thermal = False  # whether the last frame was analysed as thermal
        self._walker_size = (
            WalkerSize(round(cfg.classifier.walker_memory_s * fps))
            if cfg.classifier.not_walker_area_ratio > 0
            else None
        )
        self._target_scale = SmallTargetVote(cfg.detector.refiner_max_side, fps)
        self._big = np.zeros((0, 4), np.float32)  # last frame's big confirmed targets
        # From the tracker for the next frame's detection: targets standing still,
        # whose background is not learnt, and upright walkers a blob may be cut between.
        self._hold = np.zeros((0, 4), np.float32)
        self._walkers = np.zeros((0, 6), np.float32)  # boxes and velocities
        # (index, time) of the frames a tentative track may reach back to.
        window = tentative_reach_frames(tracker_cfg, fps)
        self._recent: deque[tuple[int, float]] = deque(maxlen=max(window, 2))

    @property
    def detector_masks(self) -> DetectorMasks | None:
        """The motion detector's images of the last frame (diagnostics)."""
        return self._detector.last_masks

    def process(self, packet: FramePacket) -> FrameAnalysis:
        """Analyse the next frame (frames must arrive in order)."""
        return self.analyse(self.prepare(packet))

    def prepare(self, packet: FramePacket) -> PreparedFrame:
        """The first stage of :meth:`process`
        (:class:`~dronewatch.analysis.prepare.FramePreparer`). It needs nothing from the
        later stages, so a reader thread may run it ahead
        (:func:`~dronewatch.analysis.read_ahead.prepared_frames`); every frame prepared
        must then be analysed, in order."""
        return self._preparer.prepare(packet)

    def analyse(self, frame: PreparedFrame) -> FrameAnalysis:
        """The rest of :meth:`process`: movers, tracks and classes of a prepared frame."""
        packet, gray, motion = frame.packet, frame.gray, frame.motion
        img = packet.image
        thermal = frame.registered.thermal
        if self._thermal and not thermal and self._preparer.keeps_frames:
            self._start_again_as_daylight(packet.index)
        elif not self._detector.may_turn_daylight and self._detector.thermal == thermal:
            # Decided for good (and any switch to daylight made): nothing to replay.
            self._preparer.forget_kept_frames()
        self._thermal = thermal
        hom = motion.prev_to_cur
        # Last frame's targets, moved with the camera.
        hold = warp_boxes(self._hold, hom) if len(self._hold) else None
        walkers = None
        if len(self._walkers):
            walkers = self._walkers.copy()
            walkers[:, :4] = warp_boxes(self._walkers[:, :4], hom)
        if self._detector.refines:
            big = warp_boxes(self._big, hom) if len(self._big) else self._big
            self._detector.refine_gate = RefineGate(self._target_scale.small, big)
        found = self._detector.detect_registered(
            frame.registered, motion, hold, walkers, self.config.tracker.split_tracked_crossing
        )
        offered = found.candidates
        if self._model is not None:
            # Motion blobs big enough for the model to see but not confirmed by it may
            # only keep existing tracks alive (swaying trees, fragments, ghosts).
            side = longer_sides(offered.xyxy) / self._scale
            big = side >= self.config.model.min_visible_px
            unseen = self.config.model.unseen_confidence
            offered = offered.with_confidence(
                np.where(big, np.minimum(offered.confidence, unseen), offered.confidence)
            )
            if self._frames_seen % self._model_every == 0:
                offered = _merge_model(offered, self._model.detect(img), self._scale)
        self._frames_seen += 1
        tracks = self._tracker.update(offered, hom, gray)
        self._recent.append((packet.index, packet.time_s))
        if isinstance(self._tracker, MultiTargetTracker):
            if self.config.tracker.hold_background:
                self._hold = self._tracker.hold_boxes()
            if self.config.tracker.split_tracked_upright > 0:
                self._walkers = self._tracker.upright_predictions(
                    self.config.tracker.split_tracked_upright
                )
        if self._detector.refines:
            confirmed = [t.xyxy for t in tracks if t.confirmed]
            self._big = self._target_scale.see(np.array(confirmed, np.float32).reshape(-1, 4))
        area = float(self._work_size[0] * self._work_size[1])
        inv = 1.0 / self._scale
        mw = self.config.tracker.measurement_weight
        classifier = self.config.classifier
        walker_area = None
        if self._walker_size is not None:
            self._walker_size.see(tracks, classifier)
            walker_area = self._walker_size.area
        states = []
        for t in tracks:
            x1, y1, x2, y2 = report_box(t, mw)
            states.append(
                TrackState(
                    t.track_id,
                    (x1 * inv, y1 * inv, x2 * inv, y2 * inv),
                    float(t.score),
                    classify_track(t, classifier, area, inv, self._fps, walker_area),
                    t.confirmed,
                )
            )
        detections = Detections(
            (offered.xyxy * inv).astype(np.float32),
            offered.confidence.astype(np.float32),
            offered.class_id.astype(np.int16),
        )
        return FrameAnalysis(
            index=packet.index,
            time_s=packet.time_s,
            detections=detections,
            tracks=tuple(states),
            camera_motion=self._to_full @ hom @ self._to_work,
            earlier=self._earlier_boxes(inv),
        )

    def _start_again_as_daylight(self, index: int) -> None:
        """A grey feed taken for thermal has turned out to be daylight (a monochrome
        visible camera; :mod:`~dronewatch.analysis.thermal_decision`). Its kept frames
        before frame ``index`` are analysed again as daylight by a fresh analyser, and
        this one goes on with that one's detector, tracker and votes: as if the feed
        had been known for daylight from its start. What was reported for the frames
        before stands; a track goes on under the ID of the old track on the same
        target, if there was one, else under a new one; a track confirmed from now on
        reaches back no earlier than this frame. The optional model does not take
        part in the replay (the full frames are not kept)."""
        cfg = self.config
        daylight = replace(cfg, detector=replace(cfg.detector, thermal=False))
        fresh = FeedAnalyzer(self.info, daylight)
        old = self._tracker
        # ByteTrack (a comparison) numbers its tracks from 1: it keeps its tracks. Ours
        # is made with this analyser's settings (a model's frames apart, if any).
        new = None
        if isinstance(old, MultiTargetTracker):
            new = fresh._tracker = MultiTargetTracker(self._tracker_config, self._fps)
            new.continue_ids_after(old)
        for kept in self._preparer.kept_frames(index):
            packet = FramePacket(kept.index, kept.time_s, _NO_IMAGE)
            registered = fresh._detector.register(kept.gray, kept.motion)
            fresh.analyse(PreparedFrame(packet, kept.gray, kept.motion, registered))
        self._preparer.forget_kept_frames()
        self._detector = self._preparer.detector = fresh._detector
        if new is not None and isinstance(old, MultiTargetTracker):
            new.take_over_ids(old)
            self._tracker = new
            self._recent.clear()
        self._target_scale, self._walker_size = fresh._target_scale, fresh._walker_size
        self._big, self._hold, self._walkers = fresh._big, fresh._hold, fresh._walkers

    def _earlier_boxes(self, inv: float) -> tuple[EarlierBox, ...]:
        """The tentative past of the tracks confirmed in this frame, and the short gaps
        filled in of those seen again in it, in full-frame pixels (ByteTrack reports
        none)."""
        if not isinstance(self._tracker, MultiTargetTracker):
            return ()
        out = []
        for track_id, back, box, score in self._tracker.earlier_boxes():
            if back < len(self._recent):
                index, time_s = self._recent[-1 - back]
                xyxy = tuple(float(v) * inv for v in box)
                out.append(EarlierBox(track_id, index, time_s, xyxy, score))  # type: ignore[arg-type]
        return tuple(out)


# Replayed frames carry no image: only the optional model reads it, and the replay
# runs without one.
_NO_IMAGE = np.zeros((1, 1, 3), np.uint8)


def _merge_model(offered: Candidates, model: Detections, scale: float) -> Candidates:
    """Model boxes replace the motion boxes they cover (they have better extents),
    except motion boxes grown to their faint rims on empty ground: there the motion box
    is the whole target, and the model's box over it is dropped."""
    if len(model) == 0:
        return offered
    mb = model.xyxy.astype(np.float32) * scale
    if len(offered):
        xyxy = offered.xyxy
        over = centres_inside(xyxy, mb) | (iou_matrix(xyxy, mb) > 0.3)
        keep_model = ~(over & offered.on_empty[:, None]).any(axis=0)
        covered = (over & keep_model[None, :]).any(axis=1)
        offered = offered.select(~covered)
        model, mb = model[keep_model], mb[keep_model]
    return offered.plus(Candidates.of(mb, model.confidence, class_id=model.class_id))
