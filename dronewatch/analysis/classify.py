"""Coarse target class for a track: from the model's votes when there are any, else
from the track's size, shape and speed.

Ground-level intuitions do not hold from the air, so the rules stay coarse: a model
vote wins; otherwise a tall target moving sideways is a person (a vehicle drives along
its length), and so is a tall one that walks along its length at a walker's pace (a
vehicle covers its own length in about a second or less); a target of vehicle size
moving faster than anyone walks is a vehicle whatever its shape; other large or
elongated targets are vehicles (a tall one only once it has shown its heading), small
upright or small slow ones are people, and anything unsure stays unknown. A target many
times the size of the feed's walkers (:class:`WalkerSize`) is no walker, however it
moves: a car driving slowly up the picture is as tall and as slow as a walker.
"""

from __future__ import annotations

import math
import statistics

from dronewatch.analysis.config import ClassifierConfig
from dronewatch.analysis.tracker import Track
from dronewatch.analysis.types import TARGET_CLASSES, TargetClass

_MIN_MODEL_VOTES = 0.5


def classify_track(
    track: Track,
    config: ClassifierConfig,
    frame_area: float,
    scale_to_full: float,
    fps: float,
    walker_area: float | None = None,
) -> TargetClass:
    """``frame_area`` in work pixels; ``scale_to_full`` converts work px to full-frame px;
    ``fps``: the feed's frame rate (the track's speeds are per frame); ``walker_area``:
    the feed's walkers' typical box area, work px (:class:`WalkerSize`), if known."""
    votes = track.class_votes
    # Without a model every vote is 0: checking that on a list is cheaper than a sum.
    if any(votes.tolist()) and float(votes.sum()) >= _MIN_MODEL_VOTES:
        return TARGET_CLASSES[int(votes.argmax())]
    w, h = max(track.w, 1.0), max(track.h, 1.0)
    aspect = w / h
    area_fraction = (w * h) / max(frame_area, 1.0)
    if (
        walker_area is not None
        and w * h >= config.not_walker_area_ratio * walker_area
        and area_fraction >= config.vehicle_min_area_fraction
    ):
        return TargetClass.VEHICLE
    tall = aspect <= 1.0 / config.vehicle_min_aspect
    # A vehicle drives along its length: a tall target moving across the picture is an
    # upright person seen from the side or from high up (a wide target moving up the
    # picture is left to the rules below: from the air that is a bus seen sideways as
    # often as a row of walkers).
    pace = track.pace_sum / track.pace_n * fps if track.pace_n else None
    heading = _has_shown_its_heading(track, config)
    if tall and heading:
        if _moves_across_its_length(track, config):
            return TargetClass.PERSON
        if pace is not None and pace < config.vehicle_min_pace:
            return TargetClass.PERSON  # walking towards or away from the camera
    if (
        heading
        and pace is not None
        and pace >= config.vehicle_fast_pace
        and area_fraction >= config.vehicle_min_area_fraction
    ):
        return TargetClass.VEHICLE  # faster than anyone walks
    if area_fraction >= config.vehicle_min_area_fraction and (
        aspect >= config.vehicle_min_aspect or tall
    ):
        if tall and not heading and config.tall_unknown_until_heading:
            return TargetClass.UNKNOWN
        return TargetClass.VEHICLE
    if area_fraction >= 4 * config.vehicle_min_area_fraction:
        return TargetClass.VEHICLE
    if aspect <= config.person_max_aspect:
        return TargetClass.PERSON
    if area_fraction < config.vehicle_min_area_fraction and track.speed < 1.0:
        return TargetClass.PERSON
    return TargetClass.UNKNOWN


def _has_shown_its_heading(track: Track, config: ClassifierConfig) -> bool:
    """The track has moved at least ``across_min_move`` of its length from where it
    started."""
    moved = math.hypot(track.cx - track.ox, track.cy - track.oy)
    return moved >= config.across_min_move * max(track.w, track.h)


def _moves_across_its_length(track: Track, config: ClassifierConfig) -> bool:
    """A tall track now moves more sideways than up or down. The current velocity, not
    the way since the start, so a car that drove up the picture and turned counts only
    while its box is still tall (its sighting takes the class of most of its life)."""
    return abs(track.vx) > config.across_ratio * abs(track.vy)


def walks_like_a_person(track: Track, config: ClassifierConfig) -> bool:
    """The surest sign of a walker without a model: a tall target that has shown its
    heading moving across its length (vehicles drive along theirs)."""
    tall = track.w * config.vehicle_min_aspect <= track.h
    return (
        tall and _has_shown_its_heading(track, config) and _moves_across_its_length(track, config)
    )


class WalkerSize:
    """The typical box area of a feed's walkers: the median over the confirmed tracks
    that :func:`walks_like_a_person` in the last ``memory_frames`` (the camera zooms and
    climbs), once there are ``min_walkers`` of them."""

    def __init__(self, memory_frames: int, min_walkers: int = 3) -> None:
        self._memory = memory_frames
        self._min = min_walkers
        self._areas: dict[int, tuple[int, float]] = {}  # track id -> (frame, area)
        self._frame = 0

    def see(self, tracks: list[Track], config: ClassifierConfig) -> None:
        """One frame's tracks."""
        self._frame += 1
        for t in tracks:
            if t.confirmed and walks_like_a_person(t, config):
                self._areas[t.track_id] = (self._frame, t.w * t.h)
        oldest = self._frame - self._memory
        if any(f < oldest for f, _ in self._areas.values()):
            self._areas = {k: v for k, v in self._areas.items() if v[0] >= oldest}

    @property
    def area(self) -> float | None:
        if len(self._areas) < self._min:
            return None
        return statistics.median(a for _, a in self._areas.values())
