"""The desktop window, offscreen: open, play, pause, seek, step, layouts, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from dronewatch.playback import FeedStatus
from tests.ui.conftest import wait_settled


def open_four(win, clip_factory) -> list:
    clips = [
        clip_factory("day25.mp4", 100, 25),
        clip_factory("night10.mp4", 40, 10),
        clip_factory("fog30.mp4", 120, 30),
        clip_factory("busy12.mp4", 50, 12.5),
    ]
    return win.open_feeds([str(c) for c in clips])


def assert_tiles_agree(win) -> None:
    """Every tile shows the frame at the shared time: within one frame of it."""
    t = win.clock.position()
    for feed in win.feeds:
        snap = feed.player.snapshot()
        assert feed.tile.shown_index == snap.info.index_at(t), feed.tile.title
        assert -1e-6 <= t - feed.tile.shown_time < 1 / snap.info.fps + 1e-6


def test_four_feeds_play_pause_and_seek_in_sync(qtbot, window, clip_factory) -> None:
    open_four(window, clip_factory)
    assert window.grid.grid_shape() == (2, 2)
    wait_settled(qtbot, window)
    qtbot.waitUntil(lambda: window.clock.duration == pytest.approx(4.0))

    window.play()
    qtbot.waitUntil(lambda: window.clock.position() > 0.6, timeout=5000)
    window.pause()
    wait_settled(qtbot, window)
    paused_at = window.clock.position()
    assert paused_at > 0.6
    assert_tiles_agree(window)

    for t in (3.3, 0.0, 1.95):
        window.seek(t)
        wait_settled(qtbot, window)
        assert window.clock.position() == pytest.approx(t)
        assert_tiles_agree(window)
    assert "00:01.95" in window.transport.time_label.text()


def test_step_moves_one_frame_of_the_fastest_feed(qtbot, window, clip_factory) -> None:
    open_four(window, clip_factory)
    wait_settled(qtbot, window)
    window.seek(1.0)
    wait_settled(qtbot, window)
    fast = next(f for f in window.feeds if f.tile.title == "fog30.mp4")
    before = fast.tile.shown_index
    window.step(1)
    wait_settled(qtbot, window)
    assert fast.tile.shown_index == before + 1
    assert_tiles_agree(window)
    window.step(-1)
    window.step(-1)
    wait_settled(qtbot, window)
    assert fast.tile.shown_index == before - 1
    assert not window.clock.playing


def test_keyboard_space_plays_and_right_steps(qtbot, window, clip_factory) -> None:
    open_four(window, clip_factory)
    wait_settled(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.clock.position() == pytest.approx(1 / 30)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.clock.playing
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert window.clock.speed == 2.0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.clock.playing


def test_bad_inputs_show_errors_on_their_tiles_while_others_play(
    qtbot, window, clip_factory, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 100)
    good = clip_factory("good.mp4", 50, 10)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    missing = tmp_path / "missing.mp4"
    window.open_feeds([str(p) for p in (missing, empty, text, truncated, good)])
    window.seek(2.0)
    wait_settled(qtbot, window)
    by_name = {f.tile.title: f for f in window.feeds}
    for bad, problem in [
        (missing, "file not found"),
        (empty, "file is empty"),
        (text, "not a playable video"),
        (truncated, "truncated"),
    ]:
        snap = by_name[bad.name].player.snapshot()
        assert snap.status is FeedStatus.ERROR
        assert str(bad) in snap.error and problem in snap.error
    assert len(window.errors) == 4
    window.play()
    qtbot.waitUntil(lambda: by_name["good.mp4"].tile.shown_index > 20, timeout=5000)


def test_layout_menu_and_double_click_enlarge(qtbot, window, clip_factory) -> None:
    open_four(window, clip_factory)
    window.set_layout(3)
    assert window.grid.grid_shape() == (3, 3)
    window.set_layout(None)
    assert window.grid.grid_shape() == (2, 2)
    tile = window.feeds[2].tile
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert window.grid.enlarged is tile
    assert [f.tile.isVisible() for f in window.feeds] == [False, False, True, False]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert window.grid.enlarged is None
    assert all(f.tile.isVisible() for f in window.feeds)


def test_close_feed_and_drop_files_to_open(qtbot, window, clip_factory) -> None:
    a = clip_factory("a.mp4", 20, 10)
    b = clip_factory("b.mp4", 20, 10)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(a)), QUrl.fromLocalFile(str(b))])
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)
    assert [f.tile.title for f in window.feeds] == ["a.mp4", "b.mp4"]
    window.select(window.feeds[0])
    player = window.feeds[0].player
    window.close_selected_feed()
    assert [f.tile.title for f in window.feeds] == ["b.mp4"]
    assert not player.alive


def test_closing_the_window_stops_every_decoder_thread(qtbot, clip_factory) -> None:
    from ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    open_four(win, clip_factory)
    win.play()
    qtbot.waitUntil(lambda: win.clock.position() > 0.2, timeout=5000)
    players = [f.player for f in win.feeds]
    win.close()
    assert not any(p.alive for p in players)


def test_a_feed_failing_mid_play_shows_its_error_while_others_go_on(
    qtbot, window, clip_factory, tmp_path: Path
) -> None:
    from tests.clips import write_truncated_streamable_clip

    cut = write_truncated_streamable_clip(tmp_path / "cut.mp4")
    good = clip_factory("good.mp4", 150, 25)
    window.open_feeds([str(cut), str(good)])
    wait_settled(qtbot, window)
    window.seek(1.0)
    wait_settled(qtbot, window)
    bad_feed, good_feed = window.feeds
    assert bad_feed.player.snapshot().status is FeedStatus.READY  # it played at first
    window.play()
    qtbot.waitUntil(lambda: bad_feed.player.snapshot().status is FeedStatus.ERROR, timeout=8000)
    assert "cut.mp4: decoding stopped at frame" in bad_feed.player.snapshot().error
    qtbot.waitUntil(lambda: good_feed.tile.shown_index > 100, timeout=8000)
    assert any("cut.mp4" in e for e in window.errors)


def test_workspace_brings_back_feeds_layout_overlays_and_geometry(
    qtbot, window, clip_factory, tmp_path: Path
) -> None:
    from ui.main_window import MainWindow

    clips = [str(clip_factory(f"w{i}.mp4", 30, 10)) for i in range(2)]
    window.open_feeds(clips)
    window.set_layout(3)
    window.set_overlay("trails", False)
    window.feeds[1].offset_s = 0.5
    window.resize(900, 640)
    wait_settled(qtbot, window)
    window.seek(1.5)
    path = tmp_path / "ws.json"
    window.workspace().save(path)

    from dronewatch.workspace import Workspace

    again = MainWindow(store=window.store, analyse=False)
    qtbot.addWidget(again)
    again.apply_workspace(Workspace.load(path))
    again.show()
    assert [f.spec for f in again.feeds] == clips
    assert [f.offset_s for f in again.feeds] == [0.0, 0.5]
    assert again.grid.columns == 3 and again.layout_actions[3].isChecked()
    assert not again.overlays.trails and again.overlays.boxes
    assert not again.overlay_actions["trails"].isChecked()
    # Geometry round-trips through Qt's own blob; offscreen, window frames are fake,
    # so check the blob came back rather than pixel sizes.
    assert again.workspace().geometry and Workspace.load(path).geometry
    wait_settled(qtbot, again)
    assert again.clock.position() == pytest.approx(1.5)
    again.shutdown()


def test_a_workspace_skips_feeds_that_are_gone(qtbot, window, clip_factory, tmp_path) -> None:
    from dronewatch.workspace import Workspace

    kept = str(clip_factory("kept.mp4", 10, 10))
    gone = str(tmp_path / "deleted-since.mp4")
    window.apply_workspace(Workspace(feeds=[kept, gone]))
    assert [f.spec for f in window.feeds] == [kept]
    assert "no longer on disk" in window.statusBar().currentMessage()
    assert not window.errors
