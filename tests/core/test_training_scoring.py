"""Scoring rules on hand-built ground truth, with exact expected numbers."""

from __future__ import annotations

import pytest

from dronewatch.errors import DroneWatchError
from dronewatch.sim.groundtruth import GTBox
from dronewatch.training import (
    GroundTruth,
    Mark,
    score,
    target_under,
    vigilance_thirds,
)

FPS = 10.0


def boxes(
    target: int,
    frames: range,
    x: float,
    y: float,
    w: float = 20,
    h: float = 10,
    *,
    cls: int = 2,
    conf: int = 1,
):
    """``target``'s box at (x, y, w, h) in each 1-based frame of ``frames``."""
    return [GTBox(f, target, cls, x, y, w, h, 1.0, conf=conf) for f in frames]


@pytest.fixture
def gt() -> GroundTruth:
    # Target 1: frames 1..30 (0.0 s .. 2.9 s), box x 100..120, y 100..110.
    # Target 2: frames 11..40 (first seen 1.0 s), box x 300..320, y 200..210.
    # Target 3: frames 21..25 only (0.5 s visible: not counted at min-visible 1 s).
    return GroundTruth.from_boxes(
        boxes(1, range(1, 31), 100, 100)
        + boxes(2, range(11, 41), 300, 200)
        + boxes(3, range(21, 26), 500, 300)
    )


def test_hit_duplicate_false_alarm_and_miss(gt: GroundTruth) -> None:
    marks = [Mark(0.5, 110, 105), Mark(0.8, 112, 104), Mark(1.0, 10, 10)]
    r = score(gt, marks, FPS)
    assert (r.hits, r.duplicates, r.false_alarms, r.misses, r.uncounted) == (1, 1, 1, 1, 0)
    assert [t.id for t in r.targets] == [1, 2]
    assert r.targets[0].marked_s == 0.5 and r.targets[0].reaction_s == 0.5
    assert r.targets[1].marked_s is None and r.targets[1].reaction_s is None
    assert [m.outcome for m in r.marks] == ["hit", "duplicate", "false_alarm"]


def test_reaction_time_from_first_visible_frame(gt: GroundTruth) -> None:
    r = score(gt, [Mark(2.3, 310, 205)], FPS)
    target = r.targets[1]
    assert target.first_seen_s == 1.0  # first GT frame 11 -> index 10 -> 1.0 s
    assert target.reaction_s == pytest.approx(1.3)
    assert r.mean_reaction_s == pytest.approx(1.3) and r.median_reaction_s == pytest.approx(1.3)


@pytest.mark.parametrize(
    ("x", "y", "hit"),
    [
        (92, 105, True),  # left edge grown by 8 px: inside
        (91, 105, False),  # 9 px out: outside
        (128, 105, True),  # right edge (120) + 8
        (129, 105, False),
        (110, 92, True),  # top edge (100) - 8
        (110, 91, False),
        (110, 118, True),  # bottom edge (110) + 8
        (110, 119, False),
        (128, 118, True),  # grown corner
    ],
)
def test_grown_box_edges(gt: GroundTruth, x: float, y: float, hit: bool) -> None:
    r = score(gt, [Mark(0.5, x, y)], FPS)
    assert (r.hits, r.false_alarms) == ((1, 0) if hit else (0, 1))


@pytest.mark.parametrize(
    ("time", "frame_index"),
    [(0.0, 0), (0.04, 0), (0.05, 1), (0.06, 1), (0.14, 1), (0.15, 2), (2.94, 29)],
)
def test_nearest_frame(time: float, frame_index: int) -> None:
    assert Mark(time, 0, 0).frame_index(FPS) == frame_index


def test_decimal_halves_round_up_despite_binary_floats() -> None:
    assert 0.58 * 25 < 14.5  # 14.499999999999998
    assert Mark(0.58, 0, 0).frame_index(25) == 15
    assert Mark(0.5799, 0, 0).frame_index(25) == 14


def test_nearest_frame_decides_the_hit() -> None:
    # Target only in GT frames 5..20 (indices 4..19); marks just either side of 3.5/4.5.
    gt = GroundTruth.from_boxes(boxes(1, range(5, 21), 0, 0))
    early, late = Mark(0.34, 5, 5), Mark(0.35, 5, 5)  # index 3 (no box) and 4 (box)
    assert score(gt, [early], FPS).false_alarms == 1
    r = score(gt, [late], FPS)
    assert r.hits == 1 and r.targets[0].reaction_s == pytest.approx(-0.05)
    assert score(gt, [Mark(1.95, 5, 5)], FPS).false_alarms == 1  # index 20 -> GT frame 21


