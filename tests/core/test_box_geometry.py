"""Box relations shared by the detector, the model merge and the tracker."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.box_geometry import centres_inside, iou_matrix


def test_centres_inside_counts_edges_and_the_margin() -> None:
    containers = np.array([[0, 0, 10, 10], [20, 0, 30, 10]], np.float32)
    # Centres (5, 5), (10, 5) on the first's edge, (11, 5) just outside both.
    boxes = np.array([[4, 4, 6, 6], [9, 4, 11, 6], [10, 4, 12, 6]], np.float32)
    assert centres_inside(boxes, containers).tolist() == [
        [True, False],
        [True, False],
        [False, False],
    ]
    assert centres_inside(boxes, containers, margin=1.0)[:, 0].tolist() == [True] * 3
    assert centres_inside(boxes, containers[:0]).shape == (3, 0)


def test_iou_matrix() -> None:
    a = np.array([[0, 0, 10, 10]], np.float64)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], np.float64)
    assert np.allclose(iou_matrix(a, b), [[1.0, 50 / 150, 0.0]])
    assert iou_matrix(a, b[:0]).shape == (1, 0)
