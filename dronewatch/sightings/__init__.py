"""Sightings: confirmed tracks turned into start / update / end events (no Qt)."""

from dronewatch.sightings.builder import SightingBuilder, SightingConfig, majority_class
from dronewatch.sightings.events import (
    PathPoint,
    Sighting,
    SightingEnded,
    SightingEvent,
    SightingStarted,
    SightingUpdated,
)

__all__ = [
    "PathPoint",
    "Sighting",
    "SightingBuilder",
    "SightingConfig",
    "SightingEnded",
    "SightingEvent",
    "SightingStarted",
    "SightingUpdated",
    "majority_class",
]
