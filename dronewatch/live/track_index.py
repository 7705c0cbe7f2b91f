"""Confirmed tracks of one feed by frame, for overlays at any frame the user looks at.

The analyser appends frames in order from its thread; views read from theirs. Reads take
no lock: each frame's entry is an immutable tuple put in place by one dict assignment.

A track's label is the class it has had most often so far, as its sighting's is: the
analyser's class of one frame follows the box's shape, and a walker's flips to
'vehicle' for the frames his box is joined to a neighbour's.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from dronewatch.analysis.types import FrameAnalysis, TargetClass, TrackState
from dronewatch.sightings.builder import majority_class

_NO_TRACKS: tuple[TrackState, ...] = ()
_UNKNOWN = TargetClass.UNKNOWN


class TrackIndex:
    """frame index -> confirmed tracks, plus each track's centre path for trails."""

    def __init__(self) -> None:
        self._by_frame: dict[int, tuple[TrackState, ...]] = {}
        self._paths: dict[int, tuple[list[int], list[tuple[float, float]]]] = {}
        self._lock = threading.Lock()
        self.frames_done = 0  # frames [0, frames_done) are analysed
        self._analysed: list[int] = []  # frames added, in order (live analysis skips some)
        self.complete = False
        # A stored analysis, loaded in bulk: rows sorted by frame (see load_points).
        self._stored: np.ndarray | None = None
        self._stored_frames = np.zeros(0, np.int64)
        self._classes: dict[int, TargetClass] = {}
        self._class_counts: dict[int, Counter[TargetClass]] = {}  # live tracks' classes
        self._last_seen: dict[int, int] = {}  # live tracks' last frame
        # A track not seen for more than this many frames starts its label afresh (its
        # sighting has ended, and the one it starts counts classes anew); None: never.
        self.label_memory_frames: int | None = None

    def add(
        self,
        frame: int,
        tracks: Iterable[TrackState],
        earlier: Iterable[tuple[int, TrackState]] = (),
    ) -> None:
        """This frame's tracks; ``earlier``: (frame, state) of tracks confirmed in it, in
        the frames before while they were tentative, and of tracks seen again in it in
        the frames of a short gap (see :func:`earlier_states`), in frame order, so
        overlays show a track from where its sighting starts and through the gap."""
        with self._lock:
            confirmed = tuple(self._steady(t, frame) for t in tracks if t.confirmed)
            for before, t in earlier:
                self._append_path(before, t)
                shown = self._by_frame.get(before, _NO_TRACKS)
                if all(s.track_id != t.track_id for s in shown):
                    self._by_frame[before] = (*shown, t)
            for t in confirmed:
                self._append_path(frame, t)
            if confirmed:
                self._by_frame[frame] = confirmed
            if not self._analysed or frame > self._analysed[-1]:
                self._analysed.append(frame)
            self.frames_done = max(self.frames_done, frame + 1)

    def _steady(self, t: TrackState, frame: int) -> TrackState:
        """``t`` labelled with the class its track has had most often so far (since
        it came back, after a gap longer than ``label_memory_frames``)."""
        last = self._last_seen.get(t.track_id)
        self._last_seen[t.track_id] = frame
        memory = self.label_memory_frames
        if last is not None and memory is not None and frame - last > memory:
            self._class_counts.pop(t.track_id, None)
        counts = self._class_counts.setdefault(t.track_id, Counter())
        counts[t.target_class] += 1
        cls = majority_class(counts)
        return t if cls is t.target_class else replace(t, target_class=cls)

    def _append_path(self, frame: int, t: TrackState) -> None:
        frames, centres = self._paths.setdefault(t.track_id, ([], []))
        x1, y1, x2, y2 = t.xyxy
        centre = ((x1 + x2) / 2, (y1 + y2) / 2)
        if not frames or frames[-1] < frame:
            frames.append(frame)
            centres.append(centre)
            return
        # A frame before the last: a short gap filled in, or one already known (a reload).
        at = bisect.bisect_left(frames, frame)
        if frames[at] != frame:
            frames.insert(at, frame)
            centres.insert(at, centre)

    def load_points(self, rows: np.ndarray, classes: dict[int, TargetClass]) -> None:
        """Bulk load stored ``(track_id, frame, x1, y1, x2, y2, score)`` rows.

        Vectorised: a 10-minute clip holds ~100k boxes, and reopening it must be instant.
        Per-frame track tuples are built lazily, the first time a frame is shown.
        """
        if not len(rows):
            return
        rows = rows[np.lexsort((rows[:, 0], rows[:, 1]))]  # by frame, then track
        frames = rows[:, 1].astype(np.int64)
        with self._lock:
            self._stored = rows
            self._stored_frames = frames
            self._classes = dict(classes)
            by_track = np.argsort(rows[:, 0], kind="stable")
            tids = rows[by_track, 0].astype(np.int64)
            cuts = np.flatnonzero(np.diff(tids)) + 1
            centres = np.column_stack(
                ((rows[:, 2] + rows[:, 4]) / 2, (rows[:, 3] + rows[:, 5]) / 2)
            )
            for part in np.split(by_track, cuts):
                tid = int(rows[part[0], 0])
                self._paths[tid] = (
                    frames[part].tolist(),
                    [tuple(c) for c in centres[part].tolist()],
                )
            self.frames_done = max(self.frames_done, int(frames[-1]) + 1)

    def _stored_at(self, frame: int) -> tuple[TrackState, ...]:
        frames = self._stored_frames
        lo = int(np.searchsorted(frames, frame, "left"))
        hi = int(np.searchsorted(frames, frame, "right"))
        if lo == hi:
            return _NO_TRACKS
        unknown = TargetClass.UNKNOWN
        tracks = tuple(
            TrackState(int(t), (x1, y1, x2, y2), score, self._classes.get(int(t), unknown), True)
            for t, _f, x1, y1, x2, y2, score in self._stored[lo:hi].tolist()
        )
        self._by_frame[frame] = tracks
        return tracks

    def tracks_at(self, frame: int) -> tuple[TrackState, ...]:
        tracks = self._by_frame.get(frame)
        if tracks is not None:
            return tracks
        if self._stored is not None:
            return self._stored_at(frame)
        return _NO_TRACKS

    def first_frame(self, track_id: int) -> int | None:
        """The first frame the track was seen (for delayed display aids)."""
        path = self._paths.get(track_id)
        return path[0][0] if path and path[0] else None

    def analysed(self, frame: int) -> bool:
        return frame < self.frames_done

    def latest_frame(self, at: int) -> int | None:
        """The last frame added at or before ``at``. A live feed shows its newest frame
        while the analysis is a frame or two behind, and skips frames when it falls
        further behind: its overlays come from this frame."""
        frames = self._analysed
        i = bisect.bisect_right(frames, at)
        return frames[i - 1] if i else None

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
        if self._stored is not None:
            np.add.at(out, self._stored_frames[self._stored_frames < len(out)], 1)
            return out
        for frame, tracks in list(self._by_frame.items()):
            if frame < len(out):
                out[frame] = len(tracks)
        return out


def earlier_states(analysis: FrameAnalysis) -> list[tuple[int, TrackState]]:
    """(frame, state) of the tracks reported in ``analysis`` in the frames before it
    they were not reported in (see :class:`EarlierBox`), with the class they have now."""
    classes = {t.track_id: t.target_class for t in analysis.tracks}
    return [
        (e.index, TrackState(e.track_id, e.xyxy, e.score, classes.get(e.track_id, _UNKNOWN), True))
        for e in analysis.earlier
    ]
