"""Queries on the sightings database, on a connection of their own.

In WAL mode a reader sees the last committed state and never blocks the writer thread
(nor waits for it). A reader is meant for one thread; open one per thread.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from dronewatch.analysis.types import TargetClass
from dronewatch.store.errors import StoreError, wrap
from dronewatch.store.records import ClipRecord, SightingRecord
from dronewatch.store.writer import connect

_CLIP_COLUMNS = (
    "id, content_hash, path, name, fps, width, height, frame_count, frames_analysed, "
    "analysed_at, complete, config_hash"
)
_SIGHTING_COLUMNS = (
    "id, clip_id, track_id, class, start_frame, end_frame, start_s, end_s, peak_score, "
    "thumbnail, state"
)

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
    )


class SightingsReader:
    """Read-only access to a sightings database that a :class:`Store` created."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(self.path, "no sightings database here")
        try:
            self._conn = connect(self.path)
            self._conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SightingsReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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
        where: list[str] = []
        params: list[object] = []
        if clip_id is not None:
            where.append("clip_id = ?")
            params.append(clip_id)
        if start_s is not None:
            where.append("end_s >= ?")
            params.append(start_s)
        if end_s is not None:
            where.append("start_s <= ?")
            params.append(end_s)
        if target_class is not None:
            where.append("class = ?")
            params.append(str(TargetClass(target_class)))
        if not include_open:
            where.append("state = 'closed'")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_SIGHTING_COLUMNS} FROM sightings {clause} ORDER BY clip_id, start_s, id"
        return [_sighting(r) for r in self._rows(sql, params)]

    def sighting(self, sighting_id: int) -> SightingRecord | None:
        rows = self._rows(f"SELECT {_SIGHTING_COLUMNS} FROM sightings WHERE id = ?", (sighting_id,))
        return _sighting(rows[0]) if rows else None

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

    def count_sightings(self, clip_id: int | None = None) -> int:
        if clip_id is None:
            return int(self._rows("SELECT COUNT(*) FROM sightings")[0][0])
        return int(self._rows("SELECT COUNT(*) FROM sightings WHERE clip_id = ?", (clip_id,))[0][0])
