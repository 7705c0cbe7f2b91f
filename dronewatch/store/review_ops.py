"""Review writes, run on the writer thread inside its transaction.

Every change to a sighting's review fields writes an ``edits`` row in the same
transaction, so the log and the sighting can never disagree. Nothing here deletes a
sighting: dismissing one is an edit of its status.

Each operation runs in a SAVEPOINT. A refusal (unknown sighting, a value changed by
someone else since the caller looked) rolls back to it and is *returned*, not raised, so
the writer thread (which stops on any database error) goes on; the public
:class:`~dronewatch.store.writer.Store` methods raise it in the caller's thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dronewatch.analysis.types import TargetClass
from dronewatch.errors import DroneWatchError
from dronewatch.sightings.events import PathPoint
from dronewatch.store.records import EditField, EditRecord, ReviewStatus, SightingSource

# Track IDs of operator-drawn sightings start here, far above the tracker's, so a later
# re-analysis of the clip (which keeps reviewed sightings) cannot reuse one.
OPERATOR_TRACK_BASE = 100_000

_COLUMN = {
    EditField.STATUS: "status",
    EditField.CLASS: "class",
    EditField.NOTE: "note",
    EditField.TAGS: "tags",
}


class ReviewError(DroneWatchError):
    """A review change was refused (no such sighting, changed meanwhile, bad value)."""


@dataclass(frozen=True, slots=True)
class NewSighting:
    """A sighting to insert by hand (operator) or from a log (import)."""

    clip_id: int
    track_id: int | None  # None: the next free operator track ID of the clip
    target_class: TargetClass
    points: tuple[PathPoint, ...]  # at least one, ordered by frame
    source: SightingSource = SightingSource.OPERATOR
    status: ReviewStatus = ReviewStatus.CONFIRMED
    note: str = ""
    tags: tuple[str, ...] = ()
    peak_score: float | None = None  # None: the best point score
    start_s: float | None = None  # None: from the points
    end_s: float | None = None
    start_frame: int | None = None
    end_frame: int | None = None
    thumbnail_png: bytes = b""


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """One ground-truth box; ``frame`` is 0-based like everything else in the store."""

    frame: int
    track_id: int
    x1: float
    y1: float
    x2: float
    y2: float
    score: float = 1.0
    class_id: int = -1
    target_class: TargetClass = TargetClass.UNKNOWN
    visibility: float = -1.0


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags trimmed, without empties or repeats, in the order given."""
    out: list[str] = []
    for tag in tags:
        text = str(tag).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def encode_value(field: EditField, value: object) -> str:
    """The text a field's value is stored as (in the sighting and in the edit log)."""
    if field is EditField.STATUS:
        try:
            return str(ReviewStatus(str(value)))
        except ValueError:
            raise ReviewError(f"unknown status {value!r}") from None
    if field is EditField.CLASS:
        try:
            return str(TargetClass(str(value)))
        except ValueError:
            raise ReviewError(f"unknown class {value!r}") from None
    if field is EditField.TAGS:
        if isinstance(value, str):
            raise ReviewError("tags must be a list of strings, not one string")
        return json.dumps(list(normalise_tags(value)), ensure_ascii=False)  # type: ignore[arg-type]
    if field is EditField.NOTE:
        return str(value)
    raise ReviewError(f"field {field} cannot be edited")


def decode_value(field: EditField, text: str) -> object:
    """The value :func:`encode_value` stored as ``text`` (tags back to a tuple)."""
    if field is EditField.TAGS:
        return tuple(json.loads(text))
    return text


@dataclass(frozen=True, slots=True)
class Refused:
    """An operation's refusal, handed back through the writer's future."""

    error: ReviewError


def guarded(conn: sqlite3.Connection, run: Callable[[sqlite3.Connection], Any]) -> Any:
    """Run ``run`` in a savepoint; a ReviewError or constraint failure undoes only it."""
    conn.execute("SAVEPOINT review_op")
    try:
        result = run(conn)
    except ReviewError as exc:
        conn.execute("ROLLBACK TO review_op")
        conn.execute("RELEASE review_op")
        return Refused(exc)
    except sqlite3.IntegrityError as exc:
        conn.execute("ROLLBACK TO review_op")
        conn.execute("RELEASE review_op")
        return Refused(ReviewError(f"refused by the database ({exc})"))
    conn.execute("RELEASE review_op")
    return result


def _log(
    conn: sqlite3.Connection,
    sighting_id: int,
    field: EditField,
    old: str | None,
    new: str | None,
    operator: str,
) -> EditRecord:
    at = time.time()
    cur = conn.execute(
        "INSERT INTO edits (sighting_id, field, old_value, new_value, at, operator) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (sighting_id, str(field), old, new, at, operator),
    )
    return EditRecord(int(cur.lastrowid or 0), sighting_id, field, old, new, at, operator)


