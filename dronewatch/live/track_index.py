"""Confirmed tracks of one feed by frame, for overlays at any frame the user looks at.

The analyser appends frames in order from its thread; views read from theirs. Reads take
no lock: each frame's entry is an immutable tuple put in place by one dict assignment.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable

import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState

_NO_TRACKS: tuple[TrackState, ...] = ()


class TrackIndex:
    """frame index -> confirmed tracks, plus each track's centre path for trails."""

    def __init__(self) -> None:
        self._by_frame: dict[int, tuple[TrackState, ...]] = {}
        self._paths: dict[int, tuple[list[int], list[tuple[float, float]]]] = {}
        self._lock = threading.Lock()
        self.frames_done = 0  # frames [0, frames_done) are analysed
        self.complete = False

    def add(self, frame: int, tracks: Iterable[TrackState]) -> None:
        confirmed = tuple(t for t in tracks if t.confirmed)
        with self._lock:
            for t in confirmed:
                frames, centres = self._paths.setdefault(t.track_id, ([], []))
                if frames and frames[-1] >= frame:
                    continue  # already known (a reload): keep paths ordered
                frames.append(frame)
                x1, y1, x2, y2 = t.xyxy
                centres.append(((x1 + x2) / 2, (y1 + y2) / 2))
            if confirmed:
                self._by_frame[frame] = confirmed
            self.frames_done = max(self.frames_done, frame + 1)

    def load_points(
        self,
        rows: np.ndarray,
        classes: dict[int, TargetClass],
    ) -> None:
        """Bulk load ``(track_id, frame, x1, y1, x2, y2, score)`` rows sorted by frame."""
        by_frame: dict[int, list[TrackState]] = {}
        for track_id, frame, x1, y1, x2, y2, score in rows.tolist():
            tid = int(track_id)
            state = TrackState(
                tid, (x1, y1, x2, y2), score, classes.get(tid, TargetClass.UNKNOWN), True
            )
            by_frame.setdefault(int(frame), []).append(state)
        for frame in sorted(by_frame):
            self.add(frame, by_frame[frame])

    def tracks_at(self, frame: int) -> tuple[TrackState, ...]:
        return self._by_frame.get(frame, _NO_TRACKS)

    def analysed(self, frame: int) -> bool:
        return frame < self.frames_done

    def trails(self, frame: int, span_frames: int) -> dict[int, np.ndarray]:
        """Centre paths over the last ``span_frames`` frames of tracks visible at ``frame``."""
        out: dict[int, np.ndarray] = {}
        for track in self.tracks_at(frame):
            frames, centres = self._paths.get(track.track_id, ([], []))
            hi = bisect.bisect_right(frames, frame)
            lo = bisect.bisect_left(frames, frame - span_frames, 0, hi)
            if hi - lo >= 2:
                out[track.track_id] = np.asarray(centres[lo:hi], np.float32)
        return out

    def counts(self) -> np.ndarray:
        """Targets in view per analysed frame (the activity curve)."""
        out = np.zeros(self.frames_done, np.int32)
        for frame, tracks in list(self._by_frame.items()):
            if frame < len(out):
                out[frame] = len(tracks)
        return out
