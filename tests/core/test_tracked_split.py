"""Two tracked walkers who touch keep a box each: their blob is cut between them."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.blobs import BlobRules, TrackedSplit


def _pair(overlap: int) -> np.ndarray:
    """Two 8 x 30 px upright figures, the right one ``overlap`` px in front of the left:
    one blob with no dip in its column profile."""
    mask = np.zeros((50, 60), np.uint8)
    mask[10:40, 20:28] = 255
    mask[12:42, 28 - overlap : 36 - overlap] = 255
    return mask


def _boxes(
    mask: np.ndarray,
    walkers: list[tuple[float, float, float, float]],
    velocity: np.ndarray | None = None,
) -> list:
    velocity = np.zeros((len(walkers), 2), np.float32) if velocity is None else velocity
    rules = BlobRules(
        4,
        10_000,
        tracked_split=TrackedSplit.of(np.array(walkers, np.float32).reshape(-1, 4), velocity, 0.5),
    )
    return sorted(rules.boxes(mask, mask).tolist())


def test_a_blob_over_two_tracked_walkers_is_cut_between_them() -> None:
    boxes = _boxes(_pair(2), [(20, 10, 28, 40), (26, 12, 34, 42)])
    assert len(boxes) == 2
    (a0, a1, a2, a3), (b0, b1, b2, b3) = boxes
    assert a0 == 20 and a2 <= b0 and b2 == 34, "each box holds one walker"
    assert 24 <= a2 <= 28 and 24 <= b0 <= 28, "cut between the two centres"
    assert a3 - a1 >= 28 and b3 - b1 >= 28, "each keeps a walker's height"


def test_one_walker_or_a_third_stays_one_blob() -> None:
    mask = _pair(2)
    assert len(_boxes(mask, [(20, 10, 28, 40)])) == 1
    assert len(_boxes(mask, [])) == 1
    three = [(20, 10, 28, 40), (26, 12, 34, 42), (23, 11, 31, 41)]
    assert len(_boxes(mask, three)) == 1, "three tracks in one blob: no guess at two cuts"


def test_two_tracks_on_one_walker_do_not_cut_him() -> None:
    """Twin tracks (a fragment's) sit less than half a width apart."""
    boxes = _boxes(_pair(8), [(20, 10, 28, 40), (22, 10, 30, 40)])
    assert len(boxes) == 1


def test_two_walkers_crossing_are_left_to_the_tracker() -> None:
    """Walking towards each other, a cut at the narrowest column would hand each the
    other's side: their identities swap."""
    walkers = [(20, 10, 28, 40), (26, 12, 34, 42)]
    together = np.array([[1.0, 0.1], [1.1, 0.0]], np.float32)
    crossing = np.array([[1.0, 0.1], [-1.0, 0.0]], np.float32)
    assert len(_boxes(_pair(2), walkers, together)) == 2
    assert len(_boxes(_pair(2), walkers, crossing)) == 1
