"""Live tracking in the window: overlays on targets, timeline and table, the store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from dronewatch.analysis.types import TargetClass
from dronewatch.live.feed_analysis import AnalysisState
from dronewatch.sim.groundtruth import read_mot
from dronewatch.store import SightingsReader, Store
from tests.ui.conftest import open_analysed_clip, wait_settled

ROOT = Path(__file__).resolve().parents[2]


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def open_analysed(qtbot, window, clip: Path, at: float):
    return open_analysed_clip(qtbot, window, clip, at)


def test_tracked_boxes_sit_on_the_true_targets(qtbot, window, sim_clip) -> None:
    feed = open_analysed(qtbot, window, sim_clip, at=3.0)
    tile = feed.tile
    frame = tile.shown_index
    truth = [
        (b.x, b.y, b.x + b.w, b.y + b.h)
        for b in read_mot(sim_clip.with_name("day-pan.gt.txt"))
        if b.frame == frame + 1
    ]
    assert truth and tile.shown_tracks, "no targets or no tracks on screen"
    matched = [t for t in tile.shown_tracks if max(iou(t.xyxy, g) for g in truth) >= 0.3]
    assert matched, "no tracked box overlaps a true target"  # precision: see the benchmark
    # The overlay is on the picture: pixels inside a matched box differ from the raw frame.
    snap = feed.player.snapshot()
    raw = snap.display_image if snap.display_image is not None else snap.packet.image
    shown, k = tile.annotated, tile.display_factor
    assert shown.shape == raw.shape
    x1, y1, x2, _ = (round(v * k) for v in matched[0].xyxy)
    assert (shown[y1 : y1 + 2, x1:x2] != raw[y1 : y1 + 2, x1:x2]).any()


def test_overlays_stay_on_targets_when_stepping_and_toggle_off(qtbot, window, sim_clip) -> None:
    feed = open_analysed(qtbot, window, sim_clip, at=2.0)
    before = feed.tile.shown_tracks
    window.step(1)
    wait_settled(qtbot, window)
    after = feed.tile.shown_tracks
    assert after == feed.analysis.index.tracks_at(feed.tile.shown_index) and before != after
    window.set_overlay("boxes", False)
    window.set_overlay("ids", False)
    window.set_overlay("trails", False)
    snap = feed.player.snapshot()
    raw = snap.display_image if snap.display_image is not None else snap.packet.image
    assert (feed.tile.annotated == raw).all()


def test_timeline_click_seeks_every_tile_and_selects_the_track(
    qtbot, window, sim_clip, clip_factory
) -> None:
    other = clip_factory("other.mp4", 100, 25)
    window.open_feeds([str(other)])
    open_analysed(qtbot, window, sim_clip, at=0.0)
    qtbot.waitUntil(lambda: len(window.sighting_rows) > 0, timeout=10_000)
    row = max(window.sighting_rows, key=lambda r: r.start_s)
    x, y = window.timeline.bar_centre(row.sighting_id)
    clicked = window.timeline.click_at_view(x, y)
    assert clicked is not None and clicked.sighting_id == row.sighting_id
    wait_settled(qtbot, window)
    assert window.clock.position() == pytest.approx(row.start_s)
    for f in window.feeds:
        info = f.player.snapshot().info
        assert f.tile.shown_index == info.index_at(row.start_s)
    (owner,) = [f for f in window.feeds if f.feed_id == row.feed_id]
    assert owner.tile.selected_track == row.track_id
    assert window.table.selected_id() == row.sighting_id


def test_table_filters_and_double_click_seeks(qtbot, window, sim_clip) -> None:
    open_analysed(qtbot, window, sim_clip, at=0.0)
    qtbot.waitUntil(lambda: len(window.sighting_rows) >= 2, timeout=10_000)
    panel = window.table
    assert len(panel.visible_ids()) == len(window.sighting_rows)
    classes = {r.target_class for r in window.sighting_rows}
    chosen = next(iter(classes))
    panel.class_box.setCurrentIndex(panel.class_box.findData(chosen.value))
    by_id = {r.sighting_id: r for r in window.sighting_rows}
    assert panel.visible_ids()
    assert all(by_id[i].target_class is chosen for i in panel.visible_ids())
    panel.class_box.setCurrentIndex(0)
    panel.text_box.setText("no-such-feed")
    assert panel.visible_ids() == []
    panel.text_box.setText("day-pan")
    assert len(panel.visible_ids()) == len(window.sighting_rows)
    panel.from_box.setValue(2.0)
    assert all(by_id[i].end_s >= 2.0 for i in panel.visible_ids())
    panel.from_box.setValue(0.0)

    target = max(window.sighting_rows, key=lambda r: r.start_s)
    proxy_row = panel.visible_ids().index(target.sighting_id)
    index = panel.proxy.index(proxy_row, 1)
    rect = panel.table.visualRect(index)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_settled(qtbot, window)
    assert window.clock.position() == pytest.approx(target.start_s)
    assert window.timeline.selected_id == target.sighting_id
    counts = window._counts.text()
    assert f"{len(window.sighting_rows)} sightings" in counts


def test_keyboard_jumps_enlarges_and_finds_sightings(qtbot, window, sim_clip, clip_factory) -> None:
    window.open_feeds([str(clip_factory(f"c{i}.mp4", 250, 25)) for i in range(3)])
    wait_settled(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.clock.position() == pytest.approx(5.0)
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert window.clock.position() == pytest.approx(0.0)
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert window.grid.enlarged is window.feeds[1].tile
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.grid.enlarged is None
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)
    assert window.clock.speed == 0.5

    open_analysed(qtbot, window, sim_clip, at=0.0)
    qtbot.waitUntil(lambda: len(window.sighting_rows) >= 2, timeout=10_000)
    starts = sorted({round(r.start_s, 6) for r in window.sighting_rows})
    window.seek(0.0)
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.clock.position() == pytest.approx(starts[0])
    window.seek(10.0)
    qtbot.keyClick(window, Qt.Key.Key_P)
    assert window.clock.position() == pytest.approx(starts[-1])


def test_reopening_an_analysed_clip_uses_the_store(qtbot, sim_clip, tmp_path) -> None:
    from ui.main_window import MainWindow

    db = tmp_path / "s.db"
    with Store(db) as store:
        first = MainWindow(store=store)
        qtbot.addWidget(first)
        (feed,) = first.open_feeds([str(sim_clip)])
        first.seek(4.0)  # let analysis run to the end
        qtbot.waitUntil(lambda: feed.analysis.stats().state is AnalysisState.DONE, timeout=60_000)
        first.close()
    with Store(db) as store:
        again = MainWindow(store=store)
        qtbot.addWidget(again)
        started = time.monotonic()
        (feed,) = again.open_feeds([str(sim_clip)])
        qtbot.waitUntil(
            lambda: feed.analysis.stats().state is AnalysisState.FROM_STORE, timeout=5_000
        )
        assert time.monotonic() - started < 2.0
        again.refresh_sightings()
        assert again.sighting_rows
        assert feed.analysis.index.frames_done == 100
        again.close()


def _analyse_to_the_end(qtbot, store: Store, clip: Path, settings) -> tuple[AnalysisState, int]:
    """Open ``clip`` in a window analysing with ``settings``; (state, sighting count)."""
    from ui.main_window import MainWindow

    win = MainWindow(store=store, settings=settings)
    qtbot.addWidget(win)
    (feed,) = win.open_feeds([str(clip)])
    win.seek(4.0)  # let analysis run to the end
    done = (AnalysisState.DONE, AnalysisState.FROM_STORE)
    qtbot.waitUntil(lambda: feed.analysis.stats().state in done, timeout=60_000)
    state = feed.analysis.stats().state
    store.flush()
    win.refresh_sightings()
    count = len(win.sighting_rows)
    win.close()
    return state, count


def test_gui_analyses_with_the_settings_given_and_keeps_results_apart(
    qtbot, sim_clip, tmp_path
) -> None:
    """``dronewatch gui --set``/``--model`` reach the worker process, and an analysis
    made with other settings is not taken from the store: it is analysed again."""
    from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings

    blind = AnalysisSettings(overrides=(("detector.min_area", 100_000),))  # no blob passes
    with Store(tmp_path / "s.db") as store:
        assert _analyse_to_the_end(qtbot, store, sim_clip, blind) == (AnalysisState.DONE, 0)
        state, count = _analyse_to_the_end(qtbot, store, sim_clip, DEFAULT_SETTINGS)
        assert state is AnalysisState.DONE and count > 0  # analysed again, with defaults
        state, _ = _analyse_to_the_end(qtbot, store, sim_clip, DEFAULT_SETTINGS)
        assert state is AnalysisState.FROM_STORE


def test_closing_stops_decoders_and_analysers_within_two_seconds(qtbot, sim_clip, store) -> None:
    from ui.main_window import MainWindow

    win = MainWindow(store=store)
    qtbot.addWidget(win)
    win.open_feeds([str(sim_clip)] * 3)
    win.play()
    qtbot.waitUntil(
        lambda: all(f.analysis.index.frames_done > 5 for f in win.feeds), timeout=20_000
    )
    players = [f.player for f in win.feeds] + [f.analysis for f in win.feeds]
    started = time.monotonic()
    win.close()
    assert time.monotonic() - started < 2.5
    assert not any(p.alive for p in players)


def test_kill_9_mid_session_keeps_committed_sightings(sim_clip, tmp_path) -> None:
    """The app killed at any moment: the database opens cleanly, sightings survive."""
    db = tmp_path / "s.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "dronewatch", "gui", str(sim_clip), "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        committed = 0
        while committed == 0:
            assert time.monotonic() < deadline, "no sighting was committed in time"
            assert proc.poll() is None, "the app exited early"
            time.sleep(0.1)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        committed = conn.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]
                except sqlite3.Error:
                    committed = 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    with Store(db) as store:
        assert store.recovered_sightings >= 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        open_left = conn.execute("SELECT COUNT(*) FROM sightings WHERE state='open'").fetchone()
        assert open_left[0] == 0
    with SightingsReader(db) as reader:
        sightings = reader.sightings()
        assert len(sightings) >= committed
        assert all(s.target_class in TargetClass for s in sightings)


def test_sigterm_closes_cleanly_saving_sightings_and_workspace(sim_clip, tmp_path) -> None:
    db, workspace = tmp_path / "s.db", tmp_path / "ws.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "d"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dronewatch",
            "gui",
            str(sim_clip),
            *("--db", str(db)),
            *("--workspace", str(workspace)),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    committed = 0
    while committed == 0:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    committed = conn.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]
            except sqlite3.Error:
                committed = 0
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0, proc.stderr.read()[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sightings WHERE state='open'").fetchone()[0] == 0
    assert str(sim_clip) in workspace.read_text()
