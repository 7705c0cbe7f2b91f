"""Sightings of the open feeds as flat rows for the timeline and the table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from dronewatch.analysis.types import TargetClass
from dronewatch.store import SightingsReader
from dronewatch.store.records import ReviewStatus, SightingSource


@dataclass(frozen=True, slots=True)
class OpenFeed:
    feed_id: str
    name: str
    lane: int
    clip_id: int | None


@dataclass(frozen=True, slots=True)
class SightingRow:
    sighting_id: int
    feed_id: str
    feed_name: str
    lane: int
    track_id: int
    target_class: TargetClass
    start_s: float
    end_s: float
    start_frame: int
    peak_score: float
    thumbnail_png: bytes
    is_open: bool
    source: SightingSource = SightingSource.MACHINE
    status: ReviewStatus = ReviewStatus.UNREVIEWED
    note: str = ""
    tags: tuple[str, ...] = ()

    @property
    def dismissed(self) -> bool:
        return self.status is ReviewStatus.DISMISSED

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def collect_rows(reader: SightingsReader, feeds: Sequence[OpenFeed]) -> list[SightingRow]:
    """Rows of every open feed's sightings, ordered by start time."""
    rows: list[SightingRow] = []
    for feed in feeds:
        if feed.clip_id is None:
            continue
        for s in reader.sightings(clip_id=feed.clip_id):
            rows.append(
                SightingRow(
                    s.id,
                    feed.feed_id,
                    feed.name,
                    feed.lane,
                    s.track_id,
                    s.target_class,
                    s.start_s,
                    s.end_s,
                    s.start_frame,
                    s.peak_score,
                    s.thumbnail_png,
                    s.is_open,
                    s.source,
                    s.status,
                    s.note,
                    s.tags,
                )
            )
    rows.sort(key=lambda r: (r.start_s, r.lane, r.sighting_id))
    return rows


def class_counts(rows: Sequence[SightingRow]) -> Counter[TargetClass]:
    return Counter(r.target_class for r in rows)


def next_sighting(rows: Sequence[SightingRow], time_s: float, forward: bool) -> SightingRow | None:
    """The first sighting starting after ``time_s`` (or the last before it)."""
    eps = 1e-3
    if forward:
        later = [r for r in rows if r.start_s > time_s + eps]
        return min(later, key=lambda r: r.start_s) if later else None
    earlier = [r for r in rows if r.start_s < time_s - eps]
    return max(earlier, key=lambda r: r.start_s) if earlier else None


def first_positions(
    reader: SightingsReader, clip_ids: Sequence[int]
) -> list[tuple[int, float, float]]:
    """(sighting id, lat, lon) where each sighting was first seen on the ground."""
    if not clip_ids or not getattr(reader, "has_geo", False):
        return []
    marks = ",".join("?" * len(clip_ids))
    rows = reader._rows(  # one query for the map, not one per sighting
        "SELECT p.sighting_id, p.lat, p.lon FROM sighting_positions p "
        "JOIN sightings s ON s.id = p.sighting_id "
        f"WHERE s.clip_id IN ({marks}) AND s.status != 'dismissed' AND p.frame = ("
        "SELECT MIN(q.frame) FROM sighting_positions q WHERE q.sighting_id = p.sighting_id)",
        list(clip_ids),
    )
    return [(int(sid), float(lat), float(lon)) for sid, lat, lon in rows]
