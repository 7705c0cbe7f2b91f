"""Marking a target by hand: drag a box, it is followed through playback, E logs it."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QPoint, Qt

from dronewatch.sim.groundtruth import read_mot
from dronewatch.store import SightingsReader
from dronewatch.store.records import SightingSource
from tests.ui.conftest import open_analysed_clip, wait_settled


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def test_a_dragged_box_follows_its_target_for_two_seconds_and_is_logged(
    qtbot, window, sim_clip
) -> None:
    start_s = 0.5
    feed = open_analysed_clip(qtbot, window, sim_clip, at=start_s)
    tile = feed.tile
    start = tile.shown_index
    by_target: dict[int, dict[int, tuple[float, ...]]] = defaultdict(dict)
    for b in read_mot(sim_clip.with_name("day-pan.gt.txt")):
        if b.visibility >= 0.99:
            by_target[b.id][b.frame - 1] = (b.x, b.y, b.x + b.w, b.y + b.h)
    # A fully visible target from now until 2.4 s later, big enough to drag around.
    end = start + 60
    candidates = [
        boxes
        for boxes in by_target.values()
        if all(f in boxes for f in range(start, end + 1))
        and (boxes[start][2] - boxes[start][0]) >= 8
    ]
    assert candidates, "the simulated clip has no target to mark"
    truth = max(candidates, key=lambda b: (b[start][2] - b[start][0]) * (b[start][3] - b[start][1]))
    rect = tile.frame_rect_of(truth[start]).adjusted(-1, -1, 1, 1)
    top_left, bottom_right = rect.topLeft().toPoint(), rect.bottomRight().toPoint()
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton, pos=top_left)
    qtbot.mouseMove(tile, top_left + QPoint(4, 4))
    qtbot.mouseMove(tile, bottom_right)
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton, pos=bottom_right)
    assert feed.feed_id in window.marks.marks, "the drag did not start a mark"

    window.play()
    qtbot.waitUntil(lambda: window.clock.position() >= start_s + 2.2, timeout=10_000)
    window.pause()
    wait_settled(qtbot, window)
    window.tick()
    mark = window.marks.marks[feed.feed_id]
    assert not mark.lost
    followed = sorted(mark.points)
    assert followed[-1] - followed[0] >= 50, "the mark was not followed over 2 s"
    boxes = {f: (p.x1, p.y1, p.x2, p.y2) for f, p in mark.points.items()}
    scores = [iou(boxes[f], truth[f]) for f in followed if f in truth]
    assert min(scores) >= 0.3, f"the mark slid off its target (worst IoU {min(scores):.2f})"
    assert tile.operator_boxes, "the mark is not drawn"

    qtbot.keyClick(window, Qt.Key.Key_E)
    assert not window.marks.marks
    with SightingsReader(window.store.path) as reader:
        marked = [s for s in reader.sightings() if s.source is SightingSource.OPERATOR]
    assert len(marked) == 1
    assert marked[0].start_frame == followed[0] and marked[0].end_frame == followed[-1]
    window.review.undo()  # undoing a mark dismisses it: nothing is deleted
    window.refresh_sightings()
    assert window.row_by_id(marked[0].id).dismissed
