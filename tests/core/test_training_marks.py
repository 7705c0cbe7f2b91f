"""Reading marks CSV files and MOT references: good files and every refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewatch.errors import DroneWatchError
from dronewatch.training import GroundTruth, Mark, read_marks, read_reference_rows


def write(tmp_path: Path, text: str, name: str = "marks.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_marks_with_and_without_feed(tmp_path: Path) -> None:
    plain = write(tmp_path, "time,x,y\n1.5,10,20\n\n2,30.5,40\n")
    assert read_marks(plain) == [Mark(1.5, 10.0, 20.0, None, 2), Mark(2.0, 30.5, 40.0, None, 4)]
    fed = write(tmp_path, "Feed, Y ,x,time,note\ncam1,20,10,1.5,hello\n,1,2,3,\n", "f.csv")
    assert read_marks(fed) == [Mark(1.5, 10.0, 20.0, "cam1", 2), Mark(3.0, 2.0, 1.0, None, 3)]


def test_header_only_is_no_marks(tmp_path: Path) -> None:
    assert read_marks(write(tmp_path, "time,x,y\n")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"marks\.csv: empty file"),
        ("1.0,10,20\n", r"marks\.csv:1: header must name .* missing time, x, y"),
        ("time,x\n1,2\n", r"marks\.csv:1: .*missing y"),
        ("time,x,y\n1.0,10\n", r"marks\.csv:2: expected 3 fields as in the header, got 2"),
        ("time,x,y\n1.0,10,20,4\n", r"marks\.csv:2: expected 3 fields"),
        ("time,x,y\n1,2,3\nsoon,10,20\n", r"marks\.csv:3: time is not a number: 'soon'"),
        ("time,x,y\n1.0,,20\n", r"marks\.csv:2: x is not a number: ''"),
        ("time,x,y\n-0.5,10,20\n", r"marks\.csv:2: time must not be negative"),
        ("time,x,y\n1.0,10,-3\n", r"marks\.csv:2: y must not be negative"),
        ("time,x,y\n1.0,inf,3\n", r"marks\.csv:2: x is not finite"),
        ("time,x,y\nnan,1,3\n", r"marks\.csv:2: time is not finite"),
    ],
)
def test_malformed_marks_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DroneWatchError, match=message):
        read_marks(write(tmp_path, text))


def test_missing_marks_file(tmp_path: Path) -> None:
    with pytest.raises(DroneWatchError, match="no such file"):
        read_marks(tmp_path / "nope.csv")


def test_reference_rows_of_six_to_ten_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "1,4,10,20,5,6\n2,4,11,20,5,6,1,2,0.5\n3,4,12,20,5,6,0,2,1.0\n4,5,1,1,2,2,1,1,0.0,-1\n",
        "gt.txt",
    )
    rows = read_reference_rows(path)
    assert [(b.frame, b.id, b.visibility, b.conf) for b in rows] == [
        (1, 4, 1.0, 1),
        (2, 4, 0.5, 1),
        (3, 4, 1.0, 0),
        (4, 5, 0.0, 1),
    ]
    gt = GroundTruth.load(path)  # conf 0 row kept but not counted, visibility 0 row dropped
    assert gt.target_ids == (4,) and gt.frames_seen[4] == 2 and gt.last_frame == 3
    assert [b.conf for b in gt.boxes_at(3)] == [0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3\n", r"gt\.txt:1: expected at least 6 columns, got 3"),
        ("1,2,3,4,5,6\n1,2,a,4,5,6\n", r"gt\.txt:2: not a number"),
        ("0,2,3,4,5,6\n", r"gt\.txt:1: frame must be a whole number >= 1"),
        ("1.5,2,3,4,5,6\n", r"gt\.txt:1: frame must be"),
        ("1,2,3,4,-5,6\n", r"gt\.txt:1: negative box size"),
    ],
)
def test_malformed_reference_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DroneWatchError, match=message):
        GroundTruth.load(write(tmp_path, text, "gt.txt"))


def test_reference_from_stored_points() -> None:
    points = np.array([[4, 0, 10, 20, 15, 26, 1.0], [4, 1, 11, 20, 16, 26, 1.0]])
    gt = GroundTruth.from_track_points(points)
    assert gt.first_frame[4] == 1 and gt.frames_seen[4] == 2
    box = gt.boxes_at(2)[0]
    assert (box.x, box.y, box.w, box.h) == (11, 20, 5, 6)
    assert GroundTruth.from_track_points(np.zeros((0, 7))).target_ids == ()


def test_empty_reference_file_is_valid(tmp_path: Path) -> None:
    gt = GroundTruth.load(write(tmp_path, "", "gt.txt"))
    assert gt.target_ids == () and gt.last_frame == 0
