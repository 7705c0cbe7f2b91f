"""Review data in the store (schema v3): edits log, undo/redo, operator sightings,
bookmarks, filtered queries, and the v2 -> v3 migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dronewatch.analysis.types import TargetClass
from dronewatch.review.edits import EditHistory
from dronewatch.sightings import PathPoint
from dronewatch.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    EditField,
    NewSighting,
    ReviewError,
    ReviewStatus,
    SightingQuery,
    SightingSource,
    SightingsReader,
    Store,
    migrate,
)
from tests.core.test_store import clip_info, write_sighting

V, P = TargetClass.VEHICLE, TargetClass.PERSON


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Two clips: a (2 vehicles, 1 person), b (1 person)."""
    path = tmp_path / "s.db"
    with Store(path) as store:
        a = store.begin_clip(clip_info("a"))
        b = store.begin_clip(clip_info("b"))
        write_sighting(store, a, 0, 0, 9, V)
        write_sighting(store, a, 1, 20, 40, P)
        write_sighting(store, a, 2, 50, 60, V)
        write_sighting(store, b, 0, 5, 30, P)
    return path


def ids(reader: SightingsReader, **query: object) -> list[int]:
    return [s.id for s in reader.find_sightings(SightingQuery(**query))]  # type: ignore[arg-type]


def test_each_edit_writes_a_log_row_with_old_and_new(db: Path) -> None:
    with Store(db) as store:
        e1 = store.set_status(1, "confirmed", "ann")
        e2 = store.set_class(1, P, "ann")
        e3 = store.set_note(1, "white pickup, <b>fast</b>", "bob")
        e4 = store.set_tags(1, ["convoy", " convoy ", "", "north"], "bob")
        assert store.set_note(1, "white pickup, <b>fast</b>", "bob") is None  # no change
    assert e1 and e2 and e3 and e4
    assert (e1.old_value, e1.new_value) == ("unreviewed", "confirmed")
    with SightingsReader(db) as r:
        s = r.sighting(1)
        assert s is not None
        assert (s.status, s.target_class, s.tags) == (
            ReviewStatus.CONFIRMED,
            P,
            ("convoy", "north"),
        )
        assert s.note == "white pickup, <b>fast</b>" and s.source is SightingSource.MACHINE
        log = r.edits(1)
    assert [(e.field, e.old_value, e.new_value, e.operator) for e in log] == [
        (EditField.STATUS, "unreviewed", "confirmed", "ann"),
        (EditField.CLASS, "vehicle", "person", "ann"),
        (EditField.NOTE, "", "white pickup, <b>fast</b>", "bob"),
        (EditField.TAGS, "[]", '["convoy", "north"]', "bob"),
    ]
    assert all(e.at > 1.6e9 for e in log)


@pytest.mark.parametrize(
    ("sighting_id", "field", "value", "message"),
    [
        (99, EditField.STATUS, "confirmed", "does not exist"),
        (1, EditField.STATUS, "maybe", "unknown status"),
        (1, EditField.CLASS, "tank", "unknown class"),
        (1, EditField.TAGS, "one-string", "list of strings"),
        (1, EditField.CREATED, "x", "cannot be edited"),
    ],
)
def test_bad_edits_are_refused_and_the_writer_goes_on(
    db: Path, sighting_id: int, field: EditField, value: str, message: str
) -> None:
    with Store(db) as store:
        with pytest.raises(ReviewError, match=message):
            store.edit_sighting(sighting_id, field, value, "ann")
        assert store.set_status(2, "dismissed", "ann") is not None  # still writing
    with SightingsReader(db) as r:
        assert [e.sighting_id for e in r.edits()] == [2]


def test_undo_redo_keeps_a_complete_log(db: Path) -> None:
    with Store(db) as store:
        history = EditHistory(store, "ann")
        history.apply(1, EditField.STATUS, "dismissed")
        history.apply(1, EditField.TAGS, ["decoy"])
        assert history.can_undo and not history.can_redo
        history.undo()  # tags back to []
        history.undo()  # status back to unreviewed
        assert not history.can_undo and history.redo_label() == "status of sighting 1"
        history.redo()  # dismissed again
        history.apply(1, EditField.NOTE, "checked twice")  # a new step clears redo
        assert not history.can_redo
        assert history.redo() is None
    with SightingsReader(db) as r:
        s = r.sighting(1)
        log = r.edits(1)
    assert s is not None and s.status is ReviewStatus.DISMISSED and s.tags == ()
    assert [(e.field.value, e.old_value, e.new_value) for e in log] == [
        ("status", "unreviewed", "dismissed"),
        ("tags", "[]", '["decoy"]'),
        ("tags", '["decoy"]', "[]"),
        ("status", "dismissed", "unreviewed"),
        ("status", "unreviewed", "dismissed"),
        ("note", "", "checked twice"),
    ]


def test_undo_refuses_to_overwrite_a_colleagues_later_change(db: Path) -> None:
    with Store(db) as store:
        mine = EditHistory(store, "ann")
        mine.apply(3, EditField.STATUS, "confirmed")
        store.set_status(3, "dismissed", "bob")
        with pytest.raises(ReviewError, match="changed by someone else"):
            mine.undo()
        assert mine.can_undo  # the step is kept; nothing was written
    with SightingsReader(db) as r:
        assert [e.operator for e in r.edits(3)] == ["ann", "bob"]


