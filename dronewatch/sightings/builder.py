"""Turns the analyser's per-frame tracks into sightings (start / update / end).

Feed it one :class:`FrameAnalysis` and the frame image per frame, in order; it returns
the events of that frame. A track becomes a sighting when it is first confirmed; the
frames it was seen while still tentative (reported as unconfirmed tracks, or handed
over at confirmation in :attr:`FrameAnalysis.earlier`) become the start of the
sighting's path, so the start time is when the target was first seen, not when the
tracker became sure; the frames of a short gap the tracker fills in join the path
when the track is seen again. A sighting ends when its track has not been seen
confirmed for ``grace_s`` seconds (the end is the last frame it was seen), or when
:meth:`SightingBuilder.finish` is called at the end of the feed. Its class is the
majority class over all its frames.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from dronewatch.analysis.types import FrameAnalysis, TargetClass, TrackState
from dronewatch.sightings.events import (
    PathPoint,
    Sighting,
    SightingEnded,
    SightingEvent,
    SightingStarted,
    SightingUpdated,
)
from dronewatch.sightings.thumbnail import crop_thumbnail, encode_png

# Sighting keys are unique in the process, not just per builder: two builders fed the
# same clip (a copy opened twice) then cannot mix up each other's sightings in a store.
# next() on a count is atomic under the GIL, so builders on several threads are fine.
_KEYS = itertools.count()


@dataclass(frozen=True, slots=True)
class SightingConfig:
    grace_s: float = 1.5
    """How long a track may be missing before its sighting ends."""
    refresh_s: float = 1.0
    """How often an open sighting's class, peak score and thumbnail are re-sent."""
    tentative_history: int = 300
    """At most this many tentative frames are kept per track for back-filling."""
    thumbnail_max_px: int = 96
    thumbnail_pad: float = 0.25


def majority_class(counts: Counter[TargetClass]) -> TargetClass:
    """The most frequent class; UNKNOWN loses ties, then the class seen first wins."""
    if not counts:
        return TargetClass.UNKNOWN
    # Counter keeps first-insertion order and max() keeps the first of equal keys.
    return max(counts, key=lambda c: (counts[c], c is not TargetClass.UNKNOWN))


@dataclass(slots=True)
class _Candidate:
    """Best view of one track so far: its score and the padded crop at that frame."""

    score: float = -1.0
    crop: np.ndarray | None = None


@dataclass(slots=True)
class _Tentative:
    points: deque[PathPoint]
    classes: Counter[TargetClass] = field(default_factory=Counter)
    best: _Candidate = field(default_factory=_Candidate)
    last_s: float = 0.0


@dataclass(slots=True)
class _Open:
    key: int
    track_id: int
    start: PathPoint
    last: PathPoint
    classes: Counter[TargetClass]
    best: _Candidate
    point_count: int
    sent_class: TargetClass
    sent_peak: float
    refreshed_s: float


def _point(analysis: FrameAnalysis, track: TrackState) -> PathPoint:
    x1, y1, x2, y2 = (float(v) for v in track.xyxy)
    return PathPoint(analysis.index, analysis.time_s, x1, y1, x2, y2, float(track.score))


def _earlier_points(analysis: FrameAnalysis, track_id: int) -> list[PathPoint]:
    """Where a track was in frames before this one that it is reported for only now:
    while still tentative (confirmed in this frame), or missed for a short gap."""
    return [
        PathPoint(e.index, e.time_s, *(float(v) for v in e.xyxy), float(e.score))
        for e in analysis.earlier
        if e.track_id == track_id
    ]


def _by_frame(points: list[PathPoint]) -> list[PathPoint]:
    """One point per frame (the last given), in frame order."""
    return sorted({p.frame: p for p in points}.values(), key=lambda p: p.frame)


