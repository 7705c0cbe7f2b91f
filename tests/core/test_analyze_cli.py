"""``dronewatch analyze`` end to end on small generated clips."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.cli import main
from dronewatch.store import SightingsReader

FPS = 15


def write_clip(path: Path, frames: int = 45, *, moving: bool = True, fourcc: str = "mp4v") -> Path:
    """A textured still background with (optionally) one bright box crossing it."""
    w, h = 192, 144
    rng = np.random.default_rng(1)
    background = cv2.GaussianBlur(rng.integers(60, 120, (h, w, 3), np.uint8), (0, 0), 3)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, (w, h))
    assert writer.isOpened()
    for i in range(frames):
        img = background.copy()
        if moving:
            x = 10 + 3 * i
            cv2.rectangle(img, (x, 60), (x + 14, 70), (235, 235, 235), -1)
        writer.write(img)
    writer.release()
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "crossing.mp4")


def analyze(*args: str | Path) -> int:
    return main(["analyze", *(str(a) for a in args)])


def test_end_to_end(clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, mot = tmp_path / "s.db", tmp_path / "mot"
    assert analyze(clip, "--db", db, "--mot-dir", mot) == 0
    out = capsys.readouterr().out
    assert "feed" in out and "speed" in out and "crossing.mp4" in out
    with SightingsReader(db) as reader:
        (rec,) = reader.clips()
        assert rec.complete and rec.frames_analysed == 45 and rec.frame_count == 45
        assert rec.name == "crossing.mp4" and rec.content_hash.startswith("v1:")
        sightings = reader.sightings(clip_id=rec.id)
        assert sightings, "the crossing box should give a sighting"
        assert all(not s.is_open for s in sightings)
        thumb = cv2.imdecode(np.frombuffer(sightings[0].thumbnail_png, np.uint8), 1)
        assert thumb is not None and max(thumb.shape[:2]) <= 96
        assert len(reader.sighting_path(sightings[0].id)) >= 2
        track_ids = {s.track_id for s in sightings}
    rows = [line.split(",") for line in (mot / "crossing.txt").read_text().splitlines()]
    assert rows
    for row in rows:
        assert len(row) == 10 and row[7:] == ["-1", "-1", "-1"]
        frame, tid = int(row[0]), int(row[1])
        x, y, w, h, score = map(float, row[2:7])
        assert 1 <= frame <= 45 and tid in track_ids
        assert w > 0 and h > 0 and 0 <= score <= 1 and x >= -1 and y >= -1
    frames_per_id: dict[int, list[int]] = {}
    for row in rows:
        frames_per_id.setdefault(int(row[1]), []).append(int(row[0]))
    assert all(f == sorted(set(f)) for f in frames_per_id.values())  # one row per frame
    assert [int(r[0]) for r in rows] == sorted(int(r[0]) for r in rows)  # in frame order
    # A track starts where the box was first seen, a few frames before the tracker was
    # sure of it: its sighting and its MOT rows start in the same frame.
    for s in sightings:
        assert s.start_frame + 1 == frames_per_id[s.track_id][0]
    # The box is seen from frame 4 (after the background's 0.3 s warm-up); the tracker
    # confirms it four frames later.
    assert min(s.start_frame for s in sightings) <= 5


def test_no_motion_gives_no_sightings(tmp_path: Path) -> None:
    still = write_clip(tmp_path / "still.mp4", 30, moving=False)
    assert analyze(still, "--db", tmp_path / "s.db") == 0
    with SightingsReader(tmp_path / "s.db") as reader:
        (rec,) = reader.clips()
        assert rec.complete and reader.count_sightings() == 0


def test_one_frame_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write_clip(tmp_path / "one.mp4", 1)
    assert analyze(one, "--db", tmp_path / "s.db", "--mot-dir", tmp_path / "mot") == 0
    with SightingsReader(tmp_path / "s.db") as reader:
        (rec,) = reader.clips()
        assert rec.complete and rec.frames_analysed == 1
    assert (tmp_path / "mot" / "one.txt").exists()


def test_missing_file_fails_but_others_are_analysed(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "gone.mp4"
    assert analyze(missing, clip, "--db", tmp_path / "s.db", "--workers", "1") == 1
    err = capsys.readouterr().err
    assert f"{missing}: file not found" in err
    with SightingsReader(tmp_path / "s.db") as reader:
        assert [c.name for c in reader.clips()] == ["crossing.mp4"]
        assert reader.clips()[0].complete


def test_truncated_clip_says_where_it_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = write_clip(tmp_path / "whole.avi", 60, fourcc="MJPG")
    data = whole.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    assert analyze(cut, "--db", tmp_path / "s.db") == 1
    captured = capsys.readouterr()
    assert "cut.avi" in captured.err and "stopped at frame" in captured.err
    assert "of 60" in captured.err
    with SightingsReader(tmp_path / "s.db") as reader:
        (rec,) = reader.clips()
        assert not rec.complete and 0 < rec.frames_analysed < 60
        assert all(not s.is_open for s in reader.sightings())  # what was read is kept
    assert f"{rec.frames_analysed}/60" in captured.out


@pytest.mark.parametrize(
    ("model_bytes", "message"),
    [(None, "model file not found"), (b"not an onnx model", "model")],
)
def test_bad_model_is_a_one_line_error(
    clip: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    model_bytes: bytes | None,
    message: str,
) -> None:
    model = tmp_path / "detector.onnx"
    if model_bytes is not None:
        model.write_bytes(model_bytes)
    assert analyze(clip, "--db", tmp_path / "s.db", "--model", model) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(model) in err and message in err
    assert not (tmp_path / "s.db").exists()  # nothing started


def test_folder_in_parallel_workers(clip: Path, tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(clip, folder / "a.mp4")
    write_clip(folder / "b.mkv", 20, moving=False)
    (folder / "notes.txt").write_text("not a clip")
    assert analyze(folder, "--db", tmp_path / "s.db", "--workers", "2") == 0
    with SightingsReader(tmp_path / "s.db") as reader:
        clips = {c.name: c for c in reader.clips()}
        assert set(clips) == {"a.mp4", "b.mkv"}
        assert all(c.complete for c in clips.values())
        assert reader.count_sightings(clips["a.mp4"].id) >= 1
        assert reader.count_sightings(clips["b.mkv"].id) == 0


def test_known_clip_at_new_path_is_the_same_clip(clip: Path, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.mp4"
    shutil.copy(clip, copy)
    db = tmp_path / "s.db"
    assert analyze(clip, "--db", db) == 0
    with SightingsReader(db) as reader:
        before = reader.count_sightings()
    assert analyze(copy, "--db", db) == 0
    with SightingsReader(db) as reader:
        (rec,) = reader.clips()
        assert rec.name == "renamed.mp4" and reader.count_sightings() == before


def test_default_database_under_user_data_dir(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert analyze(clip) == 0
    assert (tmp_path / "data" / "dronewatch" / "sightings.db").is_file()


def test_empty_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert analyze(tmp_path, "--db", tmp_path / "s.db") == 1
    assert "holds no clips" in capsys.readouterr().err


BROKEN_ANALYZER = """
from dronewatch.analysis.types import Detections, FrameAnalysis, TargetClass, TrackState

