"""Score a whole training session: per feed, in total, in thirds, and the detector."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dronewatch.training.detector import detector_marks_from_track_points
from dronewatch.training.marks import Mark
from dronewatch.training.reference import GroundTruth
from dronewatch.training.results import ScoreResult, ThirdResult
from dronewatch.training.scoring import DEFAULT_MIN_VISIBLE_S, score_feed, vigilance_thirds
from dronewatch.training.session import TrainingSession


@dataclass(frozen=True)
class SessionScore:
    trainee: ScoreResult  # totals, with per-feed results in ``feeds``
    thirds: tuple[ThirdResult, ThirdResult, ThirdResult]
    detector: ScoreResult | None  # the automatic detector on the same footage
    unscored_feeds: tuple[str, ...]  # feeds without ground truth

    def summary(self) -> dict[str, object]:
        """JSON-ready figures kept with the session (for history and trends)."""
        t = self.trainee
        return {
            "hits": t.hits,
            "misses": t.misses,
            "false_alarms": t.false_alarms,
            "duplicates": t.duplicates,
            "hit_rate": t.hit_rate,
            "mean_reaction_s": t.mean_reaction_s,
            "median_reaction_s": t.median_reaction_s,
            "detector_hit_rate": self.detector.hit_rate if self.detector else None,
            "detector_false_alarms": self.detector.false_alarms if self.detector else None,
        }


def ground_truth_beside(video: str | Path) -> GroundTruth | None:
    """``NAME.gt.txt`` next to ``NAME.mp4`` (our simulator's ground truth), if any."""
    path = Path(video)
    gt = path.with_name(path.stem + ".gt.txt")
    return GroundTruth.load(gt) if gt.is_file() else None


def _combine(parts: list[tuple[str, ScoreResult]]) -> ScoreResult:
    targets = [t for _, r in parts for t in r.targets]
    marks = [m for _, r in parts for m in r.marks]
    duration = max((r.duration_s for _, r in parts), default=0.0)
    return ScoreResult.build(targets, marks, duration, feeds=tuple(parts))


def score_session(
    session: TrainingSession,
    fps: Mapping[str, float],
    references: Mapping[str, GroundTruth | None],
    detector_points: Mapping[str, np.ndarray] | None = None,
    min_visible_s: float = DEFAULT_MIN_VISIBLE_S,
) -> SessionScore:
    """Score every feed that has ground truth; ``detector_points`` are stored track
    points ``(track_id, frame, x1, y1, x2, y2, score)`` per feed (0-based frames)."""
    trainee_parts: list[tuple[str, ScoreResult]] = []
    detector_parts: list[tuple[str, ScoreResult]] = []
    unscored = []
    for feed in session.feeds:
        gt = references.get(feed)
        if gt is None or feed not in fps:
            unscored.append(feed)
            continue
        marks = [Mark(e.clock_s, e.x or 0.0, e.y or 0.0, feed) for e in session.marks(feed)]
        trainee_parts.append((feed, score_feed(gt, marks, fps[feed], min_visible_s, feed=feed)))
        points = (detector_points or {}).get(feed)
        if points is not None:
            machine = detector_marks_from_track_points(points, fps[feed], feed=feed)
            detector_parts.append(
                (feed, score_feed(gt, machine, fps[feed], min_visible_s, feed=feed))
            )
    total = _combine(trainee_parts)
    return SessionScore(
        trainee=total,
        thirds=vigilance_thirds(total),
        detector=_combine(detector_parts) if detector_parts else None,
        unscored_feeds=tuple(unscored),
    )
