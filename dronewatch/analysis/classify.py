"""Coarse target class for a track: from the model's votes when there are any, else
from the track's size, shape and speed.

Ground-level intuitions do not hold from the air, so the rules stay coarse: a model
vote wins; otherwise a tall target moving sideways is a person (a vehicle drives along
its length), and so is a tall one that walks along its length at a walker's pace (a
vehicle covers its own length in about a second or less); a target of vehicle size
moving faster than anyone walks is a vehicle whatever its shape; other large or
elongated targets are vehicles (a tall one only once it has shown its heading), small
upright or small slow ones are people, and anything unsure stays unknown.
"""

from __future__ import annotations

import math

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
) -> TargetClass:
    """``frame_area`` in work pixels; ``scale_to_full`` converts work px to full-frame px;
    ``fps``: the feed's frame rate (the track's speeds are per frame)."""
    votes = track.class_votes
    # Without a model every vote is 0: checking that on a list is cheaper than a sum.
    if any(votes.tolist()) and float(votes.sum()) >= _MIN_MODEL_VOTES:
        return TARGET_CLASSES[int(votes.argmax())]
    w, h = max(track.w, 1.0), max(track.h, 1.0)
    aspect = w / h
    area_fraction = (w * h) / max(frame_area, 1.0)
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
