"""A live stream is tracked like a file: boxes on its tile, sightings in the log."""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.store import SightingsReader
from tests.core.test_stream import UdpSender, free_udp_port
from ui.feed_tile import analysis_badge

SIZE = (320, 180)


def walker(i: int) -> np.ndarray:
    """Textured ground with a pale square crossing it at 3 px a frame."""
    rng = np.random.default_rng(7)
    ground = cv2.GaussianBlur(rng.integers(60, 160, (SIZE[1], SIZE[0]), np.uint8), (0, 0), 1.5)
    image = cv2.cvtColor(ground, cv2.COLOR_GRAY2BGR)
    x = 20 + (3 * i) % (SIZE[0] - 60)
    image[84:96, x : x + 12] = 235
    return image


def test_live_stream_is_tracked_and_logged(qtbot, window, store) -> None:
    port = free_udp_port()
    with UdpSender(port, klv=False, size=SIZE, render=walker):
        url = f"udp://127.0.0.1:{port}"
        window.set_analysis_for_all(True)
        (feed,) = window.open_feeds([url])
        assert feed.analysis is not None and feed.tile.live

        def boxed() -> bool:
            window.tick()
            return bool(feed.tile.shown_tracks)

        qtbot.waitUntil(boxed, timeout=30_000)
        (track,) = feed.tile.shown_tracks
        _, y1, _, y2 = track.xyxy
        assert 80 <= (y1 + y2) / 2 <= 100, "the box is on the square"
        assert feed.analysis.pid is not None, "analysed in a worker process, not the GUI's"
        stats = feed.analysis.stats()
        assert stats.analysis_fps > 0 and stats.state.value == "analysing"
        assert feed.tile.analysis is not None and "ana" in analysis_badge(feed.tile.analysis)
        clip_id = feed.analysis.clip_id
        window.close_feed(feed)
    store.flush()
    with SightingsReader(store.path) as reader:
        clip = next(c for c in reader.clips() if c.id == clip_id)
        assert clip.content_hash.startswith(f"live:{url}@")
        sightings = reader.sightings(clip_id=clip_id)
    assert sightings, "the square's sighting is in the log"
    assert not window.errors
