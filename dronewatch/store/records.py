"""Rows of the sightings database as frozen values."""

from __future__ import annotations

from dataclasses import dataclass

from dronewatch.analysis.types import TargetClass


@dataclass(frozen=True, slots=True)
class ClipInfo:
    """What the writer needs to register a clip before its sightings arrive."""

    content_hash: str
    path: str
    name: str
    fps: float
    width: int
    height: int
    frame_count: int | None
    config_hash: str = ""


@dataclass(frozen=True, slots=True)
class ClipRecord:
    id: int
    content_hash: str
    path: str
    name: str
    fps: float
    width: int
    height: int
    frame_count: int | None
    frames_analysed: int
    analysed_at: float | None  # unix time the last analysis started
    complete: bool
    config_hash: str


@dataclass(frozen=True, slots=True)
class SightingRecord:
    id: int
    clip_id: int
    track_id: int
    target_class: TargetClass
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    peak_score: float
    thumbnail_png: bytes
    is_open: bool
