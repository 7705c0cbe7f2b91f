"""Targets marked by hand: drag a box on a tile, it is followed through playback.

Each mark runs our template follower (``dronewatch.review.follow``) on the frames the
tile shows, on the GUI thread: it costs well under a millisecond a frame at 640x360,
where OpenCV's MIL tracker (the only one in the opencv-python wheel) takes about 30.
Dragging again on the same tile re-adjusts the mark; ``E`` ends it, and it is logged as
a sighting with source "operator" (undoable, like every edit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.review.follow import Follower, make_follower
from dronewatch.sightings.events import PathPoint
from dronewatch.store.review_ops import NewSighting

if TYPE_CHECKING:
    from ui.main_window import Feed, MainWindow

MARK_TRACK_ID = -1  # marks have no analysis track; the store numbers them on saving


@dataclass(eq=False)
class OperatorMark:
    feed: Feed
    follower: Follower
    target_class: TargetClass = TargetClass.UNKNOWN
    points: dict[int, PathPoint] = field(default_factory=dict)  # by frame
    last_index: int = -1
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    lost: bool = False

    def state(self) -> TrackState:
        return TrackState(MARK_TRACK_ID, self.box, 1.0, self.target_class, True)


class MarkController:
    """The marks in progress on one window's tiles."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.marks: dict[str, OperatorMark] = {}  # feed id -> its mark

    def start(self, feed: Feed, xyxy: tuple[float, float, float, float]) -> OperatorMark | None:
        """Mark (or re-adjust the mark of) ``feed`` on the frame it shows now."""
        snap = feed.player.snapshot()
        if snap.packet is None:
            return None
        mark = self.marks.get(feed.feed_id)
        if mark is None:
            mark = OperatorMark(feed, make_follower("template"))
            self.marks[feed.feed_id] = mark
        mark.follower.start(snap.packet.image, xyxy)
        mark.lost = False
        self._record(mark, snap.packet.index, snap.packet.time_s, xyxy, 1.0)
        self._show(feed)
        self.window.statusBar().showMessage(
            f"Marked a target on {feed.tile.name}: it is followed as you play; E ends the mark",
            8000,
        )
        return mark

    def _record(
        self, mark: OperatorMark, index: int, time_s: float, box: tuple[float, ...], score: float
    ) -> None:
        x1, y1, x2, y2 = (float(v) for v in box)
        mark.points[index] = PathPoint(index, time_s, x1, y1, x2, y2, float(score))
        mark.last_index = index
        mark.box = (x1, y1, x2, y2)

    def _show(self, feed: Feed) -> None:
        mark = self.marks.get(feed.feed_id)
        feed.tile.operator_boxes = (mark.state(),) if mark and not mark.lost else ()
        feed.tile.refresh_overlays()

    def follow(self) -> None:
        """Advance every mark to the frame its tile shows (called by the GUI timer)."""
        for mark in list(self.marks.values()):
            snap = mark.feed.player.snapshot()
            packet = snap.packet
            if packet is None or mark.lost or packet.index <= mark.last_index:
                continue  # paused, stepped back or not moved: the mark waits
            result = mark.follower.update(packet.image, packet.index - mark.last_index)
            if result.lost:
                mark.lost = True
                self.window.statusBar().showMessage(
                    f"Lost the marked target on {mark.feed.tile.name}: drag it again or press E",
                    8000,
                )
            else:
                self._record(mark, packet.index, packet.time_s, result.xyxy, result.confidence)
            self._show(mark.feed)

    def end(self, feed: Feed | None = None) -> list[int]:
        """End the marks (of ``feed``, or all) and log them as operator sightings."""
        saved = []
        for feed_id, mark in list(self.marks.items()):
            if feed is not None and feed_id != feed.feed_id:
                continue
            del self.marks[feed_id]
            mark.feed.tile.operator_boxes = ()
            mark.feed.tile.refresh_overlays()
            sighting_id = self._save(mark)
            if sighting_id is not None:
                saved.append(sighting_id)
        if saved:
            self.window.refresh_sightings()
        return saved

    def _save(self, mark: OperatorMark) -> int | None:
        analysis = mark.feed.analysis
        history = self.window.review.history
        if analysis is None or analysis.clip_id is None or history is None or not mark.points:
            self.window.statusBar().showMessage("The mark was not saved: no analysed clip", 8000)
            return None
        points = tuple(mark.points[i] for i in sorted(mark.points))
        sighting_id = history.add_sighting(
            NewSighting(
                clip_id=analysis.clip_id,
                track_id=None,
                target_class=mark.target_class,
                points=points,
                peak_score=float(np.max([p.score for p in points])),
            )
        )
        self.window.review.update_actions()
        return sighting_id
