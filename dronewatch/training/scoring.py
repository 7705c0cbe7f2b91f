"""Scoring trainee marks against ground truth.

The rules (shared by ``dronewatch score`` and the GUI):

- A mark at ``time`` looks at the frame nearest to it: index ``floor(time * fps + 0.5)``
  (0-based; halves round up), i.e. ground-truth frame ``index + 1``.
- It lands on a target when it falls inside that target's box grown by
  :data:`GROW_PX` pixels on each side (edges included). When it falls inside several
  grown boxes, the target whose box centre is nearest to the mark takes it (ties: the
  lower id).
- A target is *counted* when it is to be found (has conf 1 ground-truth rows) for at
  least ``min_visible_s`` seconds in all (frames with a conf 1 row / fps). The first mark
  on a counted target is its hit; later marks on it are duplicates; a counted target
  never marked is a miss. A mark landing on a target that is not counted is
  *uncounted*: neither a hit nor a false alarm (too brief a glimpse to blame or credit
  anyone). A mark on no target is a false alarm.
- Conf 0 rows are "don't care" (MOTChallenge; our simulator's targets that have not
  yet moved, e.g. parked vehicles): a target with only conf 0 rows is not counted, and
  a mark that lands on no conf 1 box but on a conf 0 box is *uncounted* too. Conf 1
  boxes are looked at first, so a mark on a target beside a parked car still hits it.
- Marks are taken in time order. Reaction time of a hit = mark time - the time the
  target became one to find (its first conf 1 ground-truth frame index / fps).

>>> from dronewatch.sim.groundtruth import GTBox
>>> gt = GroundTruth.from_boxes(GTBox(f, 1, 2, 100, 50, 10, 20, 1.0) for f in range(1, 51))
>>> result = score(gt, [Mark(0.5, 104, 60), Mark(0.6, 300, 300)], fps=25)
>>> result.hits, result.false_alarms, result.mean_reaction_s
(1, 1, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from dronewatch.errors import DroneWatchError
from dronewatch.training.marks import Mark
from dronewatch.training.reference import GroundTruth
from dronewatch.training.results import MarkResult, ScoreResult, TargetResult, ThirdResult

GROW_PX = 8.0
DEFAULT_MIN_VISIBLE_S = 1.0


def target_under(
    gt: GroundTruth,
    mark: Mark,
    fps: float,
    grow_px: float = GROW_PX,
    *,
    dont_care: bool = False,
) -> int | None:
    """The id of the target the mark lands on in its nearest frame, or None. Only conf 1
    boxes are looked at; with ``dont_care``, only conf 0 ones."""
    best: tuple[float, int] | None = None
    for box in gt.boxes_at(mark.frame_index(fps) + 1):
        if (box.conf == 0) != dont_care:
            continue
        inside = (
            box.x - grow_px <= mark.x <= box.x + box.w + grow_px
            and box.y - grow_px <= mark.y <= box.y + box.h + grow_px
        )
        if not inside:
            continue
        dist = math.hypot(mark.x - (box.x + box.w / 2), mark.y - (box.y + box.h / 2))
        if best is None or (dist, box.id) < best:
            best = (dist, box.id)
    return None if best is None else best[1]


def _check(fps: float, min_visible_s: float) -> None:
    if not (math.isfinite(fps) and fps > 0):
        raise DroneWatchError(f"bad fps {fps}: must be a positive number")
    if not (math.isfinite(min_visible_s) and min_visible_s >= 0):
        raise DroneWatchError(f"bad minimum visible time {min_visible_s}: must be >= 0")


def score_feed(
    gt: GroundTruth,
    marks: Iterable[Mark],
    fps: float,
    min_visible_s: float = DEFAULT_MIN_VISIBLE_S,
    *,
    feed: str | None = None,
) -> ScoreResult:
    """Score the marks of one feed against its ground truth (rules in the module doc)."""
    _check(fps, min_visible_s)
    # A tiny tolerance so that "exactly 1 s" at 25 fps (25 frames) counts despite floats.
    counted = {i for i in gt.target_ids if gt.visible_s(i, fps) >= min_visible_s - 1e-9}
    hit_at: dict[int, float] = {}
    outcomes: list[MarkResult] = []
    for mark in sorted(marks, key=lambda m: m.time_s):
        target = target_under(gt, mark, fps)
        if target is None:
            ignored = target_under(gt, mark, fps, dont_care=True)
            if ignored is None:
                outcomes.append(MarkResult(mark, "false_alarm", None))
            else:
                outcomes.append(MarkResult(mark, "uncounted", ignored))
        elif target not in counted:
            outcomes.append(MarkResult(mark, "uncounted", target))
        elif target in hit_at:
            outcomes.append(MarkResult(mark, "duplicate", target))
        else:
            hit_at[target] = mark.time_s
            outcomes.append(MarkResult(mark, "hit", target))
    targets = []
    for i in sorted(counted):
        seen = gt.first_seen_s(i, fps)
        marked = hit_at.get(i)
        reaction = None if marked is None else marked - seen
        targets.append(TargetResult(i, seen, gt.visible_s(i, fps), marked, reaction, feed))
    last_mark = max((m.mark.time_s for m in outcomes), default=0.0)
    return ScoreResult.build(targets, outcomes, max(gt.last_frame / fps, last_mark))


def score(
    reference: Mapping[str, GroundTruth] | GroundTruth,
    marks: Iterable[Mark],
    fps: float,
    min_visible_s: float = DEFAULT_MIN_VISIBLE_S,
) -> ScoreResult:
    """Score marks against one ground truth, or against one per feed.

    With a single :class:`GroundTruth` every mark is scored against it (a ``feed`` on
    the marks is ignored). With a mapping ``feed name -> GroundTruth`` each mark goes to
    the feed it names; a mark without a feed, or naming a feed not in the mapping, is an
    error. The totals then add up the feeds, and ``result.feed(name)`` gives each one.
    """
    if isinstance(reference, GroundTruth):
        return score_feed(reference, marks, fps, min_visible_s)
    _check(fps, min_visible_s)
    per_feed: dict[str, list[Mark]] = {name: [] for name in reference}
    for mark in marks:
        if mark.feed not in per_feed:
            where = f"line {mark.line}: " if mark.line is not None else ""
            known = ", ".join(reference) or "none"
            what = "has no feed" if mark.feed is None else f"names unknown feed {mark.feed!r}"
            raise DroneWatchError(f"{where}mark {what} (feeds: {known})")
        per_feed[mark.feed].append(mark)
    feeds = tuple(
        (name, score_feed(gt, per_feed[name], fps, min_visible_s, feed=name))
        for name, gt in reference.items()
    )
    targets = [t for _name, r in feeds for t in r.targets]
    outcomes = sorted((m for _name, r in feeds for m in r.marks), key=lambda m: m.mark.time_s)
    duration = max((r.duration_s for _name, r in feeds), default=0.0)
    return ScoreResult.build(targets, outcomes, duration, feeds)


def vigilance_thirds(
    result: ScoreResult, duration_s: float | None = None
) -> tuple[ThirdResult, ThirdResult, ThirdResult]:
    """Split a session into three equal spans of time and score each: targets by when
    they first became visible, false alarms by when they were made. ``duration_s``
    defaults to the session's (the later of the last ground-truth frame and last mark).

    >>> thirds = vigilance_thirds(ScoreResult.build([], [], 30.0))
    >>> [(t.start_s, t.end_s, t.hit_rate) for t in thirds]
    [(0.0, 10.0, None), (10.0, 20.0, None), (20.0, 30.0, None)]
    """
    total = result.duration_s if duration_s is None else duration_s
    if not (math.isfinite(total) and total >= 0):
        raise DroneWatchError(f"bad session duration {total}: must be >= 0")
    span = total / 3

    def third_of(t: float) -> int:
        return min(2, int(t // span)) if span > 0 else 0

    out = []
    for k in range(3):
        targets = [t for t in result.targets if third_of(t.first_seen_s) == k]
        reactions = [t.reaction_s for t in targets if t.reaction_s is not None]
        false_alarms = sum(
            m.outcome == "false_alarm" and third_of(m.mark.time_s) == k for m in result.marks
        )
        out.append(
            ThirdResult(
                index=k,
                start_s=k * span,
                end_s=(k + 1) * span,
                targets=len(targets),
                hits=len(reactions),
                false_alarms=false_alarms,
                hit_rate=len(reactions) / len(targets) if targets else None,
                mean_reaction_s=sum(reactions) / len(reactions) if reactions else None,
            )
        )
    return out[0], out[1], out[2]
