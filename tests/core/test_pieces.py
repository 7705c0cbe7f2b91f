"""Small daylight blobs are pieces of targets, not targets: they join a tracked
target's box, continue a small target's track, and start none."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.blobs import BlobRules
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.config import TrackerConfig
from dronewatch.analysis.tracker import MultiTargetTracker

FPS = 25.0


def _walker(i: int) -> np.ndarray:
    """A 20 x 50 px walker moving right at 1 px a frame."""
    x = 100.0 + i
    return np.array([[x, 50, x + 20, 100]], np.float32)


def _step(tracker: MultiTargetTracker, boxes: np.ndarray, piece: list[bool] | None):
    return tracker.update(Candidates.of(boxes, piece=piece), np.eye(3))


def test_blobs_under_the_piece_area_are_flagged() -> None:
    mask = np.zeros((60, 80), np.uint8)
    mask[10:13, 10:13] = 255  # 9 px: a piece
    mask[20:28, 40:45] = 255  # 40 px: a target
    boxes, piece = BlobRules(4, 10_000, piece_area=14).boxes_and_pieces(mask, mask)
    by_piece = {bool(p): b.tolist() for b, p in zip(boxes, piece, strict=True)}
    assert by_piece == {True: [10, 10, 13, 13], False: [40, 20, 45, 28]}
    _, none = BlobRules(4, 10_000).boxes_and_pieces(mask, mask)
    assert not none.any(), "piece_area 0: every blob is a target"


def _walker_then_his_hand(piece: list[bool] | None):
    """A walker is tracked for 30 frames; then only a 4 x 3 px blob at his hand is
    seen for 5 frames (his body learnt into the background, say)."""
    tracker = MultiTargetTracker(TrackerConfig(template_rescue=False), FPS)
    for i in range(30):
        _step(tracker, _walker(i), None)
    out = []
    for i in range(30, 35):
        hand = np.array([[100.0 + i + 18, 72, 100.0 + i + 22, 75]], np.float32)
        out = _step(tracker, hand, piece)
    return tracker, out


def test_a_piece_does_not_take_a_walkers_track_over() -> None:
    tracker, out = _walker_then_his_hand([True])
    (track,) = tracker.tracks
    assert track.since_detection == 5, "the hand alone does not count as the walker"
    assert track.w > 15 and track.h > 40, "his box keeps his size"
    assert out == [], "nor is it reported as him"
    _, without = _walker_then_his_hand(None)
    (track,) = without
    assert track.measured is not None and track.measured[2] - track.measured[0] < 5, (
        "without the flag the hand's box is taken as the walker's"
    )


def test_a_piece_beside_a_walker_joins_his_box() -> None:
    tracker = MultiTargetTracker(TrackerConfig(template_rescue=False), FPS)
    for i in range(30):
        _step(tracker, _walker(i), None)
    body = _walker(30)
    foot = np.array([[130.0, 96, 134, 102]], np.float32)  # just below and right of him
    (track,) = _step(tracker, np.concatenate([body, foot]), [False, True])
    assert track.measured is not None
    assert track.measured[3] == 102, "the foot is part of his measured box"
    assert len(tracker.tracks) == 1, "and starts no track of its own"


def test_pieces_start_no_track() -> None:
    tracker = MultiTargetTracker(TrackerConfig(), FPS)
    for i in range(40):
        x = 50.0 + 1.5 * i  # flutter travelling along a tape
        _step(tracker, np.array([[x, 60, x + 4, 63]], np.float32), [True])
    assert tracker.tracks == []


def test_a_small_target_seen_faintly_keeps_its_track() -> None:
    """A 3 x 7 px walker far off, tracked, then seen for 20 frames only as blobs under
    the piece area: its track goes on (its box is under piece_track_max_area)."""
    tracker = MultiTargetTracker(TrackerConfig(template_rescue=False), FPS)
    ids = set()
    for i in range(50):
        x = 40.0 + 0.5 * i
        faint = 20 <= i < 40
        out = _step(tracker, np.array([[x, 30, x + 3, 37]], np.float32), [faint])
        if i >= 10:
            assert len(out) == 1, f"frame {i}"
            assert out[0].since_detection == 0
            ids.add(out[0].track_id)
    assert len(ids) == 1