class SightingBuilder:
    """Per-clip state machine; not thread-safe (one feed, one thread)."""

    def __init__(self, config: SightingConfig | None = None) -> None:
        self.config = config or SightingConfig()
        self._open: dict[int, _Open] = {}
        self._tentative: dict[int, _Tentative] = {}
        self.started = 0
        self.ended = 0

    @property
    def open_count(self) -> int:
        return len(self._open)

    def update(self, analysis: FrameAnalysis, image: np.ndarray) -> list[SightingEvent]:
        events: list[SightingEvent] = []
        seen: set[int] = set()
        for track in analysis.tracks:
            tid = track.track_id
            if tid in self._open:
                if track.confirmed:
                    seen.add(tid)
                    events.append(self._extend(self._open[tid], analysis, track, image))
            elif track.confirmed:
                seen.add(tid)
                events.append(self._start(analysis, track, image))
            else:
                self._remember_tentative(analysis, track, image)
        now = analysis.time_s
        for tid in [t for t, s in self._open.items() if t not in seen]:
            if now - self._open[tid].last.time_s > self.config.grace_s:
                events.append(self._end(self._open.pop(tid)))
        for tid in [t for t, p in self._tentative.items() if now - p.last_s > self.config.grace_s]:
            del self._tentative[tid]
        return events

    def finish(self) -> list[SightingEvent]:
        """End every open sighting (the feed is over)."""
        events: list[SightingEvent] = [self._end(s) for s in self._open.values()]
        self._open.clear()
        self._tentative.clear()
        return events

    # -- internals -------------------------------------------------------------------

    def _offer(self, best: _Candidate, track: TrackState, image: np.ndarray) -> bool:
        if track.score <= best.score:
            return False
        best.score = float(track.score)
        best.crop = crop_thumbnail(
            image, track.xyxy, self.config.thumbnail_max_px, self.config.thumbnail_pad
        )
        return True

    def _remember_tentative(
        self, analysis: FrameAnalysis, track: TrackState, image: np.ndarray
    ) -> None:
        entry = self._tentative.get(track.track_id)
        if entry is None:
            entry = _Tentative(points=deque(maxlen=self.config.tentative_history))
            self._tentative[track.track_id] = entry
        entry.points.append(_point(analysis, track))
        entry.classes[track.target_class] += 1
        entry.last_s = analysis.time_s
        self._offer(entry.best, track, image)

    def _start(
        self, analysis: FrameAnalysis, track: TrackState, image: np.ndarray
    ) -> SightingEvent:
        history = self._tentative.pop(track.track_id, None)
        point = _point(analysis, track)
        before = list(history.points) if history else []
        before += _earlier_points(analysis, track.track_id)
        points = (*_by_frame(before), point)
        classes = history.classes if history else Counter()
        classes[track.target_class] += 1
        best = history.best if history else _Candidate()
        self._offer(best, track, image)
        cls = majority_class(classes)
        state = _Open(
            key=next(_KEYS),
            track_id=track.track_id,
            start=points[0],
            last=point,
            classes=classes,
            best=best,
            point_count=len(points),
            sent_class=cls,
            sent_peak=best.score,
            refreshed_s=analysis.time_s,
        )
        self.started += 1
        self._open[track.track_id] = state
        return SightingStarted(
            key=state.key,
            track_id=track.track_id,
            target_class=cls,
            points=points,
            peak_score=best.score,
            thumbnail_png=self._png(best),
        )

    def _extend(
        self, state: _Open, analysis: FrameAnalysis, track: TrackState, image: np.ndarray
    ) -> SightingEvent:
        point = _point(analysis, track)
        # The frames a short gap kept it from being seen, filled in by the tracker.
        points = (*_earlier_points(analysis, track.track_id), point)
        state.last = point
        state.point_count += len(points)
        state.classes[track.target_class] += 1
        self._offer(state.best, track, image)
        if analysis.time_s - state.refreshed_s < self.config.refresh_s:
            return SightingUpdated(state.key, points)
        state.refreshed_s = analysis.time_s
        cls = majority_class(state.classes)
        new_class = cls if cls is not state.sent_class else None
        new_peak = state.best.score > state.sent_peak
        state.sent_class = cls
        state.sent_peak = state.best.score
        return SightingUpdated(
            state.key,
            points,
            target_class=new_class,
            peak_score=state.best.score if new_peak else None,
            thumbnail_png=self._png(state.best) if new_peak else None,
        )

    def _end(self, state: _Open) -> SightingEvent:
        self.ended += 1
        return SightingEnded(
            state.key,
            Sighting(
                track_id=state.track_id,
                target_class=majority_class(state.classes),
                start_frame=state.start.frame,
                end_frame=state.last.frame,
                start_s=state.start.time_s,
                end_s=state.last.time_s,
                peak_score=max(state.best.score, 0.0),
                thumbnail_png=self._png(state.best),
                point_count=state.point_count,
            ),
        )

    @staticmethod
    def _png(best: _Candidate) -> bytes:
        return encode_png(best.crop) if best.crop is not None else b""