def test_min_visible_excludes_brief_targets(gt: GroundTruth) -> None:
    r = score(gt, [Mark(2.2, 510, 305)], FPS)
    assert 3 not in [t.id for t in r.targets]
    assert (r.hits, r.false_alarms, r.uncounted, r.misses) == (0, 0, 1, 2)
    assert r.marks[0].outcome == "uncounted" and r.marks[0].target_id == 3
    # With a lower threshold target 3 counts: 0.5 s visible >= 0.5 s.
    low = score(gt, [Mark(2.2, 510, 305)], FPS, min_visible_s=0.5)
    assert (low.hits, low.misses, low.uncounted) == (1, 2, 0)
    assert low.targets[2].reaction_s == pytest.approx(0.2)
    # Exactly 1 s (10 frames at 10 fps) counts.
    ten = GroundTruth.from_boxes(boxes(1, range(1, 11), 0, 0))
    assert score(ten, [], FPS).misses == 1
    nine = GroundTruth.from_boxes(boxes(1, range(1, 10), 0, 0))
    assert score(nine, [], FPS).misses == 0


def test_visible_time_counts_frames_not_span() -> None:
    # Seen in frames 1..6 and 30..35: 12 frames = 1.2 s although it spans 3.5 s.
    gt = GroundTruth.from_boxes(boxes(1, range(1, 7), 0, 0) + boxes(1, range(30, 36), 0, 0))
    assert gt.visible_s(1, FPS) == pytest.approx(1.2)
    assert score(gt, [], FPS, min_visible_s=1.3).misses == 0


def test_zero_visibility_rows_are_not_visible() -> None:
    rows = [GTBox(f, 1, 2, 0, 0, 10, 10, 0.0 if f <= 10 else 1.0) for f in range(1, 31)]
    gt = GroundTruth.from_boxes(rows)
    assert gt.first_seen_s(1, FPS) == 1.0
    assert score(gt, [Mark(0.5, 5, 5)], FPS).false_alarms == 1


def test_median_and_mean_over_several_hits() -> None:
    gt = GroundTruth.from_boxes(
        boxes(1, range(1, 51), 0, 0)
        + boxes(2, range(1, 51), 100, 0)
        + boxes(3, range(1, 51), 200, 0)
    )
    marks = [Mark(1.0, 5, 5), Mark(2.0, 105, 5), Mark(4.5, 205, 5)]
    r = score(gt, marks, FPS)
    assert r.hits == 3
    assert r.mean_reaction_s == pytest.approx(2.5)
    assert r.median_reaction_s == pytest.approx(2.0)
    four = score(gt, [*marks[:2], Mark(2.0, 205, 5)], FPS)
    assert four.median_reaction_s == pytest.approx(2.0)
    even = GroundTruth.from_boxes(boxes(1, range(1, 51), 0, 0) + boxes(2, range(1, 51), 100, 0))
    r2 = score(even, [Mark(1.0, 5, 5), Mark(2.0, 105, 5)], FPS)
    assert r2.median_reaction_s == pytest.approx(1.5)


def test_no_hits_gives_null_reaction(gt: GroundTruth) -> None:
    r = score(gt, [], FPS)
    assert r.mean_reaction_s is None and r.median_reaction_s is None
    doc = r.to_dict()
    assert doc["mean_reaction_s"] is None and doc["median_reaction_s"] is None
    assert doc["targets"] == [
        {"id": 1, "first_seen_s": 0.0, "marked_s": None, "reaction_s": None},
        {"id": 2, "first_seen_s": 1.0, "marked_s": None, "reaction_s": None},
    ]


def test_overlapping_boxes_go_to_the_nearest_centre() -> None:
    # Box 1 x 100..120 (centre 110), box 2 x 116..136 (centre 126); both y 100..110.
    gt = GroundTruth.from_boxes(boxes(1, range(1, 31), 100, 100) + boxes(2, range(1, 31), 116, 100))
    assert target_under(gt, Mark(0.5, 117, 105), FPS) == 1  # 7 from 110, 9 from 126
    assert target_under(gt, Mark(0.5, 119, 105), FPS) == 2  # 9 from 110, 7 from 126
    assert target_under(gt, Mark(0.5, 118, 105), FPS) == 1  # tie: the lower id
    assert target_under(gt, Mark(0.5, 90, 105), FPS) is None
    r = score(gt, [Mark(0.5, 119, 105), Mark(0.6, 117, 105)], FPS)
    assert (r.hits, r.duplicates) == (2, 0)