class BreaksAtFrame20:
    def __init__(self, info, config=None, model_path=None):
        pass

    def process(self, packet):
        if packet.index == 20:
            raise RuntimeError("analyser bug")
        track = TrackState(1, (10.0, 10.0, 30.0, 30.0), 0.7, TargetClass.VEHICLE, True)
        return FrameAnalysis(packet.index, packet.time_s, Detections.empty(), (track,))
"""


def test_analyser_failure_keeps_results_and_other_clips(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "broken_analyzer.py").write_text(BROKEN_ANALYZER)
    monkeypatch.syspath_prepend(str(tmp_path))
    other = write_clip(tmp_path / "short.mp4", 10)
    db = tmp_path / "s.db"
    code = analyze(clip, other, "--db", db, "--workers", "1",
                   "--analyzer", "broken_analyzer:BreaksAtFrame20")  # fmt: skip
    assert code == 1
    assert "crossing.mp4: analysis failed at frame 21" in capsys.readouterr().err
    with SightingsReader(db) as reader:
        clips = {c.name: c for c in reader.clips()}
        assert not clips["crossing.mp4"].complete and clips["short.mp4"].complete
        (broken,) = reader.sightings(clip_id=clips["crossing.mp4"].id)
        assert (broken.start_frame, broken.end_frame, broken.is_open) == (0, 19, False)


def test_copies_in_one_run_are_analysed_once(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4"):
        shutil.copy(clip, folder / name)
    assert analyze(folder, "--db", tmp_path / "s.db", "--workers", "2") == 0
    assert "skipping" in capsys.readouterr().err
    with SightingsReader(tmp_path / "s.db") as reader:
        (rec,) = reader.clips()
        assert rec.name == "a.mp4" and rec.complete


MANY_TRACKS_ANALYZER = """
from dronewatch.analysis.types import Detections, FrameAnalysis, TargetClass, TrackState

