"""Labels of boxes side by side do not cover one another."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.annotate import OPERATOR_COLOR, annotate
from dronewatch.label_layout import place_labels


def _overlap(a, b) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _three_walkers() -> list[TrackState]:
    """Three walkers side by side, 12 px apart."""
    return [
        TrackState(
            k + 1, (200.0 + 12 * k, 100.0, 208.0 + 12 * k, 118.0), 1.0, TargetClass.PERSON, True
        )
        for k in range(3)
    ]


def test_a_lone_box_has_its_label_just_above_it() -> None:
    ((rect, short),) = place_labels([(100, 50, 110, 70)], [(60, 14)], (640, 360))
    assert rect == (100, 35, 160, 49) and not short


def test_a_box_at_the_top_edge_has_its_label_below_it_not_over_it() -> None:
    ((rect, _),) = place_labels([(100, 2, 110, 22)], [(60, 14)], (640, 360))
    assert rect == (100, 23, 160, 37)


def test_five_walkers_side_by_side_get_five_labels_that_do_not_overlap() -> None:
    boxes = [(200 + 12 * k, 100, 208 + 12 * k, 118) for k in range(5)]
    rects = [p.rect for p in place_labels(boxes, [(60, 14)] * 5, (640, 360))]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert _overlap(a, b) == 0


def test_the_selected_track_keeps_the_place_above_its_box() -> None:
    out = annotate(np.zeros((360, 640, 3), np.uint8), _three_walkers(), selected=3)
    # The selected walker's label (green) sits just above his box, not stacked away.
    above = out[85:98, 226:240]
    assert (above == (60, 255, 60)).all(axis=2).any()


def test_in_a_crowd_labels_fall_back_to_the_track_number_only_where_needed() -> None:
    # Sixty walkers 20 px apart in three rows: their full labels (60 px) cannot all
    # fit (61 pairs overlap), their numbers (16 px) can.
    boxes = [
        (20 + 20 * (k % 20), 100 + 20 * (k // 20), 28 + 20 * (k % 20), 116 + 20 * (k // 20))
        for k in range(60)
    ]
    places = place_labels(boxes, [(60, 14)] * 60, (640, 360), short_sizes=[(16, 14)] * 60)
    rects = [p.rect for p in places]
    assert all(_overlap(a, b) == 0 for i, a in enumerate(rects) for b in rects[i + 1 :])
    full_only = [p.rect for p in place_labels(boxes, [(60, 14)] * 60, (640, 360))]
    assert any(_overlap(a, b) for i, a in enumerate(full_only) for b in full_only[i + 1 :])
    # Where there is room (the rows' ends, the places above the first row) labels
    # stay whole.
    assert 10 <= sum(not p.short for p in places) < 60
    # A lone box keeps its full label.
    ((_, short),) = place_labels(
        [(300, 300, 310, 320)], [(60, 14)], (640, 360), short_sizes=[(16, 14)]
    )
    assert not short


def test_an_operator_mark_keeps_its_label_above_it_beside_tracks() -> None:
    mark = TrackState(0, (212.0, 100.0, 220.0, 118.0), 1.0, TargetClass.PERSON, True)
    out = annotate(np.zeros((360, 640, 3), np.uint8), _three_walkers(), operator=[mark])
    # The mark's label (cyan) takes the place just above the box, the tracks' move.
    above = out[85:98, 212:240]
    assert (above == OPERATOR_COLOR).all(axis=2).sum() > 100


def test_a_label_keeps_clear_of_text_the_viewer_paints_over_the_image() -> None:
    # The tile's analysis badge sits at the top right; a box just under it has its
    # label below it instead, where the viewer can read it.
    badge = (500, 20, 640, 40)
    ((rect, _),) = place_labels([(560, 45, 570, 65)], [(60, 14)], (640, 360), reserved=[badge])
    assert _overlap(rect, badge) == 0 and rect[1] > 65
    ((free, _),) = place_labels([(560, 45, 570, 65)], [(60, 14)], (640, 360))
    assert free[3] < 45  # without the badge: just above the box
