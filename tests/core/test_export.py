"""Exports, each read back with a real parser: csv, json, MOT, CVAT XML, HTML; filters;
geojson refusal; atomic writing (unwritable folder, full disk, cancel)."""

from __future__ import annotations

import base64
import csv
import errno
import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from dronewatch.analysis.types import (
    Detections,
    EarlierBox,
    FrameAnalysis,
    TargetClass,
    TrackState,
)
from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.exports import (
    ExportCancelled,
    ExportFilter,
    StatusFilter,
    atomic,
    export_sightings,
    parse_time,
)
from dronewatch.exports.model import LOG_COLUMNS
from dronewatch.mot_writer import MotWriter
from dronewatch.store import SightingsReader
from tests.core.test_export_helpers import (
    HOSTILE_NOTE,
    AnalysedClip,
    build_review_db,
    make_analysed_clip,
)


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    return build_review_db(tmp_path / "review.db")


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> AnalysedClip:
    return make_analysed_clip(tmp_path_factory.mktemp("analysed"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == LOG_COLUMNS
        return list(reader)


def test_csv_log_of_a_real_analysis(analysed: AnalysedClip, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    result = export_sightings(analysed.db, "csv", out)
    rows = read_csv(out)
    with SightingsReader(analysed.db) as r:
        stored = r.sightings()
        first = r.first_boxes(stored[0].clip_id)
    assert result.sightings == len(rows) == len(stored) > 3
    by_track = {int(row["track"]): row for row in rows}
    for s in stored:
        row = by_track[s.track_id]
        assert row["feed"] == "day-pan.mp4" and row["class"] == s.target_class.value
        assert (row["source"], row["status"], row["note"], row["tags"]) == (
            "machine",
            "unreviewed",
            "",
            "[]",
        )
        assert float(row["start_s"]) == pytest.approx(s.start_s, abs=1e-3)
        assert float(row["duration_s"]) == pytest.approx(s.end_s - s.start_s, abs=1e-3)
        assert int(row["start_frame"]) == s.start_frame
        x1, y1, x2, y2 = (float(row[k]) for k in ("x1", "y1", "x2", "y2"))
        assert (x1, y1, x2, y2) == pytest.approx(first[s.id], abs=0.01)
        assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 360


def test_csv_keeps_awkward_text_and_leaves_dismissed_out(review_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "log.csv"
    export_sightings(review_db, "csv", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheets
    rows = read_csv(out)
    assert [(r["feed"], r["status"]) for r in rows] == [
        ("a.mp4", "confirmed"),
        ("a.mp4", "unreviewed"),
        ("b.mp4", "unreviewed"),
    ]
    assert rows[0]["note"] == HOSTILE_NOTE
    assert json.loads(rows[0]["tags"]) == ["convoy", 'a,b "c"', "Zürich"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ExportFilter(), [1, 3, 4]),
        (ExportFilter(status=StatusFilter.ALL), [1, 2, 3, 4]),
        (ExportFilter(status=StatusFilter.CONFIRMED), [1]),
        (ExportFilter(feed="b.mp4"), [4]),
        (ExportFilter(from_s=2.5, to_s=5.5, status=StatusFilter.ALL), [2, 3, 4]),
        (ExportFilter(to_s=0.5), [1, 4]),
    ],
)
def test_filters(review_db: Path, tmp_path: Path, filters: ExportFilter, expected: list) -> None:
    out = tmp_path / "log.json"
    export_sightings(review_db, "json", out, filters)
    doc = json.loads(out.read_text(encoding="utf-8"))
    tracks = [(s["feed"], s["track"]) for s in doc["sightings"]]
    ids = {("a.mp4", 100): 1, ("a.mp4", 101): 2, ("a.mp4", 102): 3, ("b.mp4", 100): 4}
    assert [ids[t] for t in tracks] == expected
    assert doc["header"]["version"] == 1 and doc["header"]["count"] == len(expected)
    assert doc["header"]["filters"] == filters.describe()
    assert doc["header"]["db"] == str(review_db) and doc["header"]["exported_at"]


def test_unknown_feed_and_reversed_times_are_refused(review_db: Path, tmp_path: Path) -> None:
    with pytest.raises(DroneWatchError, match=r"no feed 'c.mp4'.*a\.mp4, b\.mp4"):
        export_sightings(review_db, "csv", tmp_path / "x.csv", ExportFilter(feed="c.mp4"))
    with pytest.raises(DroneWatchError, match="before --from"):
        export_sightings(review_db, "csv", tmp_path / "x.csv", ExportFilter(from_s=5, to_s=1))
    assert list(tmp_path.iterdir()) == [review_db] + [
        p for p in tmp_path.iterdir() if p.name.startswith("review.db-")
    ]


@pytest.mark.parametrize(
    ("text", "seconds"), [("12", 12.0), ("2.5", 2.5), ("1:02.5", 62.5), ("1:00:03", 3603.0)]
)
def test_parse_time(text: str, seconds: float) -> None:
    assert parse_time(text) == seconds


def test_mot_writer_starts_a_track_where_it_was_first_seen(tmp_path: Path) -> None:
    def frame(index: int, *tracks: TrackState, earlier: tuple[EarlierBox, ...] = ()):
        return FrameAnalysis(index, index / 25, Detections.empty(), tracks, earlier=earlier)

    box = (10.0, 20.0, 30.0, 40.0)
    one, two = (
        TrackState(1, box, 0.9, TargetClass.VEHICLE, True),
        TrackState(2, box, 0.8, TargetClass.PERSON, True),
    )
    path = tmp_path / "clip.txt"
    with MotWriter(path, hold_frames=4) as mot:
        mot.write(frame(0))
        mot.write(frame(1, one))
        mot.write(frame(2, one))
        # Track 2, confirmed in frame 3, was seen (tentative) in frames 1 and 2.
        early = tuple(EarlierBox(2, k, k / 25, box, 0.5) for k in (1, 2))
        mot.write(frame(3, one, two, earlier=early))
        mot.write(frame(4, two))
    rows = [tuple(map(int, line.split(",")[:2])) for line in path.read_text().splitlines()]
    assert rows == [(2, 1), (2, 2), (3, 1), (3, 2), (4, 1), (4, 2), (5, 2)]  # 1-based frames
    assert mot.rows == len(rows)


def test_mot_rows_of_one_feed(analysed: AnalysedClip, tmp_path: Path) -> None:
    out = tmp_path / "tracks.txt"
    export_sightings(analysed.db, "mot", out)
    lines = out.read_text().splitlines()
    with SightingsReader(analysed.db) as r:
        total_points = sum(len(r.sighting_path(s.id)) for s in r.sightings())
    assert len(lines) == total_points
    rows = np.array([[float(v) for v in line.split(",")] for line in lines])
    assert rows.shape[1] == 10 and (rows[:, 7:] == -1).all()
    assert rows[:, 0].min() >= 1 and rows[:, 0].max() <= 75  # 1-based frames of 3 s at 25
    assert (np.diff(rows[:, 0]) >= 0).all() and (rows[:, 4:6] > 0).all()
    assert (rows[:, 0] == rows[:, 0].astype(int)).all()


def test_mot_with_several_feeds_writes_a_folder(review_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "mot"
    result = export_sightings(review_db, "mot", out, ExportFilter(from_s=0.0, to_s=0.55))
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt"]
    assert result.paths == (out / "a.txt", out / "b.txt")
    a_frames = [int(line.split(",")[0]) for line in (out / "a.txt").read_text().splitlines()]
    assert a_frames == list(range(1, 7))  # frames 0..5 of sighting 1, cut at 0.55 s
    assert (out / "b.txt").read_text().splitlines()[0] == (
        "6,100,15.00,20.00,20.00,20.00,0.5000,-1,-1,-1"
    )


def test_mot_folder_rules(review_db: Path, tmp_path: Path) -> None:
    with pytest.raises(DroneWatchError, match=r"tracks\.txt: 2 feeds match, so --out must be"):
        export_sightings(review_db, "mot", tmp_path / "tracks.txt")
    assert not (tmp_path / "tracks.txt").exists()
    folder = tmp_path / "existing"
    folder.mkdir()
    result = export_sightings(review_db, "cvat", folder, ExportFilter(feed="a.mp4"))
    assert result.paths == (folder / "a.xml",)
    ET.parse(folder / "a.xml")


def test_cvat_xml(analysed: AnalysedClip, tmp_path: Path) -> None:
    out = tmp_path / "cvat.xml"
    export_sightings(analysed.db, "cvat", out)
    root = ET.parse(out).getroot()
    assert root.tag == "annotations" and root.findtext("version") == "1.1"
    task = root.find("meta/task")
    assert task is not None and task.findtext("name") == "day-pan.mp4"
    assert task.findtext("size") == "75" and task.findtext("original_size/width") == "640"
    labels = {e.text for e in root.iterfind("meta/task/labels/label/name")}
    assert labels == {"vehicle", "person", "unknown"}
    tracks = root.findall("track")
    with SightingsReader(analysed.db) as r:
        stored = r.sightings()
        assert len(tracks) == len(stored)
        for track, s in zip(tracks, stored, strict=True):
            assert track.get("label") == s.target_class.value and track.get("source") == "auto"
            boxes = track.findall("box")
            inside = [b for b in boxes if b.get("outside") == "0"]
            assert len(inside) == len(r.sighting_path(s.id))
            assert int(inside[0].get("frame", -1)) == s.start_frame
            for b in boxes:
                assert float(b.get("xtl", 0)) < float(b.get("xbr", 0))
                assert b.get("keyframe") == "1" and b.get("occluded") == "0"
            if s.end_frame < 74:  # ends before the clip: closed by an outside box
                assert boxes[-1].get("outside") == "1"
                assert int(boxes[-1].get("frame", -1)) == s.end_frame + 1


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_escapes_and_embeds(review_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    export_sightings(review_db, "html", out, ExportFilter(status=StatusFilter.ALL))
    page = out.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert "script" not in parser.tags  # the note did not become markup
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    text = "".join(parser.text)
    assert HOSTILE_NOTE in text  # ... and reads back as what the operator wrote
    assert "Zürich" in text and 'a,b "c"' in text
    assert "http" not in page.replace("http-equiv", "")  # self-contained: no links out
    pngs = [base64.b64decode(src.split(",", 1)[1]) for src in parser.images]
    assert parser.images and all(src.startswith("data:image/png;base64,") for src in parser.images)
    assert pngs[0].startswith(b"\x89PNG\r\n\x1a\n")  # the timeline, drawn by us
    assert len(pngs) == 1 + 4  # timeline and the four thumbnails
    for expected in ("Sightings (4)", "By feed", "By class", "a.mp4", "b.mp4", "dismissed"):
        assert expected in text


def test_geojson_is_refused_without_positions(review_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "map.geojson"
    code = main(["export", "--db", str(review_db), "--format", "geojson", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "ground positions" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_export(review_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "c.csv"
    args = ["export", "--db", str(review_db), "-f", "csv", "-o", str(out), "--status", "all"]
    assert main([*args, "--from", "0:02", "--to", "0:05.5"]) == 0
    assert "3 sightings of 2 feed(s)" in capsys.readouterr().err
    assert len(read_csv(out)) == 3


def no_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".part" in p.name]


def test_unwritable_folder_leaves_no_file(review_db: Path, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(DroneWatchError, match=r"a-file/out\.csv: folder .* does not exist"):
        export_sightings(review_db, "csv", blocker / "out.csv")
    # A folder we may not write in (faked: tests may run as root, who may write anywhere).
    locked = tmp_path / "locked"
    locked.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(DroneWatchError, match=r"locked/out\.html: cannot write here"):
        export_sightings(review_db, "html", locked / "out.html")
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_read_only_folder(review_db: Path, tmp_path: Path) -> None:
    locked = tmp_path / "ro"
    locked.mkdir(mode=0o500)
    with pytest.raises(DroneWatchError, match="cannot write here"):
        export_sightings(review_db, "csv", locked / "out.csv")


def test_full_disk_leaves_no_partial_file_and_keeps_the_old_one(
    review_db: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "report.html"
    out.write_text("yesterday's report")
    monkeypatch.setattr(atomic, "_CHUNK", 1000)
    written = []

    def fill_up(fd: int, data: bytes) -> int:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(len(data))
        return os.write(fd, data)

    monkeypatch.setattr(atomic, "_write", fill_up)
    with pytest.raises(DroneWatchError, match=r"report\.html: disk full"):
        export_sightings(review_db, "html", out)
    assert written == [1000]  # it did start writing
    assert out.read_text() == "yesterday's report"
    assert no_leftovers(tmp_path) == []


def test_cancel_leaves_no_file_and_progress_is_reported(review_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "tracks"
    calls: list[tuple[int, int]] = []

    def cancel_after_three() -> bool:
        return len(calls) >= 3

    with pytest.raises(ExportCancelled, match="cancelled"):
        export_sightings(
            review_db,
            "cvat",
            out,
            progress=lambda done, total: calls.append((done, total)),
            should_cancel=cancel_after_three,
        )
    assert len(calls) == 3 and all(0 <= d <= t for d, t in calls)
    assert list(out.iterdir()) == []  # the folder was made, but holds nothing
    calls.clear()
    export_sightings(review_db, "cvat", out, progress=lambda d, t: calls.append((d, t)))
    assert sorted(p.name for p in out.iterdir()) == ["a.xml", "b.xml"]
    assert calls[-1] == (1, 1) and no_leftovers(out) == []


def test_reports_list_the_bookmarks_in_the_selection(review_db: Path, tmp_path: Path) -> None:
    from dronewatch.store import Store

    with Store(review_db) as store:
        store.add_bookmark(1, 2.0, "<b>convoy</b> passes", "ann")
        store.add_bookmark(2, 9.0, "late", "bob")
    out = tmp_path / "r.html"
    export_sightings(review_db, "html", out, ExportFilter(to_s=5.0))
    page = out.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    text = "".join(parser.text)
    assert "Bookmarks (1)" in text and "<b>convoy</b> passes" in text and "late" not in text
    assert "&lt;b&gt;convoy&lt;/b&gt; passes" in page  # the note's markup stayed text


def test_pdf_without_qt_is_a_clear_error(review_db: Path, tmp_path: Path, monkeypatch) -> None:
    import sys

    for name in ("PySide6", "PySide6.QtCore", "PySide6.QtGui"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    out = tmp_path / "r.pdf"
    with pytest.raises(DroneWatchError, match="PDF printing needs Qt"):
        export_sightings(review_db, "pdf", out)
    assert not out.exists() and no_leftovers(tmp_path) == []


def test_export_reads_one_consistent_state_while_the_app_writes(
    review_db: Path, tmp_path: Path, monkeypatch
) -> None:
    """Rows and their boxes come from one snapshot, whatever is committed meanwhile."""
    import dronewatch.exports as exports
    from dronewatch.store import Store
    from tests.core.test_store import clip_info

    real_collect = exports.collect

    def collect_then_reanalyse(reader, filters, with_thumbnails=False):
        data = real_collect(reader, filters, with_thumbnails)
        with Store(review_db) as store:  # re-analysis drops unreviewed sighting 3
            store.begin_clip(clip_info("a"))
        return data

    monkeypatch.setattr(exports, "collect", collect_then_reanalyse)
    export_sightings(review_db, "mot", tmp_path / "m", ExportFilter(feed="a.mp4"))
    with SightingsReader(review_db) as r:
        assert [s.id for s in r.sightings(clip_id=1)] == [1, 2]  # it really is gone now
    lines = (tmp_path / "m").read_text().splitlines()
    assert len(lines) == 10 + 11  # yet sightings 1 and 3 were exported with every box


def test_timeline_picture_places_bars_by_time_and_class() -> None:
    from dronewatch.analysis.types import TargetClass
    from dronewatch.annotate import CLASS_COLORS
    from dronewatch.exports.model import ExportRow
    from dronewatch.exports.timeline import LEFT, RIGHT, TOP, WIDTH, draw_timeline, tick_step

    def row(feed: str, start: float, end: float, cls: str, status: str) -> ExportRow:
        return ExportRow(
            1, 1, feed, "", 1, cls, "machine", status, start, end, 0, 0, 1.0, (0, 0, 1, 1), "", ()
        )

    rows = [row("a", 2.0, 4.0, "vehicle", "confirmed"), row("b", 6.0, 8.0, "person", "confirmed")]
    img = draw_timeline(["a", "b"], rows, span_s=10.0)
    assert img.shape[1] == WIDTH and img.dtype == np.uint8
    plot_w = WIDTH - LEFT - RIGHT
    x_mid_a = LEFT + round(0.3 * plot_w)
    x_mid_b = LEFT + round(0.7 * plot_w)
    column_a, column_b = img[TOP:, x_mid_a], img[TOP:, x_mid_b]
    vehicle, person = CLASS_COLORS[TargetClass.VEHICLE], CLASS_COLORS[TargetClass.PERSON]
    rows_a = np.flatnonzero((column_a == vehicle).all(axis=1))
    rows_b = np.flatnonzero((column_b == person).all(axis=1))
    assert len(rows_a) > 5 and len(rows_b) > 5
    assert rows_a.max() < rows_b.min()  # feed a's lane is above feed b's
    assert not (img[TOP:, x_mid_b] == vehicle).all(axis=1).any()  # nothing of a at 7 s
    assert [tick_step(s) for s in (2, 6, 40, 600, 7200)] == [0.2, 1.0, 5.0, 60.0, 900.0]
