"""Candidates: the detector's flags stay on their boxes through select and plus."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.candidates import Candidates


def test_flags_follow_their_boxes_through_select_and_plus() -> None:
    movers = Candidates.of(np.arange(8).reshape(2, 4), piece=np.array([False, True]))
    warm = Candidates.of(np.full((1, 4), 9.0), np.full(1, 0.5), hot=np.ones(1))
    both = movers.plus(warm)
    assert len(both) == 3
    assert both.xyxy.dtype == np.float32 and both.class_id.dtype == np.int16
    assert both.confidence.tolist() == [1.0, 1.0, 0.5]
    assert both.hot.tolist() == [False, False, True]
    kept = both.select(~both.piece)
    assert kept.xyxy[:, 0].tolist() == [0.0, 9.0] and kept.hot.tolist() == [False, True]
    sky = Candidates.of(np.ones((1, 4)), on_empty=np.ones(1))
    assert both.plus(sky).on_empty.tolist() == [False, False, False, True]
    assert both.plus(sky).select(np.array([0, 0, 1, 1], bool)).on_empty.tolist() == [False, True]
    assert len(Candidates.empty().plus(kept)) == 2
    found = Candidates.of(np.ones((1, 4)), heat=np.array([0.6]))
    joined = both.plus(found)
    assert joined.heat.tolist() == [0.0, 0.0, 0.0, np.float32(0.6)]
    assert joined.select(np.array([0, 0, 1, 1], bool)).heat.tolist() == [0.0, np.float32(0.6)]


def test_with_confidence_keeps_the_rest() -> None:
    boxes = Candidates.of(
        np.zeros((2, 4)),
        class_id=np.array([1, 0]),
        hot=np.array([1, 0]),
        on_empty=[0, 1],
        heat=np.array([0.0, 0.7]),
    )
    weaker = boxes.with_confidence(np.array([0.3, 0.4], np.float32))
    assert weaker.confidence.tolist() == [np.float32(0.3), np.float32(0.4)]
    assert weaker.class_id.tolist() == [1, 0] and weaker.hot.tolist() == [True, False]
    assert weaker.on_empty.tolist() == [False, True]
    assert weaker.heat.tolist() == [0.0, np.float32(0.7)]
