"""The main window: feed grid, transport, menus, drag and drop; one timer drives it all."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QToolBar,
    QWidget,
)

from dronewatch.errors import DroneWatchError
from dronewatch.playback import FeedPlayer, FeedStatus, PlaybackClock
from dronewatch.sources import expand_feed_paths, open_source
from dronewatch.sources.image_sequence import IMAGE_SUFFIXES
from dronewatch.sources.video_file import VIDEO_SUFFIXES
from ui.feed_grid import LAYOUTS, FeedGrid
from ui.feed_tile import FeedTile
from ui.transport_bar import TransportBar

TICK_MS = 33  # one GUI timer at ~30 Hz pulls frames from every feed's slot
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Space", "Play / pause"),
    ("Left / Right", "Step one frame back / forward"),
    ("[ / ]", "Slower / faster"),
    ("Home", "Back to the start"),
    ("Ctrl+O", "Open video files"),
    ("Ctrl+Shift+O", "Open a folder (videos, or one image sequence)"),
    ("Ctrl+W", "Close the selected feed"),
    ("Double-click", "Enlarge a tile; again to restore the grid"),
    ("Ctrl+Q", "Quit"),
)


@dataclass(eq=False)
class Feed:
    feed_id: str
    spec: str
    player: FeedPlayer
    tile: FeedTile
    reported: bool = False  # its error went to stderr already


class MainWindow(QMainWindow):
    """Plays many feeds against one clock. Decoding happens on the feeds' own threads."""

    feed_failed = Signal(str)  # one-line message naming the file and the problem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("DroneWatch")
        self.setAcceptDrops(True)
        self.clock = PlaybackClock()
        self.feeds: list[Feed] = []
        self.errors: list[str] = []
        self._next_id = 1
        self.selected: Feed | None = None

        self.grid = FeedGrid()
        self.setCentralWidget(self.grid)
        self.transport = TransportBar()
        bar = QToolBar("Transport")
        bar.setObjectName("transport")
        bar.setMovable(False)
        bar.addWidget(self.transport)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)

        self.transport.play_toggled.connect(self.toggle_play)
        self.transport.step_requested.connect(self.step)
        self.transport.seek_requested.connect(self.seek)
        self.transport.speed_changed.connect(self.set_speed)
        self._build_menus()

        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._timer.start(TICK_MS)
        self.longest_tick_ms = 0.0
        self._tick_clock = QElapsedTimer()

    # -- menus ------------------------------------------------------------------------

    def _action(self, text: str, slot: object, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work whatever has focus
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self._action("&Open video files…", self.open_files_dialog, "Ctrl+O"))
        file_menu.addAction(self._action("Open &folder…", self.open_folder_dialog, "Ctrl+Shift+O"))
        self.close_feed_action = self._action(
            "&Close selected feed", self.close_selected_feed, "Ctrl+W"
        )
        file_menu.addAction(self.close_feed_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, "Ctrl+Q"))

        play_menu = menu.addMenu("&Playback")
        play_menu.addAction(self._action("Play / pause", self.toggle_play, "Space"))
        play_menu.addAction(self._action("Step back one frame", lambda: self.step(-1), "Left"))
        play_menu.addAction(self._action("Step forward one frame", lambda: self.step(1), "Right"))
        play_menu.addAction(self._action("Slower", self.slower, "["))
        play_menu.addAction(self._action("Faster", self.faster, "]"))
        play_menu.addAction(self._action("Back to start", lambda: self.seek(0.0), "Home"))

        view_menu = menu.addMenu("&View")
        layout_menu = view_menu.addMenu("&Layout")
        group = QActionGroup(self)
        self.layout_actions: dict[int | None, QAction] = {}
        for columns, label in [(None, "&Automatic"), *[(n, f"{n} x {n}") for n in LAYOUTS]]:
            action = QAction(label, self, checkable=True)
            action.triggered.connect(lambda _=False, c=columns: self.set_layout(c))
            group.addAction(action)
            layout_menu.addAction(action)
            self.layout_actions[columns] = action
        self.layout_actions[None].setChecked(True)

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", self.show_shortcuts))
        help_menu.addAction(self._action("&About DroneWatch", self.show_about))

    # -- feeds --------------------------------------------------------------------------

    def open_feeds(self, specs: list[str]) -> list[Feed]:
        """Open feeds from paths, folders or ``sim:`` specs; failures show on their tiles."""
        try:
            expanded = expand_feed_paths(specs)
        except DroneWatchError as exc:
            self._report(str(exc))
            expanded = [s for s in specs if not Path(s).is_dir()]
        return [self._add_feed(spec) for spec in expanded]

    def _add_feed(self, spec: str) -> Feed:
        feed_id = f"feed{self._next_id}"
        self._next_id += 1
        name = spec if spec.startswith("sim:") else Path(spec).name
        player = FeedPlayer(name, lambda s=spec: open_source(s))
        tile = FeedTile(feed_id, name)
        feed = Feed(feed_id, spec, player, tile)
        tile.clicked.connect(lambda _t, f=feed: self.select(f))
        tile.double_clicked.connect(lambda t: self.grid.toggle_enlarged(t))
        self.feeds.append(feed)
        self.grid.add_tile(tile)
        player.start()
        player.request(self.clock.position())
        return feed

    def close_feed(self, feed: Feed) -> None:
        feed.player.stop(timeout=2.0)
        self.feeds.remove(feed)
        self.grid.remove_tile(feed.tile)
        if self.selected is feed:
            self.selected = None
        self._update_duration()

    def close_selected_feed(self) -> None:
        feed = self.selected or (self.feeds[-1] if self.feeds else None)
        if feed is not None:
            self.close_feed(feed)

    def select(self, feed: Feed | None) -> None:
        self.selected = feed
        for f in self.feeds:
            f.tile.set_selected(f is feed)

    def set_layout(self, columns: int | None) -> None:
        self.grid.set_columns(columns)
        self.layout_actions[columns].setChecked(True)

    def _report(self, message: str) -> None:
        self.errors.append(message)
        self.statusBar().showMessage(message, 10_000)
        self.feed_failed.emit(message)

    def open_files_dialog(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(VIDEO_SUFFIXES))
        files, _ = QFileDialog.getOpenFileNames(
            self, "Open video files", "", f"Videos ({patterns});;All files (*)"
        )
        if files:
            self.open_feeds(files)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of videos or images")
        if folder:
            self.open_feeds([folder])

    # -- drag and drop ----------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        wanted = [
            p
            for p in paths
            if Path(p).is_dir() or Path(p).suffix.lower() in VIDEO_SUFFIXES | IMAGE_SUFFIXES
        ]
        if wanted:
            self.open_feeds(wanted)
            event.acceptProposedAction()
        elif paths:
            self._report(f"{paths[0]}: not a video file or folder")

    # -- transport ----------------------------------------------------------------------

    def toggle_play(self) -> None:
        self.clock.toggle()
        self.tick()

    def play(self) -> None:
        self.clock.play()
        self.tick()

    def pause(self) -> None:
        self.clock.pause()
        self.tick()

    def seek(self, seconds: float) -> None:
        self.clock.seek(seconds)
        self.tick()

    def set_speed(self, speed: float) -> None:
        self.clock.speed = speed
        self.tick()

    def faster(self) -> None:
        self.clock.faster()
        self.tick()

    def slower(self) -> None:
        self.clock.slower()
        self.tick()

    def frame_period(self) -> float:
        """One frame of the fastest feed: a step moves every feed by at most one frame."""
        rates = [s.info.fps for s in self._snapshots() if s.info is not None]
        return 1.0 / max(rates) if rates else 1.0 / 25.0

    def step(self, direction: int) -> None:
        """Pause and move one frame; lands on frame boundaries so steps never drift."""
        period = self.frame_period()
        self.clock.pause()
        current = round(self.clock.position() / period)
        self.clock.seek(max(0, current + direction) * period)
        self.tick()

    # -- the timer ----------------------------------------------------------------------

    def _snapshots(self) -> list:
        return [f.player.snapshot() for f in self.feeds]

    def _update_duration(self) -> None:
        durations = [
            s.info.duration
            for s in self._snapshots()
            if s.info is not None and s.info.duration is not None
        ]
        duration = max(durations, default=0.0)
        if duration != self.clock.duration:
            self.clock.duration = duration

    def tick(self) -> None:
        """Advance the clock, ask every feed for its frame, repaint tiles that changed."""
        self._tick_clock.start()
        self._update_duration()
        position = self.clock.position()
        for feed in self.feeds:
            feed.player.request(position)
            snap = feed.player.snapshot()
            feed.tile.set_snapshot(snap)
            if snap.status is FeedStatus.ERROR and not feed.reported:
                feed.reported = True
                self._report(snap.error or f"{feed.spec}: unknown error")
        self.transport.show_state(
            position, self.clock.duration, self.clock.playing, self.clock.speed
        )
        ready = sum(1 for s in self._snapshots() if s.status is FeedStatus.READY)
        self._status.setText(f"{ready}/{len(self.feeds)} feeds  ·  {self.clock.speed:g}x")
        self.longest_tick_ms = max(self.longest_tick_ms, self._tick_clock.nsecsElapsed() / 1e6)

    def all_settled(self) -> bool:
        """True when every feed shows the frame at the clock's time (or has failed)."""
        return all(f.player.settled() for f in self.feeds)

    # -- dialogs and shutdown -----------------------------------------------------------

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        from dronewatch import __version__

        QMessageBox.about(
            self,
            "About DroneWatch",
            f"DroneWatch {__version__}<br>Watch, replay and review drone video feeds.",
        )

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop every decoder thread; True if all ended in time."""
        self._timer.stop()
        for feed in self.feeds:
            feed.player.stop(timeout=0)  # signal every thread first, then wait
        return all(feed.player.stop(timeout=timeout) for feed in self.feeds)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.shutdown():
            print("dronewatch: a decoder thread did not stop in time", file=sys.stderr)
        event.accept()
