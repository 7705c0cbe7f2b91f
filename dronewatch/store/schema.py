"""Schema of the sightings database and its migrations.

``PRAGMA user_version`` holds the number of migrations applied. ``MIGRATIONS`` is an
ordered list: never edit or reorder one that has shipped, append a new one instead.
Each runs in its own transaction together with the version bump, so a crash mid-way
leaves the database at the previous version, not half-migrated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


def _v1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE clips (
            id            INTEGER PRIMARY KEY,
            content_hash  TEXT NOT NULL UNIQUE,
            path          TEXT NOT NULL,   -- where the clip was last seen
            name          TEXT NOT NULL,
            fps           REAL NOT NULL,
            width         INTEGER NOT NULL,
            height        INTEGER NOT NULL,
            frame_count   INTEGER,
            analysed_at   REAL,            -- unix time the last analysis started
            complete      INTEGER NOT NULL DEFAULT 0,
            config_hash   TEXT NOT NULL DEFAULT ''
        )"""
    )
    conn.execute(
        """
        CREATE TABLE sightings (
            id           INTEGER PRIMARY KEY,
            clip_id      INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            track_id     INTEGER NOT NULL,
            class        TEXT NOT NULL,
            start_frame  INTEGER NOT NULL,
            end_frame    INTEGER NOT NULL,
            start_s      REAL NOT NULL,
            end_s        REAL NOT NULL,
            peak_score   REAL NOT NULL DEFAULT 0,
            thumbnail    BLOB,
            state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed'))
        )"""
    )
    conn.execute("CREATE INDEX sightings_clip_time ON sightings (clip_id, start_s)")
    conn.execute("CREATE INDEX sightings_open ON sightings (state) WHERE state = 'open'")
    conn.execute(
        """
        CREATE TABLE sighting_points (
            sighting_id  INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
            frame        INTEGER NOT NULL,
            time_s       REAL NOT NULL,
            x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
            score        REAL NOT NULL,
            PRIMARY KEY (sighting_id, frame)
        ) WITHOUT ROWID"""
    )


def _v2_progress_and_class_index(conn: sqlite3.Connection) -> None:
    # How far an analysis got, so an interrupted one can be told from a short clip.
    conn.execute("ALTER TABLE clips ADD COLUMN frames_analysed INTEGER NOT NULL DEFAULT 0")
    conn.execute("CREATE INDEX sightings_class_time ON sightings (class, start_s)")


def _v3_review(conn: sqlite3.Connection) -> None:
    # Review data. Existing rows are machine detections nobody has looked at yet.
    conn.execute(
        "ALTER TABLE sightings ADD COLUMN source TEXT NOT NULL DEFAULT 'machine' "
        "CHECK (source IN ('machine', 'operator', 'import'))"
    )
    conn.execute(
        "ALTER TABLE sightings ADD COLUMN status TEXT NOT NULL DEFAULT 'unreviewed' "
        "CHECK (status IN ('unreviewed', 'confirmed', 'dismissed'))"
    )
    conn.execute("ALTER TABLE sightings ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE sightings ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")  # JSON list
    conn.execute("CREATE INDEX sightings_status ON sightings (status, start_s)")
    # The review log: one row per change, never updated nor deleted. Values are text
    # (tags as JSON); ``old_value`` is NULL for the 'created' row of a new sighting.
    conn.execute(
        """
        CREATE TABLE edits (
            id           INTEGER PRIMARY KEY,
            sighting_id  INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
            field        TEXT NOT NULL,
            old_value    TEXT,
            new_value    TEXT,
            at           REAL NOT NULL,
            operator     TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX edits_sighting ON edits (sighting_id, id)")
    conn.execute(
        """
        CREATE TABLE bookmarks (
            id        INTEGER PRIMARY KEY,
            clip_id   INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            time_s    REAL NOT NULL,
            note      TEXT NOT NULL DEFAULT '',
            created   REAL NOT NULL,
            operator  TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX bookmarks_clip ON bookmarks (clip_id, time_s)")
    # Ground truth (e.g. MOTChallenge files) kept apart from sightings: a reference layer
    # drawn beside our tracks, never mixed into the sightings log. 0-based frames.
    conn.execute(
        """
        CREATE TABLE reference_boxes (
            clip_id   INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            frame     INTEGER NOT NULL,
            track_id  INTEGER NOT NULL,
            x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
            score     REAL NOT NULL,
            class_id  INTEGER NOT NULL DEFAULT -1,   -- as in the file
            class     TEXT NOT NULL DEFAULT 'unknown', -- our name for it, when known
            visibility REAL NOT NULL DEFAULT -1,
            PRIMARY KEY (clip_id, frame, track_id)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE reference_layers (
            clip_id      INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
            source_path  TEXT NOT NULL,
            imported_at  REAL NOT NULL,
            operator     TEXT NOT NULL,
            boxes        INTEGER NOT NULL
        )"""
    )


def _v4_ground_positions(conn: sqlite3.Connection) -> None:
    # Geo-referencing (``dronewatch geo``): where each frame of a clip lies on the ground
    # (WGS 84 corners 1-4 of ST 0601: upper left, upper right, lower right, lower left;
    # NULL where a corner sees sky), and where each stored box stands on the ground.
    conn.execute(
        """
        CREATE TABLE frame_footprints (
            clip_id      INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            frame        INTEGER NOT NULL,
            time_s       REAL NOT NULL,
            method       TEXT NOT NULL CHECK (method IN ('corners', 'attitude')),
            centre_lat   REAL NOT NULL, centre_lon REAL NOT NULL,
            lat1 REAL, lon1 REAL, lat2 REAL, lon2 REAL,
            lat3 REAL, lon3 REAL, lat4 REAL, lon4 REAL,
            ground_elevation_m REAL,   -- above mean sea level, as ST 0601 sends it
            utc_us       INTEGER,      -- ST 0601 precision time stamp of the frame
            PRIMARY KEY (clip_id, frame)
        ) WITHOUT ROWID"""
    )
    conn.execute(
        """
        CREATE TABLE sighting_positions (
            sighting_id  INTEGER NOT NULL REFERENCES sightings(id) ON DELETE CASCADE,
            frame        INTEGER NOT NULL,
            time_s       REAL NOT NULL,
            lat          REAL NOT NULL,
            lon          REAL NOT NULL,
            ce_m         REAL NOT NULL,   -- estimated horizontal error, metres
            PRIMARY KEY (sighting_id, frame)
        ) WITHOUT ROWID"""
    )


MIGRATIONS: Sequence[Migration] = (
    _v1_initial,
    _v2_progress_and_class_index,
    _v3_review,
    _v4_ground_positions,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    def __init__(self, found: int) -> None:
        super().__init__(
            f"database schema version {found} is newer than this DroneWatch "
            f"understands ({SCHEMA_VERSION}); upgrade DroneWatch"
        )


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS
) -> tuple[int, int]:
    """Apply the pending migrations; returns (version before, version after).

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the transactions
    here are the only ones.
    """
    before = user_version(conn)
    if before > len(migrations):
        raise SchemaTooNewError(before)
    for number in range(before + 1, len(migrations) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if user_version(conn) >= number:
                conn.execute("COMMIT")
                continue
            migrations[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return before, user_version(conn)
