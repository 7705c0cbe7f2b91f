"""A live stream in the window (loopback only): it plays, drops, says so, comes back."""

from __future__ import annotations

import time

from dronewatch.playback import FeedStatus
from dronewatch.sources import open_source
from tests.core.test_stream import UdpSender, free_udp_port


def test_udp_stream_plays_drops_reconnects_and_records(qtbot, window, tmp_path) -> None:
    port = free_udp_port()
    with UdpSender(port) as sender:
        url = f"udp://127.0.0.1:{port}"
        (feed,) = window.open_feeds([url])
        assert type(feed.player).__name__ == "LivePlayer" and feed.analysis is None

        def shown_index() -> int:
            window.tick()
            return feed.tile.shown_index or 0

        qtbot.waitUntil(lambda: shown_index() > 5, timeout=15_000)
        assert feed.tile.hud_state == "LIVE" and feed.tile.live_badge.startswith("LIVE")
        recording = window.toggle_recording(feed, tmp_path / "rec.ts")
        assert recording is not None

        sender.pause()
        qtbot.waitUntil(
            lambda: window.tick() or "reconnecting" in (feed.player.snapshot().error or ""),
            timeout=15_000,
        )
        snap = feed.player.snapshot()
        assert snap.status is FeedStatus.READY and snap.packet is not None  # last frame kept
        before = shown_index()
        sender.resume()
        qtbot.waitUntil(lambda: shown_index() > before + 5, timeout=20_000)
        assert not feed.player.snapshot().error
        time.sleep(0.3)
        saved = window.toggle_recording(feed)
        assert saved == tmp_path / "rec.ts"
    source = open_source(saved)
    frames = 0
    while source.read() is not None:
        frames += 1
    assert frames >= 10
    assert not window.errors, "a live stream's hiccup must not be reported as a failed feed"
