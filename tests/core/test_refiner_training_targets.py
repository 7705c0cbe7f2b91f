"""The window refiner's training targets (benchmarks/train_window_refiner.py): what the
model is taught decodes back to the ground-truth box from the cell it peaks on."""

import numpy as np

from benchmarks.train_window_refiner import box_targets, target_maps
from dronewatch.analysis.window_refiner import STRIDE, decode

WALKER = (10.0, 10.0, 14.5, 18.0)  # window px: 4.5 wide, 8 tall, centre (12.25, 14)


def _decoded_from(cell: tuple[int, int], maps: np.ndarray) -> np.ndarray:
    """The box decode() reads when the heat peaks on ``cell`` (row, column) and the
    other maps say what the targets teach there."""
    output = np.zeros((1, 5, *maps.shape[-2:]), np.float32)
    output[0, 0] = -10.0
    output[0, 0, cell[0], cell[1]] = 10.0
    output[0, 1:5] = maps[0, 1:5]
    boxes, _ = decode(output, np.zeros((1, 2), np.int32), 0.5)
    assert len(boxes) == 1
    return boxes[0]


def test_every_cell_around_a_centre_decodes_to_the_walker() -> None:
    maps = box_targets(target_maps([np.array([[*WALKER, 1]], np.float32)]), 0.5)
    cy, cx = int(14 // STRIDE), int(12.25 // STRIDE)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            box = _decoded_from((cy + dy, cx + dx), maps)
            np.testing.assert_allclose(box, WALKER, atol=1e-4)
    weight = maps[0, 6]
    assert weight[cy, cx] == 1.0
    assert weight[cy - 1, cx + 1] == 0.5
    assert weight.sum() == 1.0 + 8 * 0.5  # nothing taught away from the walker


def test_a_cell_between_two_walkers_keeps_one_of_them() -> None:
    other = (14.5, 10.0, 19.0, 18.0)  # the next walker, 4.5 px to the right
    maps = box_targets(target_maps([np.array([[*WALKER, 1], [*other, 1]], np.float32)]), 0.5)
    for cell in zip(*np.nonzero(maps[0, 6]), strict=True):
        box = _decoded_from(cell, maps)
        near = min(np.abs(box - np.array(w)).max() for w in (WALKER, other))
        assert near < 1e-4, (cell, box)


def test_dont_care_targets_teach_no_box() -> None:
    maps = box_targets(target_maps([np.array([[*WALKER, 0]], np.float32)]), 0.5)
    assert not maps[0, 6].any()
    assert not maps[0, 0].any()


def test_centres_only_without_neighbour_weight() -> None:
    maps = box_targets(target_maps([np.array([[*WALKER, 1]], np.float32)]), 0.0)
    assert maps[0, 6].sum() == 1.0


def test_maps_kept_in_half_precision_teach_the_same_boxes() -> None:
    maps = target_maps([np.array([[*WALKER, 1]], np.float32)])
    full = box_targets(maps, 0.5)
    half = box_targets(maps.astype(np.float16), 0.5)
    assert half.dtype == np.float32
    np.testing.assert_allclose(half, full, atol=2e-3)