class ManyTracks:
    def __init__(self, info, config=None, model_path=None):
        pass

    def process(self, packet):
        tracks = tuple(
            TrackState(k, (2.0 * k, 5.0, 2.0 * k + 30, 40.0), 0.9, TargetClass.PERSON, True)
            for k in range(1, 60)
        )
        return FrameAnalysis(packet.index, packet.time_s, Detections.empty(), tracks)
"""


def test_full_disk_is_one_line_error_naming_the_database(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import sqlite3

    from dronewatch.store.writer import Store

    (tmp_path / "many_tracks.py").write_text(MANY_TRACKS_ANALYZER)
    monkeypatch.syspath_prepend(str(tmp_path))
    original_open = Store._open

    def open_nearly_full(self: Store) -> sqlite3.Connection:
        conn = original_open(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 4}")  # the "disk" fills up soon
        return conn

    monkeypatch.setattr(Store, "_open", open_nearly_full)
    db = tmp_path / "s.db"
    code = analyze(clip, "--db", db, "--analyzer", "many_tracks:ManyTracks")
    assert code == 1
    err_lines = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert err_lines == [f"dronewatch: error: {db}: " + err_lines[0].split(f"{db}: ", 1)[1]]
    assert "disk full" in err_lines[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM clips").fetchone()[0] == 1


def test_set_reaches_the_analyser_in_every_worker(clip: Path, tmp_path: Path) -> None:
    """A track needing 1000 detections is never confirmed: no sightings, in both workers."""
    folder = tmp_path / "clips"
    folder.mkdir()
    shutil.copy(clip, folder / "a.mp4")
    write_clip(folder / "b.mp4", 40)
    plain, strict = tmp_path / "plain.db", tmp_path / "strict.db"
    assert analyze(folder, "--db", plain, "--workers", "2") == 0
    settings = ("--set", "tracker.init_hits=1000", "--set", "detector.thermal=false")
    assert analyze(folder, "--db", strict, "--workers", "2", *settings) == 0
    with SightingsReader(plain) as before, SightingsReader(strict) as after:
        assert all(before.count_sightings(c.id) >= 1 for c in before.clips())
        assert [c.complete for c in after.clips()] == [True, True]
        assert after.count_sightings() == 0
        assert {c.config_hash for c in before.clips()}.isdisjoint(
            {c.config_hash for c in after.clips()}
        )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("detector.nope=1", "unknown setting 'detector.nope'; detector settings: "),
        ("nope.x=1", "unknown setting 'nope.x'; sections: camera, detector, tracker"),
        ("tracker.init_hits=2.5", "tracker.init_hits expects int, got 2.5 (float)"),
        ("detector.thermal=yes", 'detector.thermal expects bool or null, got "yes" (str)'),
    ],
)
def test_bad_set_is_a_usage_error_before_anything_is_written(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    db = tmp_path / "s.db"
    with pytest.raises(SystemExit) as excinfo:
        analyze(clip, "--db", db, "--set", "tracker.max_age_s=2", "--set", setting)
    assert excinfo.value.code == 2
    (error,) = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert error.startswith("dronewatch analyze: error: argument --set: ") and message in error
    assert not db.exists()


OLD_SIGNATURE_ANALYZER = """
from dronewatch.analysis.types import Detections, FrameAnalysis

class NoConfig:
    def __init__(self, info, model_path=None):
        pass

    def process(self, packet):
        return FrameAnalysis(packet.index, packet.time_s, Detections.empty(), ())
"""


def test_analyser_without_config_parameter_works_without_set(
    clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "no_config.py").write_text(OLD_SIGNATURE_ANALYZER)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert analyze(clip, "--db", tmp_path / "s.db", "--analyzer", "no_config:NoConfig") == 0
