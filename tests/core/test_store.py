"""The SQLite sightings store: migrations, batched writer, readers, recovery, errors."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from dronewatch.analysis.types import TargetClass
from dronewatch.sightings import PathPoint, Sighting, SightingEnded, SightingStarted
from dronewatch.sightings.events import SightingUpdated
from dronewatch.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ClipInfo,
    SightingsReader,
    Store,
    StoreError,
    migrate,
)

V, P = TargetClass.VEHICLE, TargetClass.PERSON


def clip_info(tag: str = "a", frames: int = 100) -> ClipInfo:
    return ClipInfo(f"v1:{tag}", f"/clips/{tag}.mp4", f"{tag}.mp4", 10.0, 640, 480, frames)


def point(frame: int, score: float = 0.5) -> PathPoint:
    return PathPoint(frame, frame / 10, 10.0 + frame, 20.0, 30.0 + frame, 40.0, score)


def started(key: int, frame: int = 0, cls: TargetClass = V) -> SightingStarted:
    return SightingStarted(key, 100 + key, cls, (point(frame),), 0.5, b"\x89PNG-fake")


def updated(key: int, frame: int, score: float = 0.5) -> SightingUpdated:
    return SightingUpdated(key, (point(frame, score),))


def ended(key: int, start: int, end: int, cls: TargetClass = V) -> SightingEnded:
    s = Sighting(100 + key, cls, start, end, start / 10, end / 10, 0.9, b"\x89PNG-end", end - start)
    return SightingEnded(key, s)


def write_sighting(
    store: Store, clip_id: int, key: int, start: int, end: int, cls=V, close=True
) -> None:
    events = [started(key, start, cls), *(updated(key, f) for f in range(start + 1, end + 1))]
    if close:
        events.append(ended(key, start, end, cls))
    store.write_events(clip_id, events)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrates_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "new" / "sightings.db"
    Store(db).close()
    assert {"clips", "sightings", "sighting_points"} <= tables(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrates_older_version_keeping_data(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    assert migrate(conn, MIGRATIONS[:1]) == (0, 1)
    conn.execute(
        "INSERT INTO clips (content_hash, path, name, fps, width, height, frame_count, complete)"
        " VALUES ('v1:x', '/x.mp4', 'x.mp4', 25, 320, 240, 50, 1)"
    )
    conn.close()
    Store(db).close()
    with SightingsReader(db) as reader:
        (clip,) = reader.clips()
    assert (clip.content_hash, clip.complete, clip.frames_analysed) == ("v1:x", True, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_migration_is_all_or_nothing(tmp_path: Path) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("boom")

    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [*MIGRATIONS, broken])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert "half_done" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match=r"future\.db.*newer"):
        Store(db)


def test_batched_writes_are_visible_within_a_second_without_flush(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db, commit_interval_s=0.5) as store:
        clip_id = store.begin_clip(clip_info())
        reader = SightingsReader(db)
        t0 = time.monotonic()
        write_sighting(store, clip_id, 0, 0, 499, close=False)  # 500 events, no flush
        while reader.count_sightings() == 0 or len(reader.sighting_path(1)) < 500:
            assert time.monotonic() - t0 < 1.0, "writer did not commit within 1 s"
            time.sleep(0.01)
        assert store.committed_transactions < 20  # batched, not one commit per event
        reader.close()


def test_readers_do_not_block_the_writer(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        clip_id = store.begin_clip(clip_info())
        write_sighting(store, clip_id, 0, 0, 10)
        store.flush()
        reader = SightingsReader(db)
        # Hold a read transaction open: the snapshot stays fixed while the writer goes on.
        reader._conn.execute("BEGIN")
        assert reader.count_sightings() == 1
        t0 = time.monotonic()
        write_sighting(store, clip_id, 1, 20, 30)
        store.flush(timeout=2.0)
        assert time.monotonic() - t0 < 1.0
        assert reader.count_sightings() == 1  # still its old snapshot
        reader._conn.execute("COMMIT")
        assert reader.count_sightings() == 2
        reader.close()


def test_concurrent_reader_thread_while_writing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db, commit_interval_s=0.05) as store:
        clip_id = store.begin_clip(clip_info())
        store.flush()
        stop = threading.Event()
        counts: list[int] = []

        def read_loop() -> None:
            with SightingsReader(db) as reader:
                while not stop.is_set():
                    counts.append(reader.count_sightings())

        thread = threading.Thread(target=read_loop)
        thread.start()
        for key in range(50):
            write_sighting(store, clip_id, key, key * 10, key * 10 + 5)
        store.flush(timeout=5.0)
        stop.set()
        thread.join(5)
    assert counts == sorted(counts)
    with SightingsReader(db) as reader:
        assert reader.count_sightings() == 50


def test_sighting_round_trip_and_queries(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        a = store.begin_clip(clip_info("a"))
        b = store.begin_clip(clip_info("b"))
        write_sighting(store, a, 0, 0, 9, V)
        write_sighting(store, a, 1, 50, 70, P)
        write_sighting(store, b, 0, 5, 6, P)
        store.finish_clip(a, 100, complete=True)
    with SightingsReader(db) as r:
        assert len(r.sightings()) == 3
        first = r.sightings(clip_id=a)[0]
        assert (first.start_frame, first.end_frame, first.target_class) == (0, 9, V)
        assert first.thumbnail_png == b"\x89PNG-end" and not first.is_open
        assert first.peak_score == pytest.approx(0.9)
        path = r.sighting_path(first.id)
        assert path.shape == (10, 7) and list(path[:, 0]) == list(range(10))
        assert [s.track_id for s in r.sightings(target_class="person")] == [101, 100]
        assert [s.start_frame for s in r.sightings(clip_id=a, start_s=3.0, end_s=6.0)] == [50]
        assert len(r.sightings(start_s=0.95)) == 1  # overlap: the 0.0-0.9 s one is out
        clip_a = r.clip_by_hash("v1:a")
        assert clip_a is not None and clip_a.complete and clip_a.frames_analysed == 100
        assert r.clip_by_hash("v1:nope") is None
        points = r.clip_track_points(a)
        assert points.shape == (10 + 21, 7)
        assert set(points[:, 0]) == {100, 101} and list(points[:, 1]) == sorted(points[:, 1])


def test_reanalysing_a_clip_replaces_its_sightings(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        first = store.begin_clip(clip_info("a"))
        write_sighting(store, first, 0, 0, 9)
        store.finish_clip(first, 100, complete=True)
        moved = ClipInfo("v1:a", "/elsewhere/renamed.mp4", "renamed.mp4", 10.0, 640, 480, 100)
        again = store.begin_clip(moved)
        write_sighting(store, again, 0, 3, 4)
    assert again == first
    with SightingsReader(db) as r:
        (clip,) = r.clips()
        assert clip.path == "/elsewhere/renamed.mp4" and not clip.complete
        assert [s.start_frame for s in r.sightings()] == [3]


def test_open_sightings_are_closed_at_next_start(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store:
        clip_id = store.begin_clip(clip_info())
        write_sighting(store, clip_id, 0, 0, 12, close=False)
        write_sighting(store, clip_id, 1, 20, 22, close=True)
    with SightingsReader(db) as r:
        assert sum(s.is_open for s in r.sightings()) == 1
    store = Store(db)
    assert store.recovered_sightings == 1
    store.close()
    with SightingsReader(db) as r:
        s = r.sightings()[0]
        assert not s.is_open and (s.start_frame, s.end_frame) == (0, 12)
        assert s.end_s == pytest.approx(1.2)


def test_unwritable_location_names_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=r"not_a_dir/s\.db"):
        Store(blocker / "s.db")


def test_not_a_database_names_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db.*not a DroneWatch database"):
        Store(junk)


def test_full_disk_gives_clear_error_and_keeps_committed_data(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    store = Store(db)
    clip_id = store.begin_clip(clip_info())
    write_sighting(store, clip_id, 0, 0, 5)
    store.flush()
    # Emulate a full disk: the file may not grow past its current size.
    store._call(lambda conn: conn.execute("PRAGMA max_page_count = 1"), 5.0)
    with pytest.raises(StoreError, match=r"full\.db: disk full"):
        for key in range(1, 200):
            write_sighting(store, clip_id, key, 0, 200)
            store.flush()
    with pytest.raises(StoreError, match="disk full"):
        store.close()
    with SightingsReader(db) as r:
        assert r.count_sightings() == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_close_flushes_and_rejects_later_writes(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store(db, commit_interval_s=30)  # never commits on the timer in this test
    clip_id = store.begin_clip(clip_info())
    write_sighting(store, clip_id, 0, 0, 3)
    store.close(timeout=5)
    with SightingsReader(db) as r:
        assert r.count_sightings() == 1
    with pytest.raises(StoreError, match="closed"):
        store.write_events(clip_id, [started(5)])


def test_missing_database_for_reader(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"nothing\.db"):
        SightingsReader(tmp_path / "nothing.db")


def test_open_sightings_of_a_live_writer_are_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    live = Store(db)
    clip_id = live.begin_clip(clip_info())
    write_sighting(live, clip_id, 0, 0, 5, close=False)
    live.flush()
    second = Store(db)  # e.g. the GUI opening while an analysis runs
    assert second.recovered_sightings == 0
    second.close()
    with SightingsReader(db) as r:
        assert r.sightings()[0].is_open
    live.write_events(clip_id, [updated(0, 6), ended(0, 0, 6)])
    live.close()
    with SightingsReader(db) as r:
        s = r.sightings()[0]
        assert not s.is_open and s.end_frame == 6


def test_two_writers_interleave(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with Store(db, commit_interval_s=0.05) as a, Store(db, commit_interval_s=0.05) as b:
        ca, cb = a.begin_clip(clip_info("a")), b.begin_clip(clip_info("b"))
        for key in range(20):
            write_sighting(a, ca, key, key, key + 3)
            write_sighting(b, cb, key, key, key + 3)
        a.flush()
        b.flush()
    with SightingsReader(db) as r:
        assert r.count_sightings(ca) == 20 and r.count_sightings(cb) == 20
