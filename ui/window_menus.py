"""Menus and keyboard shortcuts of the main window, in one place (listed in Help too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ui.feed_grid import LAYOUTS

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "Play / pause"),
    ("Left / Right", "Step one frame back / forward"),
    ("Shift+Left / Shift+Right", "Jump 5 s back / forward"),
    ("[ / ]", "Slower / faster (0.25x to 8x)"),
    ("Home", "Back to the start"),
    ("N / P", "Next / previous sighting"),
    ("1 … 9", "Enlarge tile 1 … 9"),
    ("Esc", "Back to the grid"),
    ("C / X", "Confirm / dismiss the selected sighting"),
    ("Ctrl+E", "Note and tags of the selected sighting"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a review edit"),
    ("B", "Bookmark this moment"),
    ("Drag on a tile", "Mark a target by hand: it is followed as the feed plays"),
    ("E", "End the marks and log them as operator sightings"),
    ("Ctrl+O", "Open video files"),
    ("Ctrl+Shift+O", "Open a folder (videos, or one image sequence)"),
    ("Ctrl+W", "Close the selected feed"),
    ("Ctrl+S", "Save the workspace as…"),
    ("Double-click a tile", "Enlarge it; again to restore the grid"),
    ("Click a box", "Select that track and its sighting"),
    ("Ctrl+Q", "Quit"),
)


def _action(
    window: MainWindow,
    text: str,
    slot: Callable[..., object],
    shortcut: str | None = None,
    checkable: bool = False,
) -> QAction:
    action = QAction(text, window, checkable=checkable)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work whatever widget has focus
    return action


def build_menus(w: MainWindow) -> None:
    menu = w.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addAction(_action(w, "&Open video files…", w.open_files_dialog, "Ctrl+O"))
    file_menu.addAction(_action(w, "Open &folder…", w.open_folder_dialog, "Ctrl+Shift+O"))
    file_menu.addAction(_action(w, "Open a live &stream…", w.open_stream_dialog, "Ctrl+U"))
    file_menu.addAction(_action(w, "Open &library folder…", w.open_library_dialog, "Ctrl+L"))
    file_menu.addAction(_action(w, "&Close selected feed", w.close_selected_feed, "Ctrl+W"))
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "&Import log or ground truth…", w.import_dialog, "Ctrl+I"))
    file_menu.addAction(_action(w, "&Export sightings…", w.open_export_dialog, "Ctrl+Shift+E"))
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "Open &workspace…", w.open_workspace_dialog))
    file_menu.addAction(_action(w, "&Save workspace as…", w.save_workspace_dialog, "Ctrl+S"))
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "&Quit", w.close, "Ctrl+Q"))

    edit = menu.addMenu("&Edit")
    w.review.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
    w.review.undo_action.triggered.connect(w.review.undo)
    w.review.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
    w.review.redo_action.triggered.connect(w.review.redo)
    for action in (w.review.undo_action, w.review.redo_action):
        w.addAction(action)
        edit.addAction(action)
    edit.addSeparator()
    edit.addAction(
        _action(w, "&Confirm selected sighting", lambda: w.review_selected("confirm"), "C")
    )
    edit.addAction(
        _action(w, "&Dismiss selected sighting", lambda: w.review_selected("dismiss"), "X")
    )
    edit.addAction(_action(w, "&Note and tags…", lambda: w.review_selected("note"), "Ctrl+E"))
    edit.addAction(_action(w, "&Bookmark this moment…", w.bookmark_dialog, "B"))
    edit.addAction(_action(w, "&End the marks (log them)", lambda: w.marks.end(), "E"))

    play = menu.addMenu("&Playback")
    play.addAction(_action(w, "Play / pause", w.toggle_play, "Space"))
    play.addAction(_action(w, "Step back one frame", lambda: w.step(-1), "Left"))
    play.addAction(_action(w, "Step forward one frame", lambda: w.step(1), "Right"))
    play.addAction(_action(w, "Back 5 s", lambda: w.jump(-5.0), "Shift+Left"))
    play.addAction(_action(w, "Forward 5 s", lambda: w.jump(5.0), "Shift+Right"))
    play.addAction(_action(w, "Slower", w.slower, "["))
    play.addAction(_action(w, "Faster", w.faster, "]"))
    play.addAction(_action(w, "Back to start", lambda: w.seek(0.0), "Home"))
    play.addAction(_action(w, "Align feeds by telemetry time", w.align_by_telemetry))
    play.addSeparator()
    play.addAction(_action(w, "Next sighting", lambda: w.jump_to_sighting(True), "N"))
    play.addAction(_action(w, "Previous sighting", lambda: w.jump_to_sighting(False), "P"))

    view = menu.addMenu("&View")
    layout_menu = view.addMenu("&Layout")
    group = QActionGroup(w)
    w.layout_actions = {}
    for columns, label in [(None, "&Automatic"), *[(n, f"{n} x {n}") for n in LAYOUTS]]:
        action = QAction(label, w, checkable=True)
        action.triggered.connect(lambda _=False, c=columns: w.set_layout(c))
        group.addAction(action)
        layout_menu.addAction(action)
        w.layout_actions[columns] = action
    w.layout_actions[None].setChecked(True)
    view.addSeparator()
    w.overlay_actions = {}
    for key, label in (
        ("boxes", "&Boxes"),
        ("ids", "Track &IDs"),
        ("trails", "&Trails"),
        ("hud", "&HUD"),
        ("reference", "&Reference (ground truth)"),
    ):
        action = _action(w, label, lambda checked, k=key: w.set_overlay(k, checked), checkable=True)
        action.setChecked(True)
        view.addAction(action)
        w.overlay_actions[key] = action
    view.addSeparator()
    for n in range(1, 10):
        _action(w, f"Enlarge tile {n}", lambda _=False, n=n: w.enlarge_tile(n - 1), str(n))
    view.addAction(_action(w, "Back to the grid", w.restore_grid, "Esc"))
    view.addSeparator()
    w.docks_menu = view.addMenu("&Panels")

    analysis = menu.addMenu("&Analysis")
    w.analysis_action = _action(w, "&Analyse all feeds", w.set_analysis_for_all, checkable=True)
    w.analysis_action.setChecked(True)
    analysis.addAction(w.analysis_action)

    training = menu.addMenu("&Training")
    training.addAction(_action(w, "&Start a session…", w.start_training_dialog))
    training.addAction(_action(w, "&End the session (scorecard)", lambda: w.end_training()))
    training.addAction(_action(w, "Trainee &history…", w.show_history))
    training.addAction(_action(w, "&Review a recorded session…", w.review_training_dialog))

    help_menu = menu.addMenu("&Help")
    help_menu.addAction(_action(w, "&Keyboard shortcuts", w.show_shortcuts, "F1"))
    help_menu.addAction(_action(w, "&About DroneWatch", w.show_about))
