"""The content of a sightings report, shared by the HTML page and the printed PDF.

Everything a reader of the report sees is computed here once; the HTML and PDF modules
only lay it out, so the two always say the same thing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from dronewatch.analysis.types import TargetClass
from dronewatch.exports.atomic import Job
from dronewatch.exports.model import ExportBookmark, ExportData, ExportRow
from dronewatch.exports.timeline import timeline_png

STATUS_ORDER = ("confirmed", "unreviewed", "dismissed")


@dataclass(frozen=True, slots=True)
class FeedSummary:
    name: str
    duration_s: float | None
    sightings: int
    by_status: tuple[tuple[str, int], ...]  # in STATUS_ORDER
    by_class: tuple[tuple[str, int], ...]  # in TargetClass order


@dataclass(frozen=True, slots=True)
class ReportData:
    title: str
    generated_at: str
    db_path: str
    filter_summary: str
    total: int
    by_status: tuple[tuple[str, int], ...]
    by_class: tuple[tuple[str, int], ...]
    by_source: tuple[tuple[str, int], ...]
    feeds: tuple[FeedSummary, ...]
    timeline_png: bytes
    rows: tuple[ExportRow, ...]  # ordered by feed, then start time
    feed_names: tuple[str, ...] = ()  # timeline lanes, in order
    span_s: float | None = None  # timeline length
    bookmarks: tuple[ExportBookmark, ...] = ()
    start_s: float = 0.0  # timeline start (the --from time)

    def timeline_for_print(self, width: int = 1000) -> bytes:
        """The timeline drawn narrower, so its text stays legible shrunk onto paper."""
        return timeline_png(
            self.feed_names, self.rows, self.span_s, width, self._marks(), self.start_s
        )

    def _marks(self) -> list[tuple[str, float]]:
        return [(b.feed, b.time_s) for b in self.bookmarks]

    def count(self, status: str) -> int:
        return dict(self.by_status).get(status, 0)


def _by_status(rows: list[ExportRow]) -> tuple[tuple[str, int], ...]:
    counts = Counter(r.status for r in rows)
    return tuple((s, counts[s]) for s in STATUS_ORDER)


def _by_class(rows: list[ExportRow]) -> tuple[tuple[str, int], ...]:
    counts = Counter(r.target_class for r in rows)
    return tuple((c.value, counts[c.value]) for c in TargetClass)


def build_report(data: ExportData, job: Job, title: str = "Sightings report") -> ReportData:
    job.step(0, 3)
    feeds: list[FeedSummary] = []
    spans: list[float] = []
    by_clip = data.rows_by_clip()
    for clip_id, clip in sorted(data.clips.items(), key=lambda kv: kv[1].name):
        rows = by_clip.get(clip_id, [])
        duration = clip.frame_count / clip.fps if clip.frame_count and clip.fps else None
        spans.append(duration or max((r.end_s for r in rows), default=0.0))
        feeds.append(FeedSummary(clip.name, duration, len(rows), _by_status(rows), _by_class(rows)))
    job.step(1, 3)
    names = [f.name for f in feeds]
    span = max(spans, default=0.0)
    if data.filters.to_s is not None:
        span = min(span, data.filters.to_s) if span else data.filters.to_s
    marks = [(b.feed, b.time_s) for b in data.bookmarks]
    start = data.filters.from_s or 0.0
    picture = timeline_png(names, data.rows, span or None, marks=marks, start_s=start)
    job.step(2, 3)
    rows = sorted(data.rows, key=lambda r: (r.feed, r.start_s, r.track))
    sources = Counter(r.source for r in data.rows)
    return ReportData(
        title=title,
        generated_at=time.strftime("%Y-%m-%d %H:%M %Z"),
        db_path=str(data.db_path),
        filter_summary=data.filters.summary(),
        total=len(data.rows),
        by_status=_by_status(list(data.rows)),
        by_class=_by_class(list(data.rows)),
        by_source=tuple(sorted(sources.items())),
        feeds=tuple(feeds),
        timeline_png=picture,
        rows=tuple(rows),
        feed_names=tuple(names),
        span_s=span or None,
        bookmarks=data.bookmarks,
        start_s=start,
    )
