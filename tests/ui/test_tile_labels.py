"""Track labels burned into a tile's frame keep clear of the text Qt paints over it."""

from __future__ import annotations

import numpy as np

from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.live.feed_analysis import AnalysisState, AnalysisStats
from dronewatch.live.track_index import TrackIndex
from dronewatch.playback import FeedStatus, PlayerSnapshot
from ui.feed_tile import FeedTile


def test_a_track_under_the_analysis_badge_has_its_label_where_it_can_be_read(qtbot) -> None:
    tile = FeedTile("f1", "cam-1")
    qtbot.addWidget(tile)
    tile.resize(640, 360)
    image = np.full((360, 640, 3), 90, np.uint8)
    info = VideoInfo(25.0, 640, 360, 250)
    tile.analysis = AnalysisStats(AnalysisState.ANALYSING, 40.0, 30.0, 0, 200, 250)
    tile.set_snapshot(
        PlayerSnapshot(
            1, FeedStatus.READY, "cam-1", info, FramePacket(0, 0.0, image), None, "", 0, 0, 0.0
        )
    )
    badges = [item.rect for item in tile._hud_items(tile.snapshot)]
    analysis = max((r for r in badges if r.right() > 600), key=lambda r: r.bottom())
    # A walker just under the analysis badge: the place just above his box is under it.
    x = analysis.left() + 20
    y = analysis.bottom() + 6
    index = TrackIndex()
    index.add(0, [TrackState(7, (x, y, x + 8.0, y + 18.0), 0.9, TargetClass.PERSON, True)])
    tile.track_index = index
    tile.refresh_overlays()
    drawn = np.any(tile.annotated != 90, axis=2)
    for rect in badges:
        under = drawn[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
        assert not under.any(), f"a label drawn under the badge at {rect}"
    assert drawn[y + 19 :, x : x + 40].any(), "the label is below the box"
