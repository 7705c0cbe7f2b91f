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


def test_sightings_with_ground_positions_show_on_the_map_and_seek(
    qtbot, tmp_path, sim_clip
) -> None:
    from dronewatch.cli import main as cli_main
    from dronewatch.live.feed_analysis import AnalysisState
    from dronewatch.store import Store
    from ui.main_window import MainWindow

    out = tmp_path / "geo"
    args = ["--preset", "day-pan", "--seed", "3", "--seconds", "4", "--klv", "--quiet"]
    assert cli_main(["simulate", *args, "--out", str(out)]) == 0
    clip, db = out / "day-pan.mp4", tmp_path / "s.db"
    assert cli_main(["analyze", str(clip), "--db", str(db)]) == 0
    assert cli_main(["geo", str(clip), "--db", str(db)]) == 0
    with Store(db) as store:
        window = MainWindow(store=store)
        qtbot.addWidget(window)
        window.show()
        (feed,) = window.open_feeds([str(clip)])
        qtbot.waitUntil(
            lambda: feed.analysis.stats().state is AnalysisState.FROM_STORE, timeout=20_000
        )
        window.refresh_sightings()
        xs, ys = window.map_view._sightings.getData()
        assert len(xs) == len(window.sighting_rows) > 0
        assert all(51.1 < y < 51.3 for y in ys)  # the simulator's default origin
        target = max(window.sighting_rows, key=lambda r: r.start_s)
        window.map_view.sighting_clicked.emit(target.sighting_id)
        wait_settled(qtbot, window)
        assert window.selected_sighting == target.sighting_id
        assert abs(window.clock.position() - target.start_s) < 1e-6
        window.close()


def test_time_offsets_shift_a_feed_on_the_shared_clock(qtbot, window, clip_factory) -> None:
    first, later = window.open_feeds(
        [str(clip_factory("a.mp4", 50, 10)), str(clip_factory("b.mp4", 50, 10))]
    )
    wait_settled(qtbot, window)
    window.set_offset(later, 1.0)  # b.mp4 started a second after a.mp4
    window.seek(1.55)
    wait_settled(qtbot, window)
    assert first.tile.shown_index == 15 and later.tile.shown_index == 5
    assert window.clock.duration == 6.0


def test_feeds_align_by_klv_time(qtbot, window) -> None:
    a = requires_realdata("aphill-klv", "aphill_klv_10s.ts")
    b = requires_realdata("aphill-klv", "aphill_short.ts")
    fa, fb = window.open_feeds([str(a), str(b)])
    qtbot.waitUntil(lambda: fa.telemetry is not None and fb.telemetry is not None, timeout=20_000)
    assert window.align_by_telemetry() == 2
    stamp_a = 1221665012.027 - fa.telemetry.times[0]
    stamp_b = 1221515219.356 - fb.telemetry.times[0]
    assert fb.offset_s == 0.0
    assert abs(fa.offset_s - (stamp_a - stamp_b)) < 1e-3  # recorded ~41.6 h later