def test_marks_are_taken_in_time_order(gt: GroundTruth) -> None:
    r = score(gt, [Mark(0.9, 110, 105), Mark(0.3, 110, 105)], FPS)
    assert r.targets[0].marked_s == 0.3
    assert [m.outcome for m in r.marks] == ["hit", "duplicate"]


def test_mark_after_the_reference_is_a_false_alarm(gt: GroundTruth) -> None:
    r = score(gt, [Mark(60.0, 110, 105)], FPS)
    assert r.false_alarms == 1


def test_per_feed() -> None:
    a = GroundTruth.from_boxes(boxes(1, range(1, 31), 100, 100))
    b = GroundTruth.from_boxes(boxes(1, range(11, 41), 100, 100) + boxes(2, range(1, 41), 0, 0))
    marks = [
        Mark(0.5, 110, 105, "a"),
        Mark(1.5, 110, 105, "b"),  # target 1 of b: seen at 1.0 s
        Mark(0.4, 110, 105, "b"),  # index 4: target 1 of b not there yet
        Mark(0.7, 110, 105, "a"),
    ]
    r = score({"a": a, "b": b}, marks, FPS)
    assert (r.hits, r.misses, r.false_alarms, r.duplicates) == (2, 1, 1, 1)
    assert r.feed("a").hits == 1 and r.feed("a").duplicates == 1
    assert (r.feed("b").hits, r.feed("b").misses, r.feed("b").false_alarms) == (1, 1, 1)
    assert r.feed("b").targets[0].reaction_s == pytest.approx(0.5)
    assert [(t.feed, t.id) for t in r.targets] == [("a", 1), ("b", 1), ("b", 2)]
    assert r.mean_reaction_s == pytest.approx(0.5)
    doc = r.to_dict()
    assert set(doc["feeds"]) == {"a", "b"} and doc["targets"][1]["feed"] == "b"


@pytest.mark.parametrize("feed", [None, "c"])
def test_per_feed_refuses_unknown_feed(feed: str | None) -> None:
    a = GroundTruth.from_boxes(boxes(1, range(1, 31), 100, 100))
    with pytest.raises(DroneWatchError, match="line 7"):
        score({"a": a}, [Mark(0.5, 1, 1, feed, 7)], FPS)


def test_single_reference_ignores_feed(gt: GroundTruth) -> None:
    assert score(gt, [Mark(0.5, 110, 105, "anything")], FPS).hits == 1


def test_thirds() -> None:
    # 30 s at 10 fps; targets appear at 0 s, 5 s (third 1), 12 s (third 2), 25 s, 29 s (3).
    starts = {1: 0.0, 2: 5.0, 3: 12.0, 4: 25.0, 5: 29.0}
    rows = []
    for tid, start in starts.items():
        first = round(start * FPS) + 1
        rows += boxes(tid, range(first, 301), 100 * tid, 0)
    gt = GroundTruth.from_boxes(rows)
    marks = [
        Mark(1.0, 105, 5),  # target 1, reaction 1.0
        Mark(8.0, 205, 5),  # target 2, reaction 3.0
        Mark(15.0, 900, 300),  # false alarm in third 2
        Mark(27.0, 405, 5),  # target 4, reaction 2.0
    ]
    r = score(gt, marks, FPS)
    assert r.duration_s == 30.0
    t1, t2, t3 = vigilance_thirds(r)
    assert (t1.start_s, t1.end_s, t2.end_s, t3.end_s) == (0.0, 10.0, 20.0, 30.0)
    assert (t1.targets, t1.hits, t1.hit_rate, t1.mean_reaction_s) == (2, 2, 1.0, 2.0)
    assert (t2.targets, t2.hits, t2.hit_rate, t2.mean_reaction_s) == (1, 0, 0.0, None)
    assert t2.false_alarms == 1 and t1.false_alarms == 0
    assert (t3.targets, t3.hits, t3.hit_rate, t3.mean_reaction_s) == (2, 1, 0.5, 2.0)
    # An explicit duration moves the boundaries.
    a, b, c = vigilance_thirds(r, duration_s=15.0)
    assert (a.targets, b.targets, c.targets) == (1, 1, 3)  # 0 | 5 | 12, 25, 29 s


def test_empty_reference_is_valid() -> None:
    gt = GroundTruth.from_boxes([])
    r = score(gt, [Mark(1.0, 5, 5)], FPS)
    assert (r.hits, r.misses, r.false_alarms, r.hit_rate) == (0, 0, 1, None)


@pytest.mark.parametrize(("fps", "min_visible"), [(0.0, 1.0), (float("nan"), 1.0), (25.0, -1.0)])
def test_bad_parameters(gt: GroundTruth, fps: float, min_visible: float) -> None:
    with pytest.raises(DroneWatchError):
        score(gt, [], fps, min_visible)


