"""What the sighting builder reports: frozen values that may cross a process boundary.

A sighting is reported as it happens, not only when it ends, so the store can keep an
open sighting on disk while it goes on and a crash loses at most the last second:

* :class:`SightingStarted` when a track is first confirmed (with the path it had while
  still tentative),
* :class:`SightingUpdated` for each later frame it is seen (one path point, and now and
  then a refreshed class, peak score and thumbnail),
* :class:`SightingEnded` once it has been gone for the grace period, or the feed ended.

``key`` identifies a sighting among all those of this process; the store maps it to a
row.
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewatch.analysis.types import TargetClass


@dataclass(frozen=True, slots=True)
class PathPoint:
    """Where a sighting's box was in one frame (full-frame pixels)."""

    frame: int
    time_s: float
    x1: float
    y1: float
    x2: float
    y2: float
    score: float

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)


@dataclass(frozen=True, slots=True)
class Sighting:
    """A finished sighting: one confirmed track from its first to its last frame."""

    track_id: int
    target_class: TargetClass
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    peak_score: float
    thumbnail_png: bytes
    point_count: int

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class SightingStarted:
    key: int
    track_id: int
    target_class: TargetClass
    points: tuple[PathPoint, ...]  # at least one; the first gives the start
    peak_score: float
    thumbnail_png: bytes


@dataclass(frozen=True, slots=True)
class SightingUpdated:
    """One more frame of an open sighting; the optional fields are set when refreshed."""

    key: int
    points: tuple[PathPoint, ...]
    target_class: TargetClass | None = None
    peak_score: float | None = None
    thumbnail_png: bytes | None = None


@dataclass(frozen=True, slots=True)
class SightingEnded:
    key: int
    sighting: Sighting


SightingEvent = SightingStarted | SightingUpdated | SightingEnded
