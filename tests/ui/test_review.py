"""Reviewing in the window: confirm, dismiss, relabel, undo, bookmarks, exports, snapshot."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import pytest
from PySide6.QtCore import Qt

from dronewatch.analysis.types import TargetClass
from dronewatch.exports import ExportFilter, StatusFilter
from dronewatch.store import SightingsReader
from dronewatch.store.records import EditField, ReviewStatus
from tests.ui.conftest import open_analysed_clip, wait_settled


def pick(window):
    rows = sorted(window.sighting_rows, key=lambda r: r.duration_s, reverse=True)
    assert rows, "the clip gave no sightings"
    return rows[0]


def test_dismiss_hides_everywhere_and_undo_brings_it_back(qtbot, window, sim_clip) -> None:
    feed = open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    row = pick(window)
    window.select_sighting(row.sighting_id, seek=True)
    wait_settled(qtbot, window)
    assert row.track_id in {t.track_id for t in feed.tile.shown_tracks}

    qtbot.keyClick(window, Qt.Key.Key_X)  # dismiss the selected sighting
    assert window.row_by_id(row.sighting_id).status is ReviewStatus.DISMISSED
    assert row.sighting_id not in window.table.visible_ids()
    assert row.sighting_id not in {r.sighting_id for r in window.timeline.rows}
    assert row.track_id not in {t.track_id for t in feed.tile.shown_tracks}
    window.table.dismissed_box.setChecked(True)
    assert row.sighting_id in window.table.visible_ids()  # hidden, never erased

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.row_by_id(row.sighting_id).status is ReviewStatus.UNREVIEWED
    assert row.track_id in {t.track_id for t in feed.tile.shown_tracks}
    window.review.redo()
    assert window.row_by_id(row.sighting_id).status is ReviewStatus.DISMISSED

    with SightingsReader(window.store.path) as reader:
        edits = reader.edits(row.sighting_id)
    assert [e.new_value for e in edits if e.field is EditField.STATUS] == [
        "dismissed",
        "unreviewed",
        "dismissed",
    ]
    assert all(e.operator == window.review.operator for e in edits)


def test_confirm_relabel_note_and_tags(qtbot, window, sim_clip) -> None:
    open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    row = pick(window)
    review = window.review
    assert review.confirm(row.sighting_id)
    new_class = (
        TargetClass.PERSON if row.target_class is not TargetClass.PERSON else TargetClass.VEHICLE
    )
    assert review.relabel(row.sighting_id, new_class)
    assert review.set_note(row.sighting_id, 'white van <b>"fast"</b>')
    assert review.set_tags(row.sighting_id, ["convoy", "north"])
    updated = window.row_by_id(row.sighting_id)
    assert updated.status is ReviewStatus.CONFIRMED and updated.target_class is new_class
    assert updated.note.startswith("white van") and updated.tags == ("convoy", "north")
    window.table.text_box.setText("convoy")
    assert window.table.visible_ids() == [row.sighting_id]
    review.undo()
    review.undo()
    assert window.row_by_id(row.sighting_id).tags == ()
    assert window.row_by_id(row.sighting_id).note == ""
    assert "Undo" in review.undo_action.text() and review.undo_action.isEnabled()


def test_bookmark_shows_on_timeline_and_list(qtbot, window, sim_clip) -> None:
    open_analysed_clip(qtbot, window, sim_clip, at=2.5)
    assert window.add_bookmark("vehicle stops by the barn") is not None
    assert [(round(b.time_s, 2), b.note) for b in window.bookmark_rows] == [
        (2.5, "vehicle stops by the barn")
    ]
    assert len(window.timeline._bookmark_lines) == 1
    item = window.table.bookmarks.item(0)
    assert "vehicle stops by the barn" in item.text()
    window.seek(0.0)
    window.table.bookmarks.itemDoubleClicked.emit(item)
    assert window.clock.position() == pytest.approx(2.5)


def test_export_csv_in_the_background_and_read_it_back(qtbot, window, sim_clip, tmp_path) -> None:
    open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    row = pick(window)
    window.review.dismiss(row.sighting_id)
    out = tmp_path / "log.csv"
    job = window.run_export("csv", out, ExportFilter(status=StatusFilter.NOT_DISMISSED))
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    assert job.error is None, job.error
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    visible = [r for r in window.sighting_rows if not r.dismissed]
    assert len(rows) == len(visible) and rows


def test_export_a_sighting_clip_and_a_snapshot(qtbot, window, sim_clip, tmp_path) -> None:
    feed = open_analysed_clip(qtbot, window, sim_clip, at=1.0)
    row = pick(window)
    out = tmp_path / "track.mp4"
    job = window.export_sighting_clip(row.sighting_id, out)
    qtbot.waitUntil(job.done.is_set, timeout=60_000)
    assert job.error is None, job.error
    cap = cv2.VideoCapture(str(out))
    frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    expected = round((min(row.end_s + 2, 4.0) - max(0.0, row.start_s - 2)) * 25)
    assert abs(frames - expected) <= 2
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (
        640,
        360,
    )
    png = window.save_snapshot(feed, tmp_path / "snap.png")
    image = cv2.imread(str(png))
    raw = feed.player.snapshot().packet.image
    assert image.shape == raw.shape and (image != raw).any()


def test_export_to_an_unwritable_place_reports_and_leaves_nothing(
    qtbot, window, sim_clip, tmp_path: Path
) -> None:
    open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    out = tmp_path / "missing-folder" / "log.json"
    job = window.run_export("json", out, ExportFilter())
    qtbot.waitUntil(job.done.is_set, timeout=30_000)
    assert job.error and str(out.parent) in job.error
    assert not out.exists()
    qtbot.waitUntil(lambda: str(out.parent) in window.statusBar().currentMessage(), timeout=5000)


def test_ground_truth_shows_as_a_reference_layer(qtbot, window, sim_clip) -> None:
    from dronewatch.sim.groundtruth import read_mot

    feed = open_analysed_clip(qtbot, window, sim_clip, at=2.0)
    gt = sim_clip.with_name("day-pan.gt.txt")
    assert window.import_reference(gt, feed) > 0
    index = feed.tile.reference_index
    frame = feed.tile.shown_index
    # the reference layer skips conf 0 (don't care) rows, as MOTChallenge ignore regions
    truth = [b for b in read_mot(gt) if b.frame == frame + 1 and b.conf]
    assert len(index.tracks_at(frame)) == len(truth) > 0
    k = feed.tile.display_factor
    box = max(truth, key=lambda b: b.w * b.h)
    x, y = round(box.x * k), round(box.y * k)
    corner = feed.tile.annotated[max(0, y - 1) : y + 2, max(0, x - 1) : x + 3]
    assert (corner.min(axis=2) > 200).any(), "no white reference bracket at the GT corner"
    window.set_overlay("reference", False)
    corner_off = feed.tile.annotated[max(0, y - 1) : y + 2, max(0, x - 1) : x + 3]
    assert (corner_off != corner).any(), "toggling the reference layer off changed nothing"


def test_a_malformed_log_is_refused_with_file_line_and_reason(
    qtbot, window, sim_clip, tmp_path
) -> None:
    from dronewatch.errors import DroneWatchError

    feed = open_analysed_clip(qtbot, window, sim_clip, at=0.0)
    before = len(window.sighting_rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("feed,track,class,start_s\nday-pan.mp4,1,vehicle,abc\n", encoding="utf-8")
    with pytest.raises(DroneWatchError) as err:
        window.import_log_file(bad, feed)
    assert "bad.csv" in str(err.value)
    window.refresh_sightings()
    assert len(window.sighting_rows) == before
