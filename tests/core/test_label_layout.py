"""Labels of boxes side by side do not cover one another."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.annotate import annotate
from dronewatch.label_layout import place_labels


def _overlap(a, b) -> int:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def test_a_lone_box_has_its_label_just_above_it() -> None:
    (rect,) = place_labels([(100, 50, 110, 70)], [(60, 14)], (640, 360))
    assert rect == (100, 35, 160, 49)


def test_a_box_at_the_top_edge_has_its_label_below_it_not_over_it() -> None:
    (rect,) = place_labels([(100, 2, 110, 22)], [(60, 14)], (640, 360))
    assert rect == (100, 23, 160, 37)


def test_five_walkers_side_by_side_get_five_labels_that_do_not_overlap() -> None:
    boxes = [(200 + 12 * k, 100, 208 + 12 * k, 118) for k in range(5)]
    rects = place_labels(boxes, [(60, 14)] * 5, (640, 360))
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert _overlap(a, b) == 0


def test_the_selected_track_keeps_the_place_above_its_box() -> None:
    frame = np.zeros((360, 640, 3), np.uint8)
    walkers = [
        TrackState(
            k + 1, (200.0 + 12 * k, 100.0, 208.0 + 12 * k, 118.0), 1.0, TargetClass.PERSON, True
        )
        for k in range(3)
    ]
    out = annotate(frame, walkers, selected=3)
    # The selected walker's label (green) sits just above his box, not stacked away.
    above = out[85:98, 226:240]
    assert (above == (60, 255, 60)).all(axis=2).any()
