"""The detector scored like a trainee: one mark per track, where and when it starts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewatch.sim.groundtruth import GTBox
from dronewatch.training import (
    GroundTruth,
    Mark,
    detector_marks,
    detector_marks_from_mot,
    detector_marks_from_track_points,
    score,
    score_detector,
)

FPS = 10.0


def test_first_frame_of_each_track_at_its_box_centre() -> None:
    rows = [
        (5, 2, 100.0, 100.0, 20.0, 10.0),
        (3, 1, 0.0, 0.0, 10.0, 10.0),
        (4, 1, 50.0, 50.0, 10.0, 10.0),
        (1, -1, 0.0, 0.0, 4.0, 4.0),  # unconfirmed: ignored
    ]
    assert detector_marks(rows, FPS) == [Mark(0.2, 5.0, 5.0), Mark(0.4, 110.0, 105.0)]
    assert detector_marks(rows, FPS, first_frame=0, feed="f")[0] == Mark(0.3, 5.0, 5.0, "f")


def test_from_mot_file_and_track_points(tmp_path: Path) -> None:
    mot = tmp_path / "pred.txt"
    mot.write_text("2,7,10,10,4,4,0.9,-1,-1,-1\n3,7,12,10,4,4,0.9,-1,-1,-1\n")
    assert detector_marks_from_mot(mot, FPS) == [Mark(0.1, 12.0, 12.0)]
    mot.write_text("1,8,50,50,4,4,0,-1,-1,-1\n" + mot.read_text())  # conf 0: no mark
    assert detector_marks_from_mot(mot, FPS) == [Mark(0.1, 12.0, 12.0)]
    points = np.array([[7, 1, 10, 10, 14, 14, 0.9], [7, 2, 12, 10, 16, 14, 0.9]])
    assert detector_marks_from_track_points(points, FPS) == [Mark(0.1, 12.0, 12.0)]
    assert detector_marks_from_track_points(np.zeros((0, 7)), FPS) == []


def test_detector_scored_with_the_same_rules() -> None:
    gt = GroundTruth.from_boxes(
        [GTBox(f, 1, 2, 100, 100, 20, 10, 1.0) for f in range(1, 31)]
        + [GTBox(f, 2, 2, 300, 100, 20, 10, 1.0) for f in range(11, 41)]
    )
    pred = [
        (f, 5, 101.0, 101.0, 18.0, 8.0)
        for f in range(4, 20)  # target 1 from frame 4
    ] + [(f, 6, 600.0, 300.0, 10.0, 10.0) for f in range(1, 5)]  # nothing there
    pred += [(f, 8, 100.0, 100.0, 20.0, 10.0) for f in range(9, 12)]  # second track on 1
    marks = detector_marks(pred, FPS)
    r = score_detector(gt, marks, FPS)
    assert r == score(gt, marks, FPS)
    assert (r.hits, r.misses, r.false_alarms, r.duplicates) == (1, 1, 1, 1)
    assert r.targets[0].reaction_s == pytest.approx(0.3)
