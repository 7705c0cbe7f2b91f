"""Operator training: score a trainee's marks (and the detector's) against ground truth.

>>> from dronewatch.sim.groundtruth import GTBox
>>> from dronewatch.training import GroundTruth, Mark, score
>>> gt = GroundTruth.from_boxes(GTBox(f, 1, 2, 100, 50, 10, 20, 1.0) for f in range(1, 51))
>>> score(gt, [Mark(0.4, 100, 50)], fps=25).to_dict()["hits"]
1
"""

from dronewatch.training.detector import (
    detector_marks,
    detector_marks_from_mot,
    detector_marks_from_track_points,
    score_detector,
)
from dronewatch.training.marks import Mark, read_marks
from dronewatch.training.reference import GroundTruth, read_reference_rows
from dronewatch.training.results import MarkResult, Outcome, ScoreResult, TargetResult, ThirdResult
from dronewatch.training.scoring import (
    DEFAULT_MIN_VISIBLE_S,
    GROW_PX,
    score,
    score_feed,
    target_under,
    vigilance_thirds,
)

__all__ = [
    "DEFAULT_MIN_VISIBLE_S",
    "GROW_PX",
    "GroundTruth",
    "Mark",
    "MarkResult",
    "Outcome",
    "ScoreResult",
    "TargetResult",
    "ThirdResult",
    "detector_marks",
    "detector_marks_from_mot",
    "detector_marks_from_track_points",
    "read_marks",
    "read_reference_rows",
    "score",
    "score_detector",
    "score_feed",
    "target_under",
    "vigilance_thirds",
]
