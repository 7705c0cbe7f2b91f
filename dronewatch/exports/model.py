"""What every export format starts from: the filtered sightings as flat rows.

Times are seconds into each clip (the store has no wall-clock times yet). The row layout
is shared by the CSV and JSON logs, which the importer reads back, so a change here is a
change to a file format: add columns, never rename them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dronewatch import clock_text
from dronewatch.errors import DroneWatchError
from dronewatch.store import (
    ClipRecord,
    ReviewStatus,
    SightingQuery,
    SightingsReader,
)

LOG_VERSION = 1

# Columns of the CSV log (and keys of each JSON sighting), in order.
LOG_COLUMNS: tuple[str, ...] = (
    "feed",
    "clip_hash",
    "track",
    "class",
    "source",
    "status",
    "start_s",
    "end_s",
    "duration_s",
    "start_frame",
    "end_frame",
    "peak_score",
    "x1",
    "y1",
    "x2",
    "y2",
    "note",
    "tags",
)

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]


class StatusFilter(StrEnum):
    """Which review states to export; the default leaves dismissed sightings out."""

    NOT_DISMISSED = "not-dismissed"
    CONFIRMED = "confirmed"
    ALL = "all"

    def statuses(self) -> tuple[ReviewStatus, ...] | None:
        if self is StatusFilter.CONFIRMED:
            return (ReviewStatus.CONFIRMED,)
        if self is StatusFilter.NOT_DISMISSED:
            return (ReviewStatus.UNREVIEWED, ReviewStatus.CONFIRMED)
        return None


@dataclass(frozen=True, slots=True)
class ExportFilter:
    feed: str | None = None  # clip name, stored path, or a video file (by content)
    from_s: float | None = None
    to_s: float | None = None
    status: StatusFilter = StatusFilter.NOT_DISMISSED

    def describe(self) -> dict[str, object]:
        return {
            "feed": self.feed,
            "from_s": self.from_s,
            "to_s": self.to_s,
            "status": str(self.status),
        }

    def summary(self) -> str:
        """One line for report headers."""
        parts = [f"feed {self.feed}" if self.feed else "all feeds"]
        if self.from_s is not None or self.to_s is not None:
            lo = format_clock(self.from_s or 0.0)
            hi = format_clock(self.to_s) if self.to_s is not None else "end"
            parts.append(f"{lo} to {hi}")
        parts.append(
            {
                StatusFilter.NOT_DISMISSED: "unreviewed and confirmed",
                StatusFilter.CONFIRMED: "confirmed only",
                StatusFilter.ALL: "all statuses incl. dismissed",
            }[self.status]
        )
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One sighting as exported: the log columns plus what reports need."""

    sighting_id: int
    clip_id: int
    feed: str
    clip_hash: str
    track: int
    target_class: str
    source: str
    status: str
    start_s: float
    end_s: float
    start_frame: int
    end_frame: int
    peak_score: float
    box: tuple[float, float, float, float]  # at first sight, x1, y1, x2, y2 pixels
    note: str
    tags: tuple[str, ...]
    thumbnail_png: bytes = field(default=b"", repr=False)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def log_values(self) -> dict[str, object]:
        """The row keyed by ``LOG_COLUMNS`` (tags as a list)."""
        x1, y1, x2, y2 = self.box
        return {
            "feed": self.feed,
            "clip_hash": self.clip_hash,
            "track": self.track,
            "class": self.target_class,
            "source": self.source,
            "status": self.status,
            "start_s": round(self.start_s, 4),
            "end_s": round(self.end_s, 4),
            "duration_s": round(self.duration_s, 4),
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "peak_score": round(self.peak_score, 4),
            "x1": round(x1, 2),
            "y1": round(y1, 2),
            "x2": round(x2, 2),
            "y2": round(y2, 2),
            "note": self.note,
            "tags": list(self.tags),
        }


@dataclass(frozen=True, slots=True)
class ExportBookmark:
    feed: str
    time_s: float
    note: str
    operator: str
    created: float  # unix time


