"""Coarse target class for a track: from the model's votes when there are any, else
from the track's size, shape and speed.

Ground-level intuitions do not hold from the air, so the rules stay coarse: a model
vote wins; otherwise large or elongated targets are vehicles, small upright or small
slow ones are people, and anything unsure stays unknown.
"""

from __future__ import annotations

from dronewatch.analysis.config import ClassifierConfig
from dronewatch.analysis.tracker import Track
from dronewatch.analysis.types import TARGET_CLASSES, TargetClass

_MIN_MODEL_VOTES = 0.5


def classify_track(
    track: Track, config: ClassifierConfig, frame_area: float, scale_to_full: float
) -> TargetClass:
    """``frame_area`` in work pixels; ``scale_to_full`` converts work px to full-frame px."""
    votes = track.class_votes
    if float(votes.sum()) >= _MIN_MODEL_VOTES:
        return TARGET_CLASSES[int(votes.argmax())]
    w, h = max(track.w, 1.0), max(track.h, 1.0)
    aspect = w / h
    area_fraction = (w * h) / max(frame_area, 1.0)
    if area_fraction >= config.vehicle_min_area_fraction and (
        aspect >= config.vehicle_min_aspect or aspect <= 1.0 / config.vehicle_min_aspect
    ):
        return TargetClass.VEHICLE
    if area_fraction >= 4 * config.vehicle_min_area_fraction:
        return TargetClass.VEHICLE
    if aspect <= config.person_max_aspect:
        return TargetClass.PERSON
    if area_fraction < config.vehicle_min_area_fraction and track.speed < 1.0:
        return TargetClass.PERSON
    return TargetClass.UNKNOWN