def dont_care(target: int, frames: range, x: float, y: float, w: float = 20, h: float = 10):
    """Like :func:`boxes` but conf 0: a vehicle that has not moved yet."""
    return boxes(target, frames, x, y, w, h, cls=1, conf=0)


@pytest.fixture
def parked() -> GroundTruth:
    # Target 1: frames 1..30 at x 100..120 (counted throughout).
    # Target 5: conf 0 in frames 1..40 (parked), box x 300..320, y 200..210.
    # Target 6: conf 0 in frames 1..14, conf 1 from frame 15 (1.4 s) to 40, x 500..520.
    return GroundTruth.from_boxes(
        boxes(1, range(1, 31), 100, 100)
        + dont_care(5, range(1, 41), 300, 200)
        + dont_care(6, range(1, 15), 500, 300)
        + boxes(6, range(15, 41), 500, 300)
    )


def test_target_with_only_dont_care_rows_is_not_a_target(parked: GroundTruth) -> None:
    r = score(parked, [Mark(0.5, 110, 105)], FPS)
    assert [t.id for t in r.targets] == [1, 6]
    assert (r.hits, r.misses, r.false_alarms, r.uncounted) == (1, 1, 0, 0)
    assert parked.target_ids == (1, 6) and parked.last_frame == 40


def test_mark_on_dont_care_box_is_neutral(parked: GroundTruth) -> None:
    marks = [Mark(0.5, 310, 205), Mark(3.5, 312, 204), Mark(0.2, 505, 305)]
    r = score(parked, marks, FPS)
    assert (r.hits, r.false_alarms, r.duplicates, r.uncounted) == (0, 0, 0, 3)
    assert [(m.outcome, m.target_id) for m in r.marks] == [
        ("uncounted", 6),
        ("uncounted", 5),
        ("uncounted", 5),
    ]
    assert target_under(parked, Mark(0.5, 310, 205), FPS) is None
    assert target_under(parked, Mark(0.5, 310, 205), FPS, dont_care=True) == 5
    # the mark before target 6 moved does not use up its hit: a later mark still hits
    later = score(parked, [Mark(0.2, 505, 305), Mark(2.0, 505, 305)], FPS)
    assert [m.outcome for m in later.marks] == ["uncounted", "hit"]


def test_target_counts_from_its_first_conf_1_frame(parked: GroundTruth) -> None:
    r = score(parked, [Mark(2.0, 510, 305)], FPS)
    target = next(t for t in r.targets if t.id == 6)
    assert target.first_seen_s == 1.4  # first conf 1 frame 15 -> index 14 -> 1.4 s
    assert target.visible_s == pytest.approx(2.6)  # 26 conf 1 frames
    assert target.reaction_s == pytest.approx(0.6)
    # min-visible counts conf 1 frames only: 2.6 s is too short at 3 s
    assert 6 not in [t.id for t in score(parked, [], FPS, min_visible_s=3.0).targets]


def test_counted_box_wins_over_a_nearer_dont_care_box() -> None:
    gt = GroundTruth.from_boxes(
        boxes(1, range(1, 21), 100, 100) + dont_care(2, range(1, 21), 104, 100)
    )
    r = score(gt, [Mark(0.5, 123, 105)], FPS)  # nearer target 2's centre, inside both
    assert [(m.outcome, m.target_id) for m in r.marks] == [("hit", 1)]


def test_session_score_with_dont_care_rows_beside_the_video(tmp_path) -> None:
    from dronewatch.training.session import TrainingSession
    from dronewatch.training.session_score import ground_truth_beside, score_session

    video = str(tmp_path / "clip.mp4")
    rows = [f"{f},1,100,100,20,10,0,1,1.0" for f in range(1, 41)]  # parked
    rows += [f"{f},2,300,200,20,10,{int(f >= 11)},2,1.0" for f in range(1, 41)]  # moves at 1 s
    (tmp_path / "clip.gt.txt").write_text("\n".join(rows) + "\n")
    session = TrainingSession("trainee", [video])
    session.record("mark", 0.5, feed=video, x=110.0, y=105.0)  # the parked vehicle
    session.record("mark", 0.6, feed=video, x=310.0, y=205.0)  # target 2 before it moves
    session.record("mark", 1.8, feed=video, x=310.0, y=205.0)  # ... and after
    result = score_session(session, {video: FPS}, {video: ground_truth_beside(video)})
    t = result.trainee
    assert (t.hits, t.misses, t.false_alarms, t.uncounted) == (1, 0, 0, 2)
    assert t.targets[0].id == 2 and t.targets[0].reaction_s == pytest.approx(0.8)