def test_operator_sighting_with_boxes_and_undo_dismisses_it(db: Path) -> None:
    boxes = tuple(PathPoint(f, f / 10, 5.0 + f, 6.0, 25.0 + f, 30.0, 1.0) for f in range(12, 16))
    with Store(db) as store:
        history = EditHistory(store, "ann")
        sid = history.add_sighting(
            NewSighting(
                clip_id=1, track_id=None, target_class=P, points=boxes, note="missed by the tracker"
            )
        )
        second = store.add_sighting(NewSighting(1, None, V, boxes[:1]), "ann")
        with pytest.raises(ReviewError, match="at least one box"):
            store.add_sighting(NewSighting(1, None, V, ()), "ann")
        history.undo()
    with SightingsReader(db) as r:
        s = r.sighting(sid)
        assert s is not None and s.source is SightingSource.OPERATOR
        assert (s.start_frame, s.end_frame, s.start_s, s.end_s) == (12, 15, 1.2, 1.5)
        assert s.status is ReviewStatus.DISMISSED and s.track_id >= 100_000
        other = r.sighting(second)
        assert other is not None and other.track_id == s.track_id + 1
        assert r.sighting_path(sid).shape == (4, 7)
        assert [(e.field.value, e.new_value) for e in r.edits(sid)] == [
            ("created", "operator"),
            ("status", "dismissed"),
        ]
        # Dismissed sightings are hidden by the filter, never erased.
        assert sid not in [x.id for x in r.find_sightings(SightingQuery.not_dismissed())]
        assert sid in [x.id for x in r.sightings()]


def test_bookmarks(db: Path) -> None:
    with Store(db) as store:
        store.add_bookmark(1, 12.5, "helicopter passes", "ann")
        store.add_bookmark(1, 3.0, "", "bob")
        store.add_bookmark(2, 1.0, "b", "bob")
        with pytest.raises(ReviewError, match="clip 9"):
            store.add_bookmark(9, 1.0, "", "bob")
    with SightingsReader(db) as r:
        marks = r.bookmarks(1)
    assert [(m.time_s, m.note, m.operator) for m in marks] == [
        (3.0, "", "bob"),
        (12.5, "helicopter passes", "ann"),
    ]


def test_filtered_queries_across_the_whole_db(db: Path) -> None:
    with Store(db) as store:
        store.set_status(1, "confirmed", "ann")
        store.set_status(3, "dismissed", "ann")
        store.set_note(4, "Two people near the BARN", "ann")
        store.set_tags(2, ["barnyard"], "ann")
        store.add_sighting(NewSighting(2, None, V, (PathPoint(0, 0.0, 1, 1, 5, 5, 1.0),)), "ann")
    with SightingsReader(db) as r:
        assert ids(r) == [1, 2, 3, 5, 4]  # by clip, then start time
        assert ids(r, statuses=(ReviewStatus.CONFIRMED,)) == [1, 5]
        assert [s.id for s in r.find_sightings(SightingQuery.not_dismissed())] == [1, 2, 5, 4]
        assert ids(r, sources=(SightingSource.OPERATOR,)) == [5]
        assert ids(r, classes=(P,)) == [2, 4]
        assert ids(r, feed="b.mp4") == [5, 4]
        assert ids(r, feed="/clips/a.mp4", start_s=2.5, end_s=5.5) == [2, 3]
        assert ids(r, text="barn") == [2, 4]  # note and tags, any case
        assert ids(r, clip_ids=()) == []
        assert r.first_boxes(1)[2] == (30.0, 20.0, 50.0, 40.0)


def test_reanalysis_keeps_reviewed_and_operator_sightings(db: Path) -> None:
    with Store(db) as store:
        store.set_note(2, "keep me", "ann")
        store.add_sighting(NewSighting(1, None, V, (PathPoint(0, 0.0, 1, 1, 5, 5, 1.0),)), "ann")
        again = store.begin_clip(clip_info("a"))
        write_sighting(store, again, 0, 70, 80, V)
    with SightingsReader(db) as r:
        kept = r.sightings(clip_id=1)
        assert sorted(s.note for s in kept) == ["", "", "keep me"]
        assert {s.source for s in kept} == {SightingSource.MACHINE, SightingSource.OPERATOR}
        assert len(r.edits()) == 2


def test_migration_v2_to_v3_keeps_existing_data(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:2]) == (0, 2)
    conn.execute(
        "INSERT INTO clips (content_hash, path, name, fps, width, height, frame_count, complete,"
        " frames_analysed) VALUES ('v1:x', '/x.mp4', 'x.mp4', 25, 320, 240, 50, 1, 50)"
    )
    conn.execute(
        "INSERT INTO sightings (clip_id, track_id, class, start_frame, end_frame, start_s, end_s,"
        " peak_score, state) VALUES (1, 7, 'person', 0, 10, 0.0, 0.4, 0.8, 'closed')"
    )
    conn.execute("INSERT INTO sighting_points VALUES (1, 0, 0.0, 1, 2, 3, 4, 0.8)")
    conn.close()
    with SightingsReader(path) as old:  # a reader on an unmigrated db still works
        assert not old.has_review and old.edits(1) == [] and len(old.sightings()) == 1
        assert ids(old, statuses=(ReviewStatus.CONFIRMED,)) == []
        assert ids(old, statuses=(ReviewStatus.UNREVIEWED,)) == [1]
    with Store(path) as store:
        store.set_status(1, "confirmed", "ann")
    with SightingsReader(path) as r:
        assert r.has_review
        (s,) = r.sightings()
        (clip,) = r.clips()
    assert (s.track_id, s.target_class, s.end_frame, s.peak_score) == (7, P, 10, 0.8)
    assert (s.source, s.status, s.note, s.tags) == ("machine", "confirmed", "", ())
    assert (clip.content_hash, clip.frames_analysed, clip.complete) == ("v1:x", 50, True)
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