def edit_sighting(
    conn: sqlite3.Connection,
    sighting_id: int,
    field: EditField,
    value: object,
    operator: str,
    expected: str | None = None,
) -> EditRecord | None:
    """Set one review field and log it; None when the value is already that.

    ``expected`` (stored text) makes the change conditional: when the current value
    differs, someone changed it since the caller looked, and the change is refused.
    """
    column = _COLUMN.get(field)
    if column is None:
        raise ReviewError(f"field {field} cannot be edited")
    new = encode_value(field, value)
    row = conn.execute(f"SELECT {column} FROM sightings WHERE id = ?", (sighting_id,)).fetchone()
    if row is None:
        raise ReviewError(f"sighting {sighting_id} does not exist")
    old = str(row[0])
    if expected is not None and old != expected:
        raise ReviewError(
            f"sighting {sighting_id}: {field} is now {old!r}, not {expected!r} "
            "(changed by someone else)"
        )
    if old == new:
        return None
    conn.execute(f"UPDATE sightings SET {column} = ? WHERE id = ?", (new, sighting_id))
    return _log(conn, sighting_id, field, old, new, operator)


def next_operator_track(conn: sqlite3.Connection, clip_id: int) -> int:
    row = conn.execute(
        "SELECT MAX(track_id) FROM sightings WHERE clip_id = ?", (clip_id,)
    ).fetchone()
    return max(int(row[0] or 0) + 1, OPERATOR_TRACK_BASE)


def insert_sighting(conn: sqlite3.Connection, new: NewSighting, operator: str) -> int:
    """Insert a closed sighting with its boxes and a 'created' edit; returns its id."""
    if not new.points:
        raise ReviewError("a sighting needs at least one box")
    if conn.execute("SELECT 1 FROM clips WHERE id = ?", (new.clip_id,)).fetchone() is None:
        raise ReviewError(f"clip {new.clip_id} does not exist")
    points = sorted(new.points, key=lambda p: p.frame)
    track_id = new.track_id if new.track_id is not None else next_operator_track(conn, new.clip_id)
    peak = new.peak_score if new.peak_score is not None else max(p.score for p in points)
    cur = conn.execute(
        """
        INSERT INTO sightings (clip_id, track_id, class, start_frame, end_frame, start_s,
            end_s, peak_score, thumbnail, state, source, status, note, tags)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'closed', ?, ?, ?, ?)
        """,
        (
            new.clip_id,
            track_id,
            str(TargetClass(new.target_class)),
            points[0].frame if new.start_frame is None else new.start_frame,
            points[-1].frame if new.end_frame is None else new.end_frame,
            points[0].time_s if new.start_s is None else new.start_s,
            points[-1].time_s if new.end_s is None else new.end_s,
            max(float(peak), 0.0),
            new.thumbnail_png or None,
            str(SightingSource(new.source)),
            str(ReviewStatus(new.status)),
            new.note,
            encode_value(EditField.TAGS, new.tags),
        ),
    )
    sighting_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT OR REPLACE INTO sighting_points VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(sighting_id, p.frame, p.time_s, p.x1, p.y1, p.x2, p.y2, p.score) for p in points],
    )
    _log(conn, sighting_id, EditField.CREATED, None, str(new.source), operator)
    return sighting_id


def insert_sightings(
    conn: sqlite3.Connection, sightings: Sequence[NewSighting], operator: str
) -> list[int]:
    """All or none (the caller's savepoint): an import is one transaction."""
    return [insert_sighting(conn, s, operator) for s in sightings]


def add_bookmark(
    conn: sqlite3.Connection, clip_id: int, time_s: float, note: str, operator: str
) -> int:
    if conn.execute("SELECT 1 FROM clips WHERE id = ?", (clip_id,)).fetchone() is None:
        raise ReviewError(f"clip {clip_id} does not exist")
    cur = conn.execute(
        "INSERT INTO bookmarks (clip_id, time_s, note, created, operator) VALUES (?, ?, ?, ?, ?)",
        (clip_id, float(time_s), note, time.time(), operator),
    )
    return int(cur.lastrowid or 0)


def replace_reference(
    conn: sqlite3.Connection,
    clip_id: int,
    rows: Sequence[ReferenceRow],
    source_path: str,
    operator: str,
) -> int:
    """Set a clip's reference layer to ``rows``; a new ground-truth file replaces the
    previous one (it is not review data: the file itself is the record)."""
    if conn.execute("SELECT 1 FROM clips WHERE id = ?", (clip_id,)).fetchone() is None:
        raise ReviewError(f"clip {clip_id} does not exist")
    conn.execute("DELETE FROM reference_boxes WHERE clip_id = ?", (clip_id,))
    conn.executemany(
        "INSERT OR REPLACE INTO reference_boxes (clip_id, frame, track_id, x1, y1, x2, y2, "
        "score, class_id, class, visibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                clip_id,
                r.frame,
                r.track_id,
                r.x1,
                r.y1,
                r.x2,
                r.y2,
                r.score,
                r.class_id,
                str(r.target_class),
                r.visibility,
            )
            for r in rows
        ],
    )
    conn.execute(
        "INSERT OR REPLACE INTO reference_layers VALUES (?, ?, ?, ?, ?)",
        (clip_id, source_path, time.time(), operator, len(rows)),
    )
    return len(rows)
