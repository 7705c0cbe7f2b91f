"""Telemetry in the window: the HUD shows where the aircraft is; the map draws it."""

from __future__ import annotations

from tests.clips import requires_realdata
from tests.ui.conftest import wait_settled


def test_klv_feed_shows_position_on_the_tile_and_the_map(qtbot, window) -> None:
    clip = requires_realdata("aphill-klv", "aphill_klv_10s.ts")
    (feed,) = window.open_feeds([str(clip)])
    qtbot.waitUntil(lambda: feed.telemetry is not None, timeout=20_000)
    window.seek(3.0)
    wait_settled(qtbot, window)
    qtbot.waitUntil(
        lambda: window._show_telemetry() or bool(feed.tile.telemetry_text), timeout=5000
    )
    text = feed.tile.telemetry_text
    assert "38.159" in text and "-77.35" in text and "alt 1985 m" in text
    layers = window.map_view._layers[feed.feed_id]
    xs, ys = layers["track"].getData()
    assert len(xs) == 300 and min(ys) > 38.15 and max(ys) < 38.17
    fx, fy = layers["footprint"].getData()
    assert len(fx) == 5 and 38.18 < fy.mean() < 38.19  # the ground the sensor looks at


def test_feed_without_telemetry_shows_none(qtbot, window, clip_factory) -> None:
    (feed,) = window.open_feeds([str(clip_factory("plain.mp4", 20, 10))])
    wait_settled(qtbot, window)
    window._show_telemetry()
    assert feed.telemetry is None and feed.tile.telemetry_text == ""
    assert feed.feed_id not in window.map_view._layers
