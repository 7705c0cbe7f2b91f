"""Queries on the sightings database, on a connection of their own.

In WAL mode a reader sees the last committed state and never blocks the writer thread
(nor waits for it). A reader is meant for one thread; open one per thread.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dronewatch.analysis.types import TargetClass
from dronewatch.store.errors import StoreError, wrap
from dronewatch.store.geo_ops import (
    FOOTPRINT_COLUMNS,
    GEO_SCHEMA,
    FootprintRow,
    PositionRow,
    footprint_from_row,
)
from dronewatch.store.records import (
    BookmarkRecord,
    ClipRecord,
    EditField,
    EditRecord,
    ReferenceLayerInfo,
    ReviewStatus,
    SightingRecord,
    SightingSource,
)
from dronewatch.store.writer import connect

_CLIP_COLUMNS = (
    "id, content_hash, path, name, fps, width, height, frame_count, frames_analysed, "
    "analysed_at, complete, config_hash"
)
_SIGHTING_COLUMNS = (
    "id, clip_id, track_id, class, start_frame, end_frame, start_s, end_s, peak_score, "
    "thumbnail, state, source, status, note, tags"
)
# A database not yet migrated to v3 (only a Store migrates) reads as unreviewed.
_SIGHTING_COLUMNS_V2 = (
    "id, clip_id, track_id, class, start_frame, end_frame, start_s, end_s, peak_score, "
    "thumbnail, state, 'machine', 'unreviewed', '', '[]'"
)
REVIEW_SCHEMA = 3

PATH_COLUMNS = ("frame", "time_s", "x1", "y1", "x2", "y2", "score")
TRACK_POINT_COLUMNS = ("track_id", "frame", "x1", "y1", "x2", "y2", "score")


def _clip(row: tuple) -> ClipRecord:
    return ClipRecord(
        id=row[0],
        content_hash=row[1],
        path=row[2],
        name=row[3],
        fps=row[4],
        width=row[5],
        height=row[6],
        frame_count=row[7],
        frames_analysed=row[8],
        analysed_at=row[9],
        complete=bool(row[10]),
        config_hash=row[11],
    )


def _sighting(row: tuple) -> SightingRecord:
    return SightingRecord(
        id=row[0],
        clip_id=row[1],
        track_id=row[2],
        target_class=TargetClass(row[3]),
        start_frame=row[4],
        end_frame=row[5],
        start_s=row[6],
        end_s=row[7],
        peak_score=row[8],
        thumbnail_png=bytes(row[9] or b""),
        is_open=row[10] == "open",
        source=SightingSource(row[11]),
        status=ReviewStatus(row[12]),
        note=row[13],
        tags=tuple(str(t) for t in json.loads(row[14] or "[]")),
    )


@dataclass(frozen=True, slots=True)
class SightingQuery:
    """Which sightings to find, across the whole database unless narrowed.

    Every field left at None keeps everything. ``feed`` is a clip name (or its path as
    stored); ``start_s``/``end_s`` keep sightings overlapping that range of clip time;
    ``text`` finds a case-insensitive substring in the note or the tags.
    """

    clip_ids: tuple[int, ...] | None = None
    feed: str | None = None
    statuses: tuple[ReviewStatus, ...] | None = None
    sources: tuple[SightingSource, ...] | None = None
    classes: tuple[TargetClass, ...] | None = None
    start_s: float | None = None
    end_s: float | None = None
    text: str | None = None
    include_open: bool = True

    @classmethod
    def not_dismissed(cls, **kwargs: object) -> SightingQuery:
        kept = (ReviewStatus.UNREVIEWED, ReviewStatus.CONFIRMED)
        return cls(statuses=kept, **kwargs)  # type: ignore[arg-type]

    def where(self) -> tuple[str, list[object]]:
        where: list[str] = []
        params: list[object] = []

        def one_of(column: str, values: tuple[object, ...]) -> None:
            where.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
            params.extend(v if isinstance(v, int) else str(v) for v in values)

        if self.clip_ids is not None:
            one_of("clip_id", self.clip_ids)
        if self.feed is not None:
            where.append("clip_id IN (SELECT id FROM clips WHERE name = ? OR path = ?)")
            params.extend([self.feed, self.feed])
        if self.statuses is not None:
            one_of("status", tuple(ReviewStatus(v) for v in self.statuses))
        if self.sources is not None:
            one_of("source", tuple(SightingSource(v) for v in self.sources))
        if self.classes is not None:
            one_of("class", tuple(TargetClass(v) for v in self.classes))
        if self.start_s is not None:
            where.append("end_s >= ?")
            params.append(self.start_s)
        if self.end_s is not None:
            where.append("start_s <= ?")
            params.append(self.end_s)
        if self.text:
            where.append("(instr(lower(note), ?) > 0 OR instr(lower(tags), ?) > 0)")
            params.extend([self.text.lower(), self.text.lower()])
        if not self.include_open:
            where.append("state = 'closed'")
        return (f"WHERE {' AND '.join(where)}" if where else ""), params


class SightingsReader:
    """Read-only access to a sightings database that a :class:`Store` created."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(self.path, "no sightings database here")
        try:
            self._conn = connect(self.path)
            self._conn.execute("PRAGMA query_only = ON")
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None
        self.has_review = version >= REVIEW_SCHEMA
        self.has_geo = version >= GEO_SCHEMA
        self._columns = _SIGHTING_COLUMNS if self.has_review else _SIGHTING_COLUMNS_V2

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SightingsReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run several queries on one consistent state of the database (a read
        transaction), e.g. an export while the GUI or an analysis keeps writing."""
        if self._conn.in_transaction:  # already inside one
            yield
            return
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None

    def clips(self) -> list[ClipRecord]:
        return [_clip(r) for r in self._rows(f"SELECT {_CLIP_COLUMNS} FROM clips ORDER BY id")]

    def clip_by_hash(self, content_hash: str) -> ClipRecord | None:
        rows = self._rows(
            f"SELECT {_CLIP_COLUMNS} FROM clips WHERE content_hash = ?", (content_hash,)
        )
        return _clip(rows[0]) if rows else None

    def sightings(
        self,
        clip_id: int | None = None,
        start_s: float | None = None,
        end_s: float | None = None,
        target_class: TargetClass | str | None = None,
        include_open: bool = True,
    ) -> list[SightingRecord]:
        """Sightings ordered by clip and start time.

        ``start_s``/``end_s`` (seconds into the clip) keep the sightings that overlap
        that range; ``target_class`` keeps one class.
        """
        return self.find_sightings(
            SightingQuery(
                clip_ids=None if clip_id is None else (clip_id,),
                start_s=start_s,
                end_s=end_s,
                classes=None if target_class is None else (TargetClass(target_class),),
                include_open=include_open,
            )
        )

    def find_sightings(self, query: SightingQuery) -> list[SightingRecord]:
        """Sightings matching ``query``, ordered by clip and start time."""
        clause, params = query.where()
        if not self.has_review and ("status" in clause or "source" in clause or "note" in clause):
            # Before v3 every sighting is an unreviewed machine one with no note.
            clause, params = self._pre_review_where(query)
        sql = f"SELECT {self._columns} FROM sightings {clause} ORDER BY clip_id, start_s, id"
        return [_sighting(r) for r in self._rows(sql, params)]

    def _pre_review_where(self, query: SightingQuery) -> tuple[str, list[object]]:
        unreviewed_machine = (
            query.statuses is None or ReviewStatus.UNREVIEWED in query.statuses
        ) and (query.sources is None or SightingSource.MACHINE in query.sources)
        if not unreviewed_machine or query.text:
            return "WHERE 0", []
        return SightingQuery(
            clip_ids=query.clip_ids,
            feed=query.feed,
            classes=query.classes,
            start_s=query.start_s,
            end_s=query.end_s,
            include_open=query.include_open,
        ).where()

    def sighting(self, sighting_id: int) -> SightingRecord | None:
        rows = self._rows(f"SELECT {self._columns} FROM sightings WHERE id = ?", (sighting_id,))
        return _sighting(rows[0]) if rows else None

    def first_boxes(self, clip_id: int) -> dict[int, tuple[float, float, float, float]]:
        """sighting id -> its box in its first frame, for every sighting of a clip."""
        # SQLite takes the bare columns from the row that holds MIN(frame).
        rows = self._rows(
            "SELECT p.sighting_id, MIN(p.frame), p.x1, p.y1, p.x2, p.y2 FROM sighting_points p "
            "JOIN sightings s ON s.id = p.sighting_id WHERE s.clip_id = ? GROUP BY p.sighting_id",
            (clip_id,),
        )
        return {int(r[0]): (r[2], r[3], r[4], r[5]) for r in rows}

    def clip_boxes(
        self, clip_id: int, include_dismissed: bool = False
    ) -> tuple[np.ndarray, dict[int, TargetClass]]:
        """The clip's boxes as reviewed: (N, 7) rows ``TRACK_POINT_COLUMNS`` by frame, and
        each track's current class. Dismissed sightings are left out unless asked for."""
        keep = "" if include_dismissed or not self.has_review else "AND s.status != 'dismissed'"
        rows = self._rows(
            "SELECT s.track_id, p.frame, p.x1, p.y1, p.x2, p.y2, p.score "
            "FROM sighting_points p JOIN sightings s ON s.id = p.sighting_id "
            f"WHERE s.clip_id = ? {keep} ORDER BY p.frame, s.track_id",
            (clip_id,),
        )
        classes = {
            int(r[0]): TargetClass(r[1])
            for r in self._rows(
                f"SELECT track_id, class FROM sightings s WHERE clip_id = ? {keep} "
                "ORDER BY start_s",
                (clip_id,),
            )
        }
        return np.asarray(rows, dtype=np.float64).reshape(-1, len(TRACK_POINT_COLUMNS)), classes

    # -- review data (schema v3; empty on older databases) -------------------------------

    def edits(self, sighting_id: int | None = None) -> list[EditRecord]:
        """The review log of one sighting (or of all), oldest first."""
        if not self.has_review:
            return []
        clause, params = ("WHERE sighting_id = ?", (sighting_id,)) if sighting_id else ("", ())
        rows = self._rows(
            "SELECT id, sighting_id, field, old_value, new_value, at, operator FROM edits "
            f"{clause} ORDER BY id",
            params,
        )
        return [EditRecord(r[0], r[1], EditField(r[2]), r[3], r[4], r[5], r[6]) for r in rows]

    def bookmarks(self, clip_id: int | None = None) -> list[BookmarkRecord]:
        if not self.has_review:
            return []
        clause, params = ("WHERE clip_id = ?", (clip_id,)) if clip_id is not None else ("", ())
        rows = self._rows(
            "SELECT id, clip_id, time_s, note, created, operator FROM bookmarks "
            f"{clause} ORDER BY clip_id, time_s, id",
            params,
        )
        return [BookmarkRecord(*r) for r in rows]

    def reference_layer(self, clip_id: int) -> ReferenceLayerInfo | None:
        if not self.has_review:
            return None
        rows = self._rows(
            "SELECT clip_id, source_path, imported_at, operator, boxes FROM reference_layers "
            "WHERE clip_id = ?",
            (clip_id,),
        )
        return ReferenceLayerInfo(*rows[0]) if rows else None

    def reference_points(self, clip_id: int) -> tuple[np.ndarray, dict[int, TargetClass]]:
        """The clip's reference (ground truth) boxes in one query, the same layout as
        :meth:`clip_track_points` (so a ``TrackIndex`` can hold them), plus classes."""
        if not self.has_review:
            return np.zeros((0, len(TRACK_POINT_COLUMNS))), {}
        rows = self._rows(
            "SELECT track_id, frame, x1, y1, x2, y2, score, class FROM reference_boxes "
            "WHERE clip_id = ? ORDER BY frame, track_id",
            (clip_id,),
        )
        classes = {int(r[0]): TargetClass(r[7]) for r in rows}
        points = np.asarray([r[:7] for r in rows], dtype=np.float64)
        return points.reshape(-1, len(TRACK_POINT_COLUMNS)), classes

    def sighting_path(self, sighting_id: int) -> np.ndarray:
        """The sighting's boxes, (N, 7) float64 with columns ``PATH_COLUMNS``, by frame."""
        rows = self._rows(
            "SELECT frame, time_s, x1, y1, x2, y2, score FROM sighting_points "
            "WHERE sighting_id = ? ORDER BY frame",
            (sighting_id,),
        )
        return np.asarray(rows, dtype=np.float64).reshape(-1, len(PATH_COLUMNS))

    def clip_track_points(self, clip_id: int) -> np.ndarray:
        """Every stored box of a clip in one query (reopening an analysed clip).

        (N, 7) float64 with columns ``TRACK_POINT_COLUMNS``, ordered by frame. Includes
        the frames a track was seen before it was confirmed (see the sighting builder).
        """
        rows = self._rows(
            "SELECT s.track_id, p.frame, p.x1, p.y1, p.x2, p.y2, p.score "
            "FROM sighting_points p JOIN sightings s ON s.id = p.sighting_id "
            "WHERE s.clip_id = ? ORDER BY p.frame, s.track_id",
            (clip_id,),
        )
        return np.asarray(rows, dtype=np.float64).reshape(-1, len(TRACK_POINT_COLUMNS))

    # -- ground positions (schema v4; empty on older databases) ----------------------

    def footprints(self, clip_id: int) -> list[FootprintRow]:
        """The clip's per-frame ground footprints, by frame."""
        if not self.has_geo:
            return []
        rows = self._rows(
            f"SELECT {FOOTPRINT_COLUMNS} FROM frame_footprints WHERE clip_id = ? ORDER BY frame",
            (clip_id,),
        )
        return [footprint_from_row(r) for r in rows]

    def sighting_positions(self, sighting_id: int) -> list[PositionRow]:
        """Where the sighting's boxes stood on the ground, by frame."""
        if not self.has_geo:
            return []
        rows = self._rows(
            "SELECT sighting_id, frame, time_s, lat, lon, ce_m FROM sighting_positions "
            "WHERE sighting_id = ? ORDER BY frame",
            (sighting_id,),
        )
        return [PositionRow(*r) for r in rows]

    def count_positions(self, clip_id: int | None = None) -> int:
        """Stored ground positions (of one clip's sightings, or of all)."""
        if not self.has_geo:
            return 0
        if clip_id is None:
            return int(self._rows("SELECT COUNT(*) FROM sighting_positions")[0][0])
        return int(
            self._rows(
                "SELECT COUNT(*) FROM sighting_positions WHERE sighting_id IN "
                "(SELECT id FROM sightings WHERE clip_id = ?)",
                (clip_id,),
            )[0][0]
        )

    def count_sightings(self, clip_id: int | None = None) -> int:
        if clip_id is None:
            return int(self._rows("SELECT COUNT(*) FROM sightings")[0][0])
        return int(self._rows("SELECT COUNT(*) FROM sightings WHERE clip_id = ?", (clip_id,))[0][0])
