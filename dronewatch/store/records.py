"""Rows of the sightings database as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dronewatch.analysis.types import TargetClass


class SightingSource(StrEnum):
    """Who made a sighting: the analysis, an operator drawing it, or an imported log."""

    MACHINE = "machine"
    OPERATOR = "operator"
    IMPORT = "import"


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class EditField(StrEnum):
    """What an edit row changed; CREATED marks the birth of an operator/imported sighting."""

    STATUS = "status"
    CLASS = "class"
    NOTE = "note"
    TAGS = "tags"
    CREATED = "created"


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
    source: SightingSource = SightingSource.MACHINE
    status: ReviewStatus = ReviewStatus.UNREVIEWED
    note: str = ""
    tags: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class EditRecord:
    """One review change. Values are text as stored (tags as a JSON list)."""

    id: int
    sighting_id: int
    field: EditField
    old_value: str | None
    new_value: str | None
    at: float  # unix time
    operator: str


@dataclass(frozen=True, slots=True)
class BookmarkRecord:
    id: int
    clip_id: int
    time_s: float
    note: str
    created: float  # unix time
    operator: str


@dataclass(frozen=True, slots=True)
class ReferenceLayerInfo:
    """Where a clip's reference (ground truth) boxes came from."""

    clip_id: int
    source_path: str
    imported_at: float
    operator: str
    boxes: int
