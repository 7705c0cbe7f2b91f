"""Import: export -> import round trips, malformed logs refused whole (file, line, reason),
and MOT ground truth as a clip's reference layer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.analysis.types import TargetClass
from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.exports import ExportFilter, StatusFilter, export_sightings
from dronewatch.exports.model import LOG_COLUMNS
from dronewatch.review.log_import import import_log
from dronewatch.review.log_parse import LogFormatError
from dronewatch.review.reference import import_reference
from dronewatch.store import SightingSource, SightingsReader, Store
from tests.core.test_export_helpers import AnalysedClip, build_review_db, make_analysed_clip
from tests.core.test_store import clip_info

ALL = ExportFilter(status=StatusFilter.ALL)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> AnalysedClip:
    return make_analysed_clip(tmp_path_factory.mktemp("import"))


def comparable(db: Path) -> list[tuple]:
    """Everything a log carries about each sighting, except its source."""
    with SightingsReader(db) as r:
        clips = {c.id: c for c in r.clips()}
        out = []
        for s in r.sightings():
            box = r.first_boxes(s.clip_id)[s.id]
            out.append(
                (
                    clips[s.clip_id].content_hash,
                    s.track_id,
                    s.target_class,
                    s.status,
                    round(s.start_s, 4),
                    round(s.end_s, 4),
                    s.start_frame,
                    s.end_frame,
                    round(s.peak_score, 4),
                    tuple(round(v, 2) for v in box),
                    s.note,
                    s.tags,
                )
            )
    return sorted(out)


def test_json_round_trip_into_an_empty_database(tmp_path: Path) -> None:
    source = build_review_db(tmp_path / "source.db")
    log = tmp_path / "log.json"
    export_sightings(source, "json", log, ALL)
    target = tmp_path / "target.db"
    with Store(target) as store:
        result = import_log(store, log, "ann")  # clips registered from the header
    assert (result.imported, result.feeds) == (4, ("a.mp4", "b.mp4"))
    assert comparable(target) == comparable(source)
    with SightingsReader(target) as r:
        assert {s.source for s in r.sightings()} == {SightingSource.IMPORT}
        assert [(c.name, c.fps, c.width) for c in r.clips()] == [
            ("a.mp4", 10.0, 640),
            ("b.mp4", 10.0, 640),
        ]
        created = r.edits()
    assert [(e.field.value, e.new_value, e.operator) for e in created] == [
        ("created", "import", "ann")
    ] * 4


def test_csv_round_trip_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    source = build_review_db(tmp_path / "source.db")
    log = tmp_path / "log.csv"
    export_sightings(source, "csv", log, ALL)
    target = tmp_path / "target.db"
    with Store(target) as store:
        store.begin_clip(clip_info("b"))  # known by content hash, in another order
        store.begin_clip(clip_info("a"))
        assert import_log(store, log, "ann").imported == 4
        again = import_log(store, log, "ann")
    assert (again.imported, again.skipped_duplicates) == (0, 4)
    assert comparable(target) == comparable(source)


def test_round_trip_of_a_real_analysis_through_the_cli(
    analysed: AnalysedClip, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    assert main(["export", "--db", str(analysed.db), "-f", "csv", "-o", str(first)]) == 0
    target = tmp_path / "target.db"
    args = ["import", str(first), "--db", str(target), "--feed", str(analysed.video)]
    assert main(args) == 0
    second = tmp_path / "second.csv"
    assert main(["export", "--db", str(target), "-f", "csv", "-o", str(second)]) == 0

    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [{k: v for k, v in r.items() if k != "source"} for r in csv.DictReader(fh)]

    assert rows(second) == rows(first) and len(rows(first)) > 3
    with SightingsReader(target) as r:  # thumbnails cut from the video for the reports
        thumbs = [s.thumbnail_png for s in r.sightings()]
    assert all(cv2.imdecode(np.frombuffer(t, np.uint8), 1).shape[2] == 3 for t in thumbs)


@pytest.mark.parametrize(
    "note", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "'quoted", "'=both"]
)
def test_formula_like_notes_are_defused_in_csv_and_survive(tmp_path: Path, note: str) -> None:
    source = build_review_db(tmp_path / "source.db")
    with Store(source) as store:
        store.set_note(3, note, "ann")
    log = tmp_path / "log.csv"
    export_sightings(source, "csv", log, ALL)
    with log.open(encoding="utf-8-sig", newline="") as fh:
        cell = list(csv.DictReader(fh))[2]["note"]
    assert cell == "'" + note  # a spreadsheet shows it as text, never runs it
    target = tmp_path / "target.db"
    with Store(target) as store:
        store.begin_clip(clip_info("a"))
        store.begin_clip(clip_info("b"))
        import_log(store, log, "ann")
    with SightingsReader(target) as r:
        assert r.sightings(clip_id=1)[2].note == note


def test_track_ids_taken_by_other_sightings_are_renumbered(tmp_path: Path) -> None:
    source = build_review_db(tmp_path / "source.db")
    log = tmp_path / "log.json"
    export_sightings(source, "json", log, ExportFilter(feed="b.mp4"))
    with Store(source) as store:
        result = import_log(store, log, "ann")  # b's track 100 exists with another span?
    assert (result.imported, result.skipped_duplicates) == (0, 1)
    doc = json.loads(log.read_text())
    doc["sightings"][0]["start_s"] = 9.0
    doc["sightings"][0]["end_s"] = 9.5
    doc["sightings"][0]["start_frame"] = 90
    doc["sightings"][0]["end_frame"] = 95
    log.write_text(json.dumps(doc))
    with Store(source) as store:
        result = import_log(store, log, "ann")
    assert (result.imported, result.renumbered_tracks) == (1, 1)
    with SightingsReader(source) as r:
        assert [s.track_id for s in r.sightings(clip_id=2)] == [100, 100_000]


HEADER = ",".join(LOG_COLUMNS)
GOOD = 'a.mp4,v1:a,7,person,machine,confirmed,1.0,2.0,1.0,10,20,0.8,1,2,3,4,"a note",[]'
TWO_LINES = GOOD.replace("a note", "two\nlines")  # a quoted note over two lines


@pytest.mark.parametrize(
    ("name", "content", "line", "reason"),
    [
        ("cols.csv", "feed,track,class\na.mp4,1,person\n", 1, "missing column"),
        ("extra.csv", HEADER + ",colour\n", 1, "unknown column(s) 'colour'"),
        (
            "number.csv",
            f"{HEADER}\n{GOOD}\n{GOOD.replace(',1.0,2.0,', ',abc,2.0,')}\n",
            3,
            "start_s: expected a number, got 'abc'",
        ),
        (
            "short.csv",
            f"{HEADER}\n{GOOD}\n{GOOD}\na.mp4,v1:a,7\n",
            4,
            "expected 18 fields, found 3",
        ),
        ("nan.csv", f"{HEADER}\n{GOOD.replace(',0.8,', ',nan,')}\n", 2, "finite"),
        (
            "status.csv",
            f"{HEADER}\n{GOOD.replace('confirmed', 'maybe')}\n",
            2,
            "status: 'maybe' is not one of unreviewed, confirmed, dismissed",
        ),
        ("class.csv", f"{HEADER}\n{GOOD.replace('person', 'tank')}\n", 2, "class: 'tank'"),
        ("tags.csv", f"{HEADER}\n{GOOD.replace(',[]', ',convoy')}\n", 2, "tags: expected a JSON"),
        (
            "times.csv",
            f"{HEADER}\n{GOOD.replace(',1.0,2.0,', ',3.0,2.0,')}\n",
            2,
            "start_s <= end_s",
        ),
        (
            "frame.csv",
            f"{HEADER}\n{GOOD.replace(',10,20,', ',10.5,20,')}\n",
            2,
            "start_frame: expected a whole number",
        ),
        (
            "multi.csv",
            f"{HEADER}\n{TWO_LINES}\n{GOOD.replace(',7,', ',x,')}\n",
            4,
            "track: expected a number",
        ),
        ("empty.csv", "", 1, "empty file"),
        ("syntax.json", '{"sightings": [\n  {"feed": "a.mp4",\n  }\n]}', 3, "not valid JSON"),
        ("shape.json", '{"rows": []}', 1, 'expected an object with a "sightings" list'),
        (
            "value.json",
            '{"header": {"db": "sightings"},\n "sightings": [\n'
            '{"feed": "a.mp4", "track": 1, "class": "person", "start_s": 0, "end_s": 1,'
            ' "x1": 0, "y1": 0, "x2": 1, "y2": 1},\n'
            '{"feed": "a.mp4", "track": 2, "class": "person", "start_s": "soon", "end_s": 1,'
            ' "x1": 0, "y1": 0, "x2": 1, "y2": 1}\n]}',
            4,  # the second sighting starts on line 4
            "start_s: expected a number",
        ),
        ("key.json", '[{"feed": "a.mp4", "colour": "red"}]', 1, "unknown key(s) 'colour'"),
    ],
)
def test_malformed_logs_are_refused_whole(
    tmp_path: Path, name: str, content: str, line: int, reason: str
) -> None:
    db = build_review_db(tmp_path / "r.db")
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with Store(db) as store, pytest.raises(LogFormatError) as caught:
        import_log(store, path, "ann")
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message and message.endswith("nothing imported")
    with SightingsReader(db) as r:
        assert r.count_sightings() == 4


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    db = build_review_db(tmp_path / "r.db")
    path = tmp_path / "latin1.csv"
    good = GOOD.replace("a note", "ok")
    path.write_bytes(
        f"{HEADER}\n{good}\n".encode() + GOOD.replace("a note", "Zürich").encode("latin-1")
    )
    with Store(db) as store, pytest.raises(LogFormatError, match=r"latin1\.csv:3: not UTF-8"):
        import_log(store, path, "ann")
    with SightingsReader(db) as r:
        assert r.count_sightings() == 4


def test_unknown_feed_without_video_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "log.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    db = tmp_path / "empty.db"
    assert main(["import", str(path), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "feed 'a.mp4' is not in" in err and "--feed VIDEO" in err
    with SightingsReader(db) as r:
        assert r.count_sightings() == 0 and r.clips() == []


def test_mot_ground_truth_becomes_the_reference_layer(
    analysed: AnalysedClip, tmp_path: Path
) -> None:
    db = tmp_path / "ref.db"
    db.write_bytes(analysed.db.read_bytes())
    gt_rows = [line.split(",") for line in analysed.ground_truth.read_text().splitlines()]
    assert main(["import", str(analysed.ground_truth), "--db", str(db), "--operator", "ann"]) == 0
    with SightingsReader(db) as r:
        (clip,) = r.clips()
        points, classes = r.reference_points(clip.id)
        layer = r.reference_layer(clip.id)
        sightings = r.count_sightings()
    kept = [row for row in gt_rows if float(row[6]) != 0]
    assert points.shape == (len(kept), 7)
    assert layer is not None and layer.boxes == len(kept) and layer.operator == "ann"
    assert (np.diff(points[:, 1]) >= 0).all()  # by frame, for a TrackIndex
    first = kept[0]
    match = points[(points[:, 0] == int(first[1])) & (points[:, 1] == int(first[0]) - 1)]
    x, y, w, h = (float(v) for v in first[2:6])
    assert match[0, 2:6].tolist() == pytest.approx([x, y, x + w, y + h])
    names = {"1": TargetClass.VEHICLE, "2": TargetClass.PERSON}
    assert classes[int(first[1])] == names[first[7]]  # from day-pan.json beside it
    with SightingsReader(analysed.db) as r:
        assert sightings == r.count_sightings()  # the sightings are untouched
    # A second import replaces the layer rather than adding to it.
    short = tmp_path / "short.txt"
    short.write_text("1,5,10,10,4,4,1,1,1.0\n2,5,11,10,4,4,1,1,1.0\n")
    with Store(db) as store:
        assert import_reference(store, short, "bob", analysed.video).boxes == 2
    with SightingsReader(db) as r:
        assert r.reference_points(clip.id)[0].shape == (2, 7)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("1,1,0,0,5,5,1,1,1\n2,1,0,0,x,5,1,1,1\n", 2, "'x' is not a number"),
        ("1,1,0,0,5,5,1,1,1\n\n0,1,0,0,5,5,1,1,1\n", 3, "frame must be a whole number >= 1"),
        ("1,1,0,0,5,5\n1,1,0,0,5,-5\n", 2, "width and height must be >= 0"),
        ("1,1,0,0,5,5\n1,1,2,2,5,5\n", 2, "id 1 twice in frame 1"),
        ("1,1,0,0,5,5\n1,2,0,0\n", 2, "expected at least 6 fields"),
    ],
)
def test_malformed_mot_is_refused(
    analysed: AnalysedClip, tmp_path: Path, content: str, line: int, reason: str
) -> None:
    db = tmp_path / "ref.db"
    db.write_bytes(analysed.db.read_bytes())
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with Store(db) as store, pytest.raises(DroneWatchError) as caught:
        import_reference(store, path, "ann", analysed.video)
    assert str(caught.value).startswith(f"{path}:{line}: {reason}")
    with SightingsReader(db) as r:
        assert r.reference_points(1)[0].shape == (0, 7)


def test_reference_index_gives_boxes_per_frame(analysed: AnalysedClip, tmp_path: Path) -> None:
    import time

    from dronewatch.review.reference_layer import load_reference_index

    db = tmp_path / "ref.db"
    db.write_bytes(analysed.db.read_bytes())
    with Store(db) as store:
        import_reference(store, analysed.ground_truth, "ann")
    rows = [r.split(",") for r in analysed.ground_truth.read_text().splitlines()]
    frame_10 = sorted(int(r[1]) for r in rows if r[0] == "10" and float(r[6]) != 0)
    with SightingsReader(db) as r:
        t0 = time.perf_counter()
        index = load_reference_index(r, 1)
        elapsed = time.perf_counter() - t0
        assert load_reference_index(r, 99) is None
    assert index is not None and elapsed < 0.5
    assert sorted(t.track_id for t in index.tracks_at(9)) == frame_10  # 0-based frames
