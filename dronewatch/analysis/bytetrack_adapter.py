"""Roboflow ``trackers`` ByteTrack behind our tracker interface, with camera compensation.

Kept as the reference the own tracker is measured against (``tracker.kind =
"bytetrack"``; ``benchmarks/tracker_compare.py``). Before each update every tracklet's
Kalman state (corner positions and velocities) is warped by the homography our camera
stage already estimated, so ByteTrack predicts in the current frame's coordinates
without estimating camera motion a second time.
"""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.camera_motion import is_identity, warp_points
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.config import TrackerConfig
from dronewatch.analysis.tracker import Track


class ByteTrackAdapter:
    """Same ``update`` signature as :class:`MultiTargetTracker`; returns matched tracks."""

    def __init__(self, config: TrackerConfig, fps: float) -> None:
        import supervision as sv
        from trackers import ByteTrackTracker

        self._sv = sv
        self._cfg = config
        self._tracker = ByteTrackTracker(
            lost_track_buffer=max(1, round(config.max_age_s * 30.0)),  # in 30-fps frames
            frame_rate=fps,
            track_activation_threshold=config.new_track_confidence,
            minimum_consecutive_frames=config.init_hits,
            minimum_iou_threshold=0.1,
            high_conf_det_threshold=config.new_track_confidence,
        )
        self._known: dict[int, Track] = {}

    def reset(self) -> None:
        self._tracker.reset()
        self._known = {}

    def _compensate(self, hom: np.ndarray) -> None:
        if is_identity(hom):
            return
        for tracklet in self._tracker.tracks:
            kf = tracklet.state_estimator.kf
            s = kf.state.reshape(-1)
            corners = s[:4].reshape(2, 2)
            vel = s[4:8].reshape(2, 2)
            moved = warp_points(hom, corners)
            s[4:8] = (warp_points(hom, corners + vel) - moved).reshape(-1)
            s[:4] = moved.reshape(-1)
            kf.state = s.reshape(-1, 1)

    def update(
        self, offered: Candidates, hom: np.ndarray, gray: np.ndarray | None = None
    ) -> list[Track]:
        """:meth:`MultiTargetTracker.update`'s counterpart (``gray`` is not used)."""
        self._compensate(hom)
        if offered.piece.any():
            offered = offered.select(~offered.piece)  # ByteTrack has no use for parts of targets
        dets = self._sv.Detections(
            xyxy=offered.xyxy,
            confidence=offered.confidence,
            class_id=offered.class_id.astype(int),
        )
        out = self._tracker.update(dets)
        tracks: list[Track] = []
        for k, (box, tid) in enumerate(zip(out.xyxy, out.tracker_id, strict=True)):
            if tid < 0:
                continue
            t = self._known.get(int(tid))
            if t is None:
                t = self._known[int(tid)] = Track(0.0, 0.0, 1.0, 1.0, track_id=int(tid))
                t.confirmed = True
            t.cx, t.cy = float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2
            t.w, t.h = float(box[2] - box[0]), float(box[3] - box[1])
            if out.class_id is not None and out.class_id[k] > 0:
                t.class_votes[int(out.class_id[k])] += float(out.confidence[k])
            tracks.append(t)
        return tracks