@dataclass(frozen=True, slots=True)
class ExportData:
    db_path: Path
    filters: ExportFilter
    clips: dict[int, ClipRecord]  # clips with at least one exported sighting or bookmark
    rows: tuple[ExportRow, ...]
    bookmarks: tuple[ExportBookmark, ...] = ()

    def rows_by_clip(self) -> dict[int, list[ExportRow]]:
        out: dict[int, list[ExportRow]] = {}
        for row in self.rows:
            out.setdefault(row.clip_id, []).append(row)
        return out


_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)$")


def parse_time(text: str) -> float:
    """Seconds from ``SS.s``, ``MM:SS.s`` or ``HH:MM:SS.s``."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise DroneWatchError(f"cannot read time {text!r}: use seconds, MM:SS or HH:MM:SS")
    a, b, secs = match.groups()
    hours, minutes = (a, b) if b is not None else (None, a)
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs)


def format_clock(seconds: float) -> str:
    """Report times: tenths of a second are enough on paper."""
    return clock_text.format_clock(seconds, 1)


def resolve_feed(reader: SightingsReader, feed: str) -> list[ClipRecord]:
    """Clips a ``--feed`` value means: by name, stored path, or a video file's content."""
    clips = reader.clips()
    found = [c for c in clips if feed in (c.name, c.path)]
    if not found and Path(feed).is_file():
        from dronewatch.clip_identity import content_hash

        digest = content_hash(feed)
        found = [c for c in clips if c.content_hash == digest]
    if not found:
        known = ", ".join(sorted({c.name for c in clips})) or "none"
        raise DroneWatchError(f"{reader.path}: no feed {feed!r} in the database (feeds: {known})")
    return found


def collect(
    reader: SightingsReader, filters: ExportFilter, with_thumbnails: bool = False
) -> ExportData:
    """The sightings ``filters`` selects, with their clip and first box."""
    if filters.from_s is not None and filters.to_s is not None and filters.to_s < filters.from_s:
        raise DroneWatchError(f"--to ({filters.to_s:g} s) is before --from ({filters.from_s:g} s)")
    clips = {c.id: c for c in reader.clips()}
    clip_ids = None
    if filters.feed is not None:
        clip_ids = tuple(c.id for c in resolve_feed(reader, filters.feed))
    records = reader.find_sightings(
        SightingQuery(
            clip_ids=clip_ids,
            statuses=filters.status.statuses(),
            start_s=filters.from_s,
            end_s=filters.to_s,
        )
    )
    boxes: dict[int, dict[int, tuple[float, float, float, float]]] = {}
    rows: list[ExportRow] = []
    for s in records:
        if s.clip_id not in boxes:
            boxes[s.clip_id] = reader.first_boxes(s.clip_id)
        clip = clips[s.clip_id]
        rows.append(
            ExportRow(
                sighting_id=s.id,
                clip_id=s.clip_id,
                feed=clip.name,
                clip_hash=clip.content_hash,
                track=s.track_id,
                target_class=str(s.target_class),
                source=str(s.source),
                status=str(s.status),
                start_s=s.start_s,
                end_s=s.end_s,
                start_frame=s.start_frame,
                end_frame=s.end_frame,
                peak_score=s.peak_score,
                box=boxes[s.clip_id].get(s.id, (0.0, 0.0, 0.0, 0.0)),
                note=s.note,
                tags=s.tags,
                thumbnail_png=s.thumbnail_png if with_thumbnails else b"",
            )
        )
    marks = []
    for clip_id in clip_ids if clip_ids is not None else tuple(clips):
        for b in reader.bookmarks(clip_id):
            if filters.from_s is not None and b.time_s < filters.from_s:
                continue
            if filters.to_s is not None and b.time_s > filters.to_s:
                continue
            marks.append(
                (
                    clip_id,
                    ExportBookmark(clips[clip_id].name, b.time_s, b.note, b.operator, b.created),
                )
            )
    used = {r.clip_id for r in rows} | {clip_id for clip_id, _ in marks}
    return ExportData(
        reader.path,
        filters,
        {i: c for i, c in clips.items() if i in used},
        tuple(rows),
        tuple(sorted((m for _, m in marks), key=lambda m: (m.feed, m.time_s))),
    )


def tags_text(tags: tuple[str, ...]) -> str:
    """Tags in one CSV cell: a JSON list, so commas and quotes inside a tag survive."""
    return json.dumps(list(tags), ensure_ascii=False)
