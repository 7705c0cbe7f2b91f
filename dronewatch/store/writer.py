"""The sightings database and its one writer thread.

Every write goes through one queue to one thread that owns the write connection, so
there is never a second writer to wait for, and the callers (analysis threads, worker
processes' results, the GUI) never wait for the disk. The thread applies operations
inside a transaction it keeps open for at most ``commit_interval_s`` (or
``max_batch_rows`` rows, or until someone waits for a result), then commits: batching
makes thousands of path points per second cheap, and the interval bounds what a
``kill -9`` can lose to the last half second of results.

The database runs in WAL mode with ``synchronous=NORMAL``: a commit is durable against
the process dying (the WAL is written before COMMIT returns); only a power cut may lose
the last transactions, never corrupt the file. Readers use their own connections
(:class:`~dronewatch.store.reader.SightingsReader`) and, in WAL mode, never block the
writer nor are blocked by it.

On open, sightings a crashed writer left ``open`` are closed, ending at the last path
point that reached the disk (unless another live writer may own them, see
:mod:`dronewatch.store.presence`). Transactions start with ``BEGIN IMMEDIATE`` so a
second writer process (the GUI while ``analyze`` runs) waits its turn via the busy
timeout instead of failing on a lock upgrade.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dronewatch.analysis.types import TargetClass
from dronewatch.sightings.events import (
    PathPoint,
    SightingEnded,
    SightingEvent,
    SightingStarted,
    SightingUpdated,
)
from dronewatch.store import geo_ops, review_ops
from dronewatch.store.errors import StoreError, wrap
from dronewatch.store.presence import WriterPresence
from dronewatch.store.records import ClipInfo, EditField, EditRecord, ReviewStatus
from dronewatch.store.review_ops import NewSighting, ReferenceRow, Refused
from dronewatch.store.schema import SchemaTooNewError, migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


@dataclass(frozen=True, slots=True)
class _Op:
    """A unit of work for the writer thread; ``rows`` counts towards the batch size."""

    run: Callable[[sqlite3.Connection], Any]
    rows: int = 1
    future: Future[Any] | None = None


_STOP = object()


def connect(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """An autocommit connection with the settings every DroneWatch connection uses."""
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=check_same_thread,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def close_orphaned_sightings(conn: sqlite3.Connection) -> int:
    """Close sightings a crashed writer left open; returns how many.

    The end becomes the last path point on disk, and the peak score at least the best
    score among its points (the last refresh may not have been written).
    """
    cur = conn.execute(
        """
        UPDATE sightings SET
            end_frame = COALESCE(
                (SELECT MAX(frame) FROM sighting_points WHERE sighting_id = sightings.id),
                end_frame),
            end_s = COALESCE(
                (SELECT MAX(time_s) FROM sighting_points WHERE sighting_id = sightings.id),
                end_s),
            peak_score = MAX(peak_score, COALESCE(
                (SELECT MAX(score) FROM sighting_points WHERE sighting_id = sightings.id),
                0)),
            state = 'closed'
        WHERE state = 'open'
        """
    )
    return cur.rowcount


class Store:
    """The sightings database: one writer thread, batched transactions.

    Writes are queued and return at once, except :meth:`begin_clip` (which needs the
    clip's id) and :meth:`flush`. A failed write (full disk, read-only file) stops the
    writer; the next call raises :class:`StoreError` naming the file. Use as a context
    manager, or call :meth:`close`, which flushes with a timeout.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        commit_interval_s: float = 0.5,
        max_batch_rows: int = 5000,
    ) -> None:
        self.path = Path(path)
        self.commit_interval_s = commit_interval_s
        self.max_batch_rows = max_batch_rows
        self._conn = self._open()
        try:
            self._presence = WriterPresence(self.path)
        except StoreError:
            self._conn.close()
            raise
        try:
            # Only when no other live writer could own an open sighting.
            alone = self._presence.try_exclusive()
            self.recovered_sightings = close_orphaned_sightings(self._conn) if alone else 0
            self._presence.hold_shared()
        except sqlite3.Error as exc:
            self._conn.close()
            self._presence.release()
            raise wrap(self.path, exc) from None
        if self.recovered_sightings:
            log.info(
                "%s: closed %d sightings left open by an earlier crash",
                self.path,
                self.recovered_sightings,
            )
        self._queue: queue.SimpleQueue[_Op | object] = queue.SimpleQueue()
        self._error: StoreError | None = None
        self._closed = False
        self._rowids: dict[tuple[int, int], int] = {}  # (clip id, event key) -> row id
        self.committed_transactions = 0
        self._thread = threading.Thread(target=self._run, name="sightings-writer", daemon=True)
        self._thread.start()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(self.path, f"cannot create folder ({exc.strerror or exc})") from None
        try:
            conn = connect(self.path, check_same_thread=False)
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(self.path, f"cannot switch to WAL journal (got {mode!r})")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
        except SchemaTooNewError as exc:
            conn.close()
            raise StoreError(self.path, str(exc)) from None
        except sqlite3.Error as exc:
            conn.close()
            raise wrap(self.path, exc) from None
        return conn

    # -- public API (any thread) ---------------------------------------------------------

    def begin_clip(self, clip: ClipInfo, timeout: float = 30.0) -> int:
        """Register (or re-register) a clip for a new analysis; returns its id.

        A clip is known by its content hash: analysing it again replaces its earlier
        sightings and marks it incomplete until :meth:`finish_clip` says otherwise.
        """
        return int(self._call(lambda conn: self._begin_clip(conn, clip), timeout))

    def write_events(self, clip_id: int, events: Iterable[SightingEvent]) -> None:
        """Queue sighting events of one clip, in order (one queue item for the lot)."""
        batch = tuple(events)
        if not batch:
            return
        rows = sum(1 if isinstance(e, SightingEnded) else len(e.points) + 1 for e in batch)

        def apply_all(conn: sqlite3.Connection) -> None:
            for event in batch:
                self._apply(conn, clip_id, event)

        self._submit(_Op(apply_all, rows))

    def note_progress(self, clip_id: int, frames_analysed: int) -> None:
        self._submit(
            _Op(
                lambda conn: conn.execute(
                    "UPDATE clips SET frames_analysed = ? WHERE id = ?", (frames_analysed, clip_id)
                )
            )
        )

    def finish_clip(self, clip_id: int, frames_analysed: int, complete: bool) -> None:
        self._submit(
            _Op(
                lambda conn: conn.execute(
                    "UPDATE clips SET frames_analysed = ?, complete = ? WHERE id = ?",
                    (frames_analysed, int(complete), clip_id),
                )
            )
        )

    def write_clip(
        self,
        clip: ClipInfo,
        events: Iterable[SightingEvent],
        frames_analysed: int,
        complete: bool,
        timeout: float = 60.0,
    ) -> int:
        """Register a clip, apply all its events and finish it in ONE transaction.

        For analyses gathered whole (``analyze --cluster``): the clip is either entirely
        in the database or not at all. Waits until committed; returns the clip's id.
        """
        batch = tuple(events)

        def run(conn: sqlite3.Connection) -> int:
            clip_id = self._begin_clip(conn, clip)
            for event in batch:
                self._apply(conn, clip_id, event)
            conn.execute(
                "UPDATE clips SET frames_analysed = ?, complete = ? WHERE id = ?",
                (frames_analysed, int(complete), clip_id),
            )
            return clip_id

        return int(self._call(run, timeout))

    # -- review (any thread; each call waits until its change is committed) ------------

    def edit_sighting(
        self,
        sighting_id: int,
        field: EditField,
        value: object,
        operator: str,
        expected: str | None = None,
        timeout: float = 10.0,
    ) -> EditRecord | None:
        """Change one review field and log the edit; None when nothing changed.

        ``expected`` is the stored text the caller believes is current; when another
        operator changed it meanwhile the edit is refused with
        :class:`~dronewatch.store.review_ops.ReviewError`.
        """
        field = EditField(field)
        return self._review(
            lambda conn: review_ops.edit_sighting(
                conn, sighting_id, field, value, operator, expected
            ),
            timeout,
        )

    def set_status(
        self, sighting_id: int, status: ReviewStatus | str, operator: str
    ) -> EditRecord | None:
        return self.edit_sighting(sighting_id, EditField.STATUS, status, operator)

    def set_class(
        self, sighting_id: int, target_class: TargetClass | str, operator: str
    ) -> EditRecord | None:
        return self.edit_sighting(sighting_id, EditField.CLASS, target_class, operator)

    def set_note(self, sighting_id: int, note: str, operator: str) -> EditRecord | None:
        return self.edit_sighting(sighting_id, EditField.NOTE, note, operator)

    def set_tags(self, sighting_id: int, tags: Iterable[str], operator: str) -> EditRecord | None:
        return self.edit_sighting(sighting_id, EditField.TAGS, tuple(tags), operator)

    def add_sighting(self, sighting: NewSighting, operator: str, timeout: float = 10.0) -> int:
        """Insert an operator-drawn (or imported) sighting with its boxes; returns its id."""
        return int(
            self._review(lambda conn: review_ops.insert_sighting(conn, sighting, operator), timeout)
        )

    def add_sightings(
        self, sightings: Iterable[NewSighting], operator: str, timeout: float = 60.0
    ) -> list[int]:
        """Insert many sightings in one transaction: all of them or, on error, none."""
        batch = tuple(sightings)
        return list(
            self._review(lambda conn: review_ops.insert_sightings(conn, batch, operator), timeout)
        )

    def add_bookmark(
        self, clip_id: int, time_s: float, note: str, operator: str, timeout: float = 10.0
    ) -> int:
        return int(
            self._review(
                lambda conn: review_ops.add_bookmark(conn, clip_id, time_s, note, operator),
                timeout,
            )
        )

    def set_reference_boxes(
        self,
        clip_id: int,
        rows: Iterable[ReferenceRow],
        source_path: str,
        operator: str,
        timeout: float = 60.0,
    ) -> int:
        """Replace a clip's reference layer (ground truth); returns the box count."""
        batch = tuple(rows)
        return int(
            self._review(
                lambda conn: review_ops.replace_reference(
                    conn, clip_id, batch, source_path, operator
                ),
                timeout,
            )
        )

    def replace_clip_geo(
        self,
        clip_id: int,
        footprints: Iterable[geo_ops.FootprintRow],
        positions: Iterable[geo_ops.PositionRow],
        timeout: float = 60.0,
    ) -> int:
        """Replace a clip's ground footprints and positions (schema v4) in one
        transaction; returns the number of positions stored."""
        fps, pos = tuple(footprints), tuple(positions)
        return int(
            self._call(lambda conn: geo_ops.replace_clip_geo(conn, clip_id, fps, pos), timeout)
        )

    def _review(self, run: Callable[[sqlite3.Connection], Any], timeout: float) -> Any:
        result = self._call(lambda conn: review_ops.guarded(conn, run), timeout)
        if isinstance(result, Refused):
            raise result.error
        return result

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued so far is committed."""
        self._call(lambda conn: None, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Commit what is queued and stop the writer, waiting at most ``timeout``."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise StoreError(self.path, f"writer did not finish within {timeout:g} s")
        if self._error is not None:
            raise self._error

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an exception, still flush what we can; do not hide the original error.
        try:
            self.close()
        except StoreError:
            if exc_info[0] is None:
                raise

    @property
    def error(self) -> StoreError | None:
        return self._error

    # -- queueing ------------------------------------------------------------------------

    def _submit(self, op: _Op) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise StoreError(self.path, "store is closed")
        self._queue.put(op)

    def _call(self, run: Callable[[sqlite3.Connection], Any], timeout: float) -> Any:
        future: Future[Any] = Future()
        self._submit(_Op(run, 1, future))
        try:
            return future.result(timeout)
        except TimeoutError:
            raise StoreError(self.path, f"writer did not answer within {timeout:g} s") from None

    # -- writer thread ---------------------------------------------------------------------

    def _run(self) -> None:
        conn = self._conn
        started = 0.0
        rows = 0
        # Results are handed back only after their transaction commits, so a caller who
        # waited (begin_clip, flush) knows its data is on disk.
        waiting: list[tuple[Future[Any], Any]] = []
        try:
            while True:
                item: object = None
                if conn.in_transaction:
                    wait = self.commit_interval_s - (time.monotonic() - started)
                    try:
                        item = self._queue.get(timeout=max(wait, 0.0))
                    except queue.Empty:
                        item = None
                else:
                    item = self._queue.get()
                if item is _STOP:
                    break
                if isinstance(item, _Op):
                    if self._error is not None:
                        if item.future is not None:
                            item.future.set_exception(self._error)
                        continue
                    try:
                        if not conn.in_transaction:
                            conn.execute("BEGIN IMMEDIATE")
                            started, rows = time.monotonic(), 0
                        result = item.run(conn)
                    except sqlite3.Error as exc:
                        self._fail(conn, exc, [*(f for f, _ in waiting), item.future])
                        waiting = []
                        continue
                    rows += item.rows
                    if item.future is not None:
                        waiting.append((item.future, result))
                due = time.monotonic() - started >= self.commit_interval_s
                if conn.in_transaction and (
                    item is None or waiting or rows >= self.max_batch_rows or due
                ):
                    waiting = self._commit(conn, waiting)
            if conn.in_transaction and self._error is None:
                self._commit(conn, waiting)
        finally:
            conn.close()
            self._presence.release()

    def _commit(
        self, conn: sqlite3.Connection, waiting: list[tuple[Future[Any], Any]]
    ) -> list[tuple[Future[Any], Any]]:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._fail(conn, exc, [f for f, _ in waiting])
            return []
        self.committed_transactions += 1
        for future, result in waiting:
            future.set_result(result)
        return []

    def _fail(
        self, conn: sqlite3.Connection, exc: sqlite3.Error, futures: list[Future[Any] | None]
    ) -> None:
        self._error = wrap(self.path, exc)
        log.debug("writer stopped: %s", self._error)  # callers get it raised
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        for fut in futures:
            if fut is not None and not fut.done():
                fut.set_exception(self._error)

    # -- operations (run on the writer thread only) -------------------------------------

    def _begin_clip(self, conn: sqlite3.Connection, clip: ClipInfo) -> int:
        row = conn.execute(
            """
            INSERT INTO clips (content_hash, path, name, fps, width, height, frame_count,
                               analysed_at, complete, config_hash, frames_analysed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0)
            ON CONFLICT (content_hash) DO UPDATE SET
                path = excluded.path, name = excluded.name, fps = excluded.fps,
                width = excluded.width, height = excluded.height,
                frame_count = excluded.frame_count, analysed_at = excluded.analysed_at,
                complete = 0, config_hash = excluded.config_hash, frames_analysed = 0
            RETURNING id
            """,
            (
                clip.content_hash,
                clip.path,
                clip.name,
                clip.fps,
                clip.width,
                clip.height,
                clip.frame_count,
                time.time(),
                clip.config_hash,
            ),
        ).fetchone()
        clip_id = int(row[0])
        # The new analysis replaces the machine's sightings, except those an operator
        # has reviewed (they have edits) and operator or imported ones: review work is
        # never thrown away.
        conn.execute(
            "DELETE FROM sightings WHERE clip_id = ? AND source = 'machine' "
            "AND NOT EXISTS (SELECT 1 FROM edits WHERE edits.sighting_id = sightings.id)",
            (clip_id,),
        )
        for key in [k for k in self._rowids if k[0] == clip_id]:
            del self._rowids[key]
        return clip_id

    def _apply(self, conn: sqlite3.Connection, clip_id: int, event: SightingEvent) -> None:
        if isinstance(event, SightingStarted):
            first, last = event.points[0], event.points[-1]
            cur = conn.execute(
                """
                INSERT INTO sightings (clip_id, track_id, class, start_frame, end_frame,
                                       start_s, end_s, peak_score, thumbnail, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
                """,
                (
                    clip_id,
                    event.track_id,
                    str(event.target_class),
                    first.frame,
                    last.frame,
                    first.time_s,
                    last.time_s,
                    max(event.peak_score, 0.0),
                    event.thumbnail_png or None,
                ),
            )
            rowid = int(cur.lastrowid or 0)
            self._rowids[(clip_id, event.key)] = rowid
            _insert_points(conn, rowid, event.points)
            return
        rowid_or_none = self._rowids.get((clip_id, event.key))
        if rowid_or_none is None:
            # The clip was re-registered by another analysis of the same content,
            # which replaced this one's sightings.
            log.debug("sighting event for unknown key %s of clip %s", event.key, clip_id)
            return
        rowid = rowid_or_none
        if isinstance(event, SightingUpdated):
            _insert_points(conn, rowid, event.points)
            last = event.points[-1]
            conn.execute(
                """
                UPDATE sightings SET end_frame = ?, end_s = ?,
                    class = COALESCE(?, class),
                    peak_score = MAX(peak_score, COALESCE(?, 0)),
                    thumbnail = COALESCE(?, thumbnail)
                WHERE id = ?
                """,
                (
                    last.frame,
                    last.time_s,
                    str(event.target_class) if event.target_class else None,
                    event.peak_score,
                    event.thumbnail_png or None,
                    rowid,
                ),
            )
            return
        s = event.sighting
        conn.execute(
            """
            UPDATE sightings SET class = ?, start_frame = ?, end_frame = ?, start_s = ?,
                end_s = ?, peak_score = ?, thumbnail = COALESCE(?, thumbnail),
                state = 'closed'
            WHERE id = ?
            """,
            (
                str(s.target_class),
                s.start_frame,
                s.end_frame,
                s.start_s,
                s.end_s,
                s.peak_score,
                s.thumbnail_png or None,
                rowid,
            ),
        )
        del self._rowids[(clip_id, event.key)]


def _insert_points(conn: sqlite3.Connection, rowid: int, points: Iterable[PathPoint]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO sighting_points VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(rowid, p.frame, p.time_s, p.x1, p.y1, p.x2, p.y2, p.score) for p in points],
    )
