"""Schema v4 (ground positions): the v3 -> v4 migration keeps data; positions follow
their sightings; a reader on an older database sees none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dronewatch.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    FootprintRow,
    PositionRow,
    SightingsReader,
    Store,
    migrate,
)
from tests.core.test_export_helpers import build_review_db


def test_migration_v3_to_v4_keeps_existing_data(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:3]) == (0, 3)
    conn.execute(
        "INSERT INTO clips (content_hash, path, name, fps, width, height, frame_count, complete,"
        " frames_analysed) VALUES ('v1:x', '/x.mp4', 'x.mp4', 25, 320, 240, 50, 1, 50)"
    )
    conn.execute(
        "INSERT INTO sightings (clip_id, track_id, class, start_frame, end_frame, start_s, end_s,"
        " peak_score, state, status, note) VALUES"
        " (1, 7, 'person', 0, 10, 0.0, 0.4, 0.8, 'closed', 'confirmed', 'kept')"
    )
    conn.execute("INSERT INTO sighting_points VALUES (1, 0, 0.0, 1, 2, 3, 4, 0.8)")
    conn.close()
    with SightingsReader(path) as old:
        assert not old.has_geo and old.footprints(1) == [] and old.sighting_positions(1) == []
        assert old.count_positions() == 0
    with Store(path) as store:
        corners = ((1.0, 2.0), (1.0, 2.1), None, (0.9, 2.0))
        footprint = FootprintRow(0, 0.0, "attitude", (0.95, 2.05), corners, 140.0, 123)
        stored = store.replace_clip_geo(
            1,
            [footprint],
            [PositionRow(1, 0, 0.0, 0.95, 2.05, 1.5), PositionRow(99, 0, 0, 0, 0, 1)],
        )
    assert stored == 1  # a position of an unknown sighting is dropped
    with SightingsReader(path) as r:
        assert r.has_geo
        (s,) = r.sightings()
        assert (s.track_id, s.status, s.note, s.end_frame) == (7, "confirmed", "kept", 10)
        assert r.sighting_path(1).tolist() == [[0, 0.0, 1, 2, 3, 4, 0.8]]
        assert r.footprints(1) == [footprint]
        assert r.sighting_positions(1) == [PositionRow(1, 0, 0.0, 0.95, 2.05, 1.5)]
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_positions_are_replaced_per_clip_and_go_with_their_sighting(tmp_path: Path) -> None:
    db = build_review_db(tmp_path / "r.db")
    fp = FootprintRow(0, 0.0, "corners", (1.0, 2.0), ((1, 2),) * 4)
    with Store(db) as store:
        store.replace_clip_geo(1, [fp], [PositionRow(1, 0, 0.0, 1.0, 2.0, 1.0)])
        store.replace_clip_geo(2, [fp], [PositionRow(4, 5, 0.2, 3.0, 4.0, 1.0)])
        store.replace_clip_geo(1, [], [PositionRow(3, 50, 2.0, 5.0, 6.0, 1.0)])
    with SightingsReader(db) as r:
        assert r.footprints(1) == [] and len(r.footprints(2)) == 1
        assert r.sighting_positions(1) == [] and len(r.sighting_positions(3)) == 1
        assert r.count_positions(2) == 1 and r.count_positions() == 2
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA foreign_keys = ON")
        c.execute("DELETE FROM sightings WHERE id = 4")
        assert c.execute("SELECT COUNT(*) FROM sighting_positions").fetchone()[0] == 1
