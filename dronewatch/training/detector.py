"""The automatic detector as a trainee: each predicted track "marks" its target once,
at the centre of its box in the first frame it appears, so trainee and detector can be
scored side by side with the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from dronewatch.training.marks import Mark
from dronewatch.training.reference import GroundTruth, read_reference_rows
from dronewatch.training.results import ScoreResult
from dronewatch.training.scoring import DEFAULT_MIN_VISIBLE_S, score

TrackRow = tuple[int, int, float, float, float, float]  # frame, id, x, y, w, h


def detector_marks(
    rows: Iterable[TrackRow], fps: float, *, first_frame: int = 1, feed: str | None = None
) -> list[Mark]:
    """One mark per track id: its first frame's box centre, at time
    ``(frame - first_frame) / fps``. ``first_frame`` is 1 for MOT files (1-based frames).

    >>> detector_marks([(3, 9, 10.0, 20.0, 4.0, 6.0), (4, 9, 11.0, 20.0, 4.0, 6.0)], fps=25)
    [Mark(time_s=0.08, x=12.0, y=23.0, feed=None, line=None)]
    """
    first: dict[int, TrackRow] = {}
    for frame, track, x, y, w, h in rows:
        if track < 0:  # unconfirmed tracks (id -1 in MOT files) mark nothing
            continue
        if track not in first or frame < first[track][0]:
            first[int(track)] = (int(frame), int(track), float(x), float(y), float(w), float(h))
    marks = [
        Mark((f - first_frame) / fps, x + w / 2, y + h / 2, feed)
        for f, _track, x, y, w, h in first.values()
    ]
    return sorted(marks, key=lambda m: (m.time_s, m.x, m.y))


def detector_marks_from_mot(path: str | Path, fps: float, *, feed: str | None = None) -> list[Mark]:
    """Marks from a MOT prediction file (e.g. ``dronewatch analyze --mot-dir``)."""
    boxes = read_reference_rows(path)
    rows = [(b.frame, b.id, b.x, b.y, b.w, b.h) for b in boxes if b.conf != 0]
    return detector_marks(rows, fps, feed=feed)


def detector_marks_from_track_points(
    points: np.ndarray, fps: float, *, first_frame: int = 0, feed: str | None = None
) -> list[Mark]:
    """Marks from stored track points: (N, >=6) rows ``track_id, frame, x1, y1, x2, y2``
    as returned by the store's ``clip_track_points`` (frames 0-based there)."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.size == 0:
        return []
    rows = [
        (int(f), int(t), x1, y1, x2 - x1, y2 - y1) for t, f, x1, y1, x2, y2 in pts[:, :6].tolist()
    ]
    return detector_marks(rows, fps, first_frame=first_frame, feed=feed)


def score_detector(
    reference: Mapping[str, GroundTruth] | GroundTruth,
    marks: Iterable[Mark],
    fps: float,
    min_visible_s: float = DEFAULT_MIN_VISIBLE_S,
) -> ScoreResult:
    """Score detector marks exactly like a trainee's (an alias that says what it is)."""
    return score(reference, marks, fps, min_visible_s)
