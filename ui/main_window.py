"""The main window: feed grid, transport, timeline, sightings table; one timer drives all.

Decoding and analysis run on each feed's own threads. The GUI timer pulls the latest
frame of every feed from its slot (~30 Hz) and repaints only tiles that changed; the
sightings views refresh from the store once a second.
"""

from __future__ import annotations

import base64
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QByteArray, QElapsedTimer, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings
from dronewatch.annotate import Hud, OverlayOptions, annotate
from dronewatch.errors import DroneWatchError
from dronewatch.exports import ExportFilter, export_sightings
from dronewatch.exports.clip import render_clip
from dronewatch.live.analysis_process import ProcessFeedAnalysis
from dronewatch.live.feed_analysis import FeedAnalysis
from dronewatch.live.feed_telemetry import FeedTelemetry, footprint, hud_line, load_feed_telemetry
from dronewatch.live.sighting_rows import (
    OpenFeed,
    SightingRow,
    class_counts,
    collect_rows,
    first_positions,
    next_sighting,
)
from dronewatch.live.track_index import TrackIndex
from dronewatch.playback import FeedPlayer, FeedStatus, PlaybackClock, PlayerSnapshot
from dronewatch.playback.live_player import LivePlayer
from dronewatch.review.log_import import import_log
from dronewatch.review.reference import import_reference
from dronewatch.sources import SIM_PREFIX, expand_feed_paths, open_source
from dronewatch.sources.image_sequence import IMAGE_SUFFIXES
from dronewatch.sources.stream_url import is_stream_url
from dronewatch.sources.video_file import VIDEO_SUFFIXES
from dronewatch.store import SightingsReader, Store
from dronewatch.store.records import BookmarkRecord
from dronewatch.training.session import TrainingSession, list_sessions
from dronewatch.training.session_score import ground_truth_beside, score_session
from dronewatch.workspace import Workspace
from ui.background_job import BackgroundJob, run_with_progress
from ui.export_dialog import ExportDialog
from ui.feed_grid import FeedGrid
from ui.feed_tile import FeedTile, live_badge
from ui.library_panel import LibraryPanel, analyse_library, scan_folder
from ui.map_view import MapView
from ui.operator_marks import MarkController
from ui.review_actions import ReviewController
from ui.scorecard_dialog import HistoryDialog, ScorecardDialog
from ui.sightings_table import SightingsPanel
from ui.timeline import TimelineWidget
from ui.training import TrainingController
from ui.transport_bar import TransportBar
from ui.window_menus import SHORTCUTS, build_menus

TICK_MS = 33  # one GUI timer at ~30 Hz pulls frames from every feed's slot
SIGHTINGS_REFRESH_MS = 1000
JUMP_SECONDS = 5.0
ACTIVITY_BIN_S = 0.5


def _still_there(spec: str) -> bool:
    """A saved feed worth reopening: simulated, a stream, or a path that still exists."""
    return spec.startswith(SIM_PREFIX) or is_stream_url(spec) or Path(spec).exists()


@dataclass(eq=False)
class Feed:
    feed_id: str
    spec: str
    player: FeedPlayer
    tile: FeedTile
    analysis: FeedAnalysis | None = None
    analysis_key: str = ""  # feeds of one file share one analysis
    telemetry: FeedTelemetry | None = None  # MISB KLV of the file, loaded in the background
    offset_s: float = 0.0  # the clip starts this long after the shared clock's zero
    reported: bool = False  # its error went to stderr already


class MainWindow(QMainWindow):
    """Plays many feeds against one clock, tracks targets on them, logs their sightings."""

    feed_failed = Signal(str)  # one-line message naming the file and the problem

    def __init__(
        self,
        store: Store | None = None,
        analyse: bool = True,
        parent: QWidget | None = None,
        settings: AnalysisSettings = DEFAULT_SETTINGS,
    ) -> None:
        """``settings``: the model and ``--set`` overrides every feed is analysed with."""
        super().__init__(parent)
        self.analysis_settings = settings
        self.setWindowTitle("DroneWatch")
        self.setAcceptDrops(True)
        self.clock = PlaybackClock()
        self.feeds: list[Feed] = []
        self.errors: list[str] = []
        self._next_id = 1
        self.selected: Feed | None = None
        self.selected_sighting: int | None = None
        self.store = store
        self._reader = SightingsReader(store.path) if store is not None else None
        self.analysis_on = analyse
        self.overlays = OverlayOptions()
        self.sighting_rows: list[SightingRow] = []
        self.layout_actions: dict[int | None, QAction] = {}
        self.overlay_actions: dict[str, QAction] = {}

        self.grid = FeedGrid()
        self.setCentralWidget(self.grid)
        self.transport = TransportBar()
        bar = QToolBar("Transport")
        bar.setObjectName("transport")
        bar.setMovable(False)
        bar.addWidget(self.transport)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)
        self._status = QLabel()
        self._counts = QLabel()
        self.statusBar().addPermanentWidget(self._counts)
        self.statusBar().addPermanentWidget(self._status)

        self.timeline = TimelineWidget()
        self.table = SightingsPanel()
        self._timeline_dock = self._dock(
            "Timeline", "timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.map_view = MapView()
        self._map_dock = self._dock(
            "Map", "map", self.map_view, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.library = LibraryPanel()
        self._library_dock = self._dock(
            "Library", "library", self.library, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._table_dock = self._dock(
            "Sightings", "sightings", self.table, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.transport.play_toggled.connect(self.toggle_play)
        self.transport.step_requested.connect(self.step)
        self.transport.seek_requested.connect(self.seek)
        self.transport.speed_changed.connect(self.set_speed)
        self.timeline.seek_requested.connect(self.seek)
        self.timeline.sighting_clicked.connect(lambda sid: self.select_sighting(sid, seek=True))
        self.timeline.next_requested.connect(lambda: self.jump_to_sighting(True))
        self.timeline.previous_requested.connect(lambda: self.jump_to_sighting(False))
        self.table.sighting_selected.connect(lambda sid: self.select_sighting(sid, seek=False))
        self.table.sighting_activated.connect(lambda sid: self.select_sighting(sid, seek=True))
        self.table.bookmarks.itemDoubleClicked.connect(
            lambda item: self.seek(float(item.data(Qt.ItemDataRole.UserRole)))
        )
        self.review = ReviewController(self)
        self.marks = MarkController(self)
        self.training = TrainingController(self)
        self._review_session: TrainingSession | None = None
        self.review_points: list[tuple[float, str]] = []  # after-action review: time, what
        self.bookmark_rows: list[BookmarkRecord] = []
        self._jobs: list[BackgroundJob] = []
        self._no_reference: set[int] = set()
        build_menus(self)
        self.review.update_actions()
        self.table.context_menu_requested.connect(self.review.sighting_menu)
        self.docks_menu.addAction(self._timeline_dock.toggleViewAction())
        self.docks_menu.addAction(self._table_dock.toggleViewAction())
        self.docks_menu.addAction(self._library_dock.toggleViewAction())
        self.docks_menu.addAction(self._map_dock.toggleViewAction())
        self.tabifyDockWidget(self._table_dock, self._map_dock)
        self.tabifyDockWidget(self._table_dock, self._library_dock)
        self._table_dock.raise_()
        self.library.open_requested.connect(lambda path: self.open_feeds([path]))
        self.map_view.sighting_clicked.connect(lambda sid: self.select_sighting(sid, seek=True))
        self.library.analyse_requested.connect(self.analyse_library)
        self.library.search_button.clicked.connect(self.search_database)
        self.library.search_text.returnPressed.connect(self.search_database)
        self.library.search_result_activated.connect(self.open_search_result)
        self.analysis_action.setChecked(analyse)

        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.tick)
        self._timer.start(TICK_MS)
        self._sightings_timer = QTimer(self)
        self._sightings_timer.timeout.connect(self.refresh_sightings)
        self._sightings_timer.start(SIGHTINGS_REFRESH_MS)
        self.longest_tick_ms = 0.0
        self._tick_clock = QElapsedTimer()
        self._playhead_drawn_at = 0.0
        self._telemetry_drawn_at = 0.0
        self._pending_seek: float | None = None

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        if not getattr(self, "_docks_sized", False):
            self._docks_sized = True
            # The feeds are the point: give the docks a modest share of a fresh window.
            height = max(200, min(300, self.height() // 3))
            self.resizeDocks([self._timeline_dock], [height], Qt.Orientation.Vertical)
            width = max(320, min(460, self.width() // 3))
            self.resizeDocks([self._table_dock], [width], Qt.Orientation.Horizontal)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    # -- feeds ------------------------------------------------------------------------------

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
        is_sim = spec.startswith(SIM_PREFIX)
        live = is_stream_url(spec)
        name = spec if is_sim or live else Path(spec).name
        player: FeedPlayer | LivePlayer
        if live:
            player = LivePlayer(name, lambda s=spec: open_source(s))
        else:
            player = FeedPlayer(name, lambda s=spec: open_source(s))
        tile = FeedTile(feed_id, name)
        tile.live = live
        feed = Feed(feed_id, spec, player, tile)
        tile.clicked.connect(lambda _t, f=feed: self.select(f))
        tile.double_clicked.connect(lambda t, f=feed: self._toggle_enlarged(f))
        tile.track_clicked.connect(lambda _t, track, f=feed: self.select_track(f, track))
        tile.box_drawn.connect(lambda _t, box, f=feed: self._box_drawn(f, box))
        tile.point_clicked.connect(lambda _t, x, y, f=feed: self.training.mark(f, x, y))
        tile.context_menu_requested.connect(lambda _t, pos, f=feed: self._tile_menu(f, pos))
        tile.options = self.overlays
        self.feeds.append(feed)
        self.grid.add_tile(tile)
        player.start()
        player.request(self.clock.position())
        if live:
            tile.hud_state = "LIVE"
        if self.analysis_on:
            self._start_analysis(feed)
        if not is_sim and not live:
            threading.Thread(
                target=self._load_telemetry, args=(feed,), name="telemetry", daemon=True
            ).start()
        return feed

    def _load_telemetry(self, feed: Feed) -> None:
        """Background: read the file's KLV (if any) once; the GUI timer picks it up."""
        feed.telemetry = load_feed_telemetry(feed.spec)

    def _start_analysis(self, feed: Feed) -> None:
        """Analyse the feed in a worker process; feeds of the same file share one analysis.
        A live stream's worker reads the frames its player takes (a stream opens only
        once), handed over in shared memory."""
        if feed.analysis is not None:
            feed.analysis.set_enabled(True)
            feed.tile.track_index = feed.analysis.index
            return
        analysis: FeedAnalysis | None
        if isinstance(feed.player, LivePlayer):
            started = datetime.now(UTC).isoformat(timespec="seconds")
            key = f"live:{feed.feed_id}"
            live = ProcessFeedAnalysis(
                feed.tile.name,
                feed.spec,
                self.store,
                settings=self.analysis_settings,
                live_frames=True,
                clip_key=f"live:{feed.spec}@{started}",
            )
            live.start()
            feed.player.tap = live.frame_writer
            analysis = live
        else:
            is_sim = feed.spec.startswith(SIM_PREFIX)
            path = None if is_sim else Path(feed.spec)
            key = feed.spec if is_sim else str(Path(feed.spec).resolve())
            shared = (f.analysis for f in self.feeds if f.analysis_key == key)
            analysis = next((a for a in shared if a is not None), None)
            if analysis is None:
                analysis = ProcessFeedAnalysis(
                    feed.tile.name, feed.spec, self.store, path, settings=self.analysis_settings
                )
                analysis.set_playhead(self.clock.position())
                analysis.start()
        feed.analysis = analysis
        feed.analysis_key = key
        feed.tile.track_index = analysis.index

    def set_feed_analysis(self, feed: Feed, enabled: bool) -> None:
        """Turn analysis of one feed on or off (off pauses it; on resumes where it was)."""
        if enabled:
            self._start_analysis(feed)
        elif feed.analysis is not None:
            feed.analysis.set_enabled(False)
        feed.tile.track_index = feed.analysis.index if enabled and feed.analysis else None
        feed.tile.analysis = None if not enabled else feed.tile.analysis
        feed.tile.refresh_overlays()

    def set_analysis_for_all(self, enabled: bool) -> None:
        self.analysis_on = enabled
        self.analysis_action.setChecked(enabled)
        for feed in self.feeds:
            self.set_feed_analysis(feed, enabled)

    def _tile_menu(self, feed: Feed, pos: QPoint) -> None:
        menu = QMenu(self)
        local = feed.tile.mapFromGlobal(pos)
        track = feed.tile.track_at(local.x(), local.y())
        row = self.row_for_track(feed, track) if track is not None else None
        if row is not None:
            self.select_sighting(row.sighting_id, seek=False)
            self.review.add_sighting_actions(menu, row.sighting_id)
            menu.addSeparator()
        on = feed.analysis is not None and feed.analysis.enabled
        on = on and feed.tile.track_index is not None
        action = menu.addAction("Analyse this feed")
        action.setCheckable(True)
        action.setChecked(on)
        action.toggled.connect(lambda checked: self.set_feed_analysis(feed, checked))
        menu.addAction("Save a snapshot…", lambda: self.save_snapshot(feed))
        menu.addAction(f"Time offset ({feed.offset_s:+.2f} s)…", lambda: self.offset_dialog(feed))
        source = getattr(feed.player, "source", None)
        if source is not None:
            label = "Stop recording" if source.recording is not None else "Record this stream…"
            menu.addAction(label, lambda: self.toggle_recording(feed))
        menu.addAction("Close this feed", lambda: self.close_feed(feed))
        menu.popup(pos)

    def row_by_id(self, sighting_id: int) -> SightingRow | None:
        return next((r for r in self.sighting_rows if r.sighting_id == sighting_id), None)

    def row_for_track(self, feed: Feed, track_id: int) -> SightingRow | None:
        return next(
            (r for r in self.sighting_rows if r.feed_id == feed.feed_id and r.track_id == track_id),
            None,
        )

    def selected_row(self) -> SightingRow | None:
        return self.row_by_id(self.selected_sighting) if self.selected_sighting else None

    def review_selected(self, action: str) -> None:
        """Keyboard review of the selected sighting: confirm, dismiss or note."""
        row = self.selected_row()
        if row is None:
            self.statusBar().showMessage("Select a sighting first (click its box or row)", 5000)
            return
        {
            "confirm": self.review.confirm,
            "dismiss": self.review.dismiss,
            "note": self.review.edit_note_dialog,
        }[action](row.sighting_id)

    def bookmark_feed(self) -> Feed | None:
        candidates = [self.selected] if self.selected else []
        candidates += self.feeds
        return next((f for f in candidates if f and f.analysis and f.analysis.clip_id), None)

    def bookmark_dialog(self) -> None:
        was_playing = self.clock.playing
        self.pause()  # the moment marked is the one on screen
        note, ok = QInputDialog.getText(self, "Bookmark", "Note (optional):")
        if ok:
            self.add_bookmark(note)
        if was_playing:
            self.play()

    def add_bookmark(self, note: str = "") -> int | None:
        """Mark the current moment (on the selected feed's clip, else the first one)."""
        feed = self.bookmark_feed()
        if feed is None or self.store is None or feed.analysis is None:
            self.statusBar().showMessage("No analysed feed to bookmark", 5000)
            return None
        assert feed.analysis.clip_id is not None
        time_s = self.clock.position()
        bookmark_id = self.store.add_bookmark(
            feed.analysis.clip_id, time_s, note, self.review.operator
        )
        self.statusBar().showMessage(
            f"Bookmark at {time_s:.2f} s on {feed.tile.name} (note it in the Bookmarks list)",
            5000,
        )
        self.refresh_sightings()
        return bookmark_id

    def close_feed(self, feed: Feed) -> None:
        feed.player.stop(timeout=2.0)
        self.map_view.remove_feed(feed.feed_id)
        shared = any(f is not feed and f.analysis is feed.analysis for f in self.feeds)
        if feed.analysis is not None and not shared:
            feed.analysis.stop(timeout=2.0)
        self.feeds.remove(feed)
        self.grid.remove_tile(feed.tile)
        if self.selected is feed:
            self.selected = None
        self._update_duration()
        self.refresh_sightings()

    def close_selected_feed(self) -> None:
        feed = self.selected or (self.feeds[-1] if self.feeds else None)
        if feed is not None:
            self.close_feed(feed)

    def select(self, feed: Feed | None) -> None:
        if feed is not None and feed is not self.selected:
            self.training.note("focus", feed=feed.spec)
        self.selected = feed
        for f in self.feeds:
            f.tile.set_selected(f is feed)

    def set_layout(self, columns: int | None) -> None:
        self.grid.set_columns(columns)
        self.layout_actions[columns].setChecked(True)

    def enlarge_tile(self, position: int) -> None:
        if 0 <= position < len(self.feeds):
            tile = self.feeds[position].tile
            if self.grid.enlarged is not tile:
                self.grid.toggle_enlarged(tile)
                self.training.note("enlarge", feed=self.feeds[position].spec)

    def set_offset(self, feed: Feed, offset_s: float) -> None:
        """Shift a feed on the shared clock (it started ``offset_s`` after time zero)."""
        feed.offset_s = float(offset_s)
        self._update_duration()
        self.sighting_rows = []  # rebuild with the new times
        self.refresh_sightings()
        self.tick()

    def offset_dialog(self, feed: Feed) -> None:
        value, ok = QInputDialog.getDouble(
            self,
            "Time offset",
            f"{feed.tile.name} starts this many seconds after the others:",
            feed.offset_s,
            -86400.0,
            86400.0,
            3,
        )
        if ok:
            self.set_offset(feed, value)

    def align_by_telemetry(self) -> int:
        """Line feeds up by their KLV absolute time; returns how many were aligned."""
        starts: dict[str, float] = {}
        for feed in self.feeds:
            telemetry = feed.telemetry
            if telemetry is None:
                continue
            for t, packet in zip(telemetry.times, telemetry.packets, strict=True):
                stamp = packet.values.get("precision_time_stamp")
                if isinstance(stamp, int | float):
                    starts[feed.feed_id] = float(stamp) / 1e6 - t  # UNIX time of video t=0
                    break
        if len(starts) < 2:
            self.statusBar().showMessage("Alignment needs two feeds with KLV time stamps", 8000)
            return 0
        first = min(starts.values())
        for feed in self.feeds:
            if feed.feed_id in starts:
                feed.offset_s = starts[feed.feed_id] - first
        self.set_offset(self.feeds[0], self.feeds[0].offset_s)  # refresh everything once
        self.statusBar().showMessage(f"Aligned {len(starts)} feeds by telemetry time", 8000)
        return len(starts)

    def _box_drawn(self, feed: Feed, box: tuple[float, float, float, float]) -> None:
        """A dragged box: a trainee's mark (its centre) in training, else a followed mark."""
        if self.training.active:
            self.training.mark(feed, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        else:
            self.marks.start(feed, box)

    def _toggle_enlarged(self, feed: Feed) -> None:
        self.grid.toggle_enlarged(feed.tile)
        enlarged = self.grid.enlarged is feed.tile
        self.training.note("enlarge" if enlarged else "grid", feed=feed.spec)

    def restore_grid(self) -> None:
        if self.grid.enlarged is not None:
            self.grid.toggle_enlarged(self.grid.enlarged)
            self.training.note("grid")

    def set_overlay(self, key: str, on: bool) -> None:
        values = {
            k: getattr(self.overlays, k) for k in ("boxes", "ids", "trails", "hud", "reference")
        }
        values[key] = on
        self.overlays = OverlayOptions(**values)
        self.overlay_actions[key].setChecked(on)
        for feed in self.feeds:
            feed.tile.options = self.overlays
            feed.tile.refresh_overlays()

    def _report(self, message: str) -> None:
        self.errors.append(message)
        self.statusBar().showMessage(message, 10_000)
        self.feed_failed.emit(message)

    def open_stream_dialog(self) -> None:
        url, ok = QInputDialog.getText(
            self, "Open a live stream", "URL (rtsp://, udp://, http(s)://, srt://, tcp://):"
        )
        if ok and url.strip():
            if is_stream_url(url.strip()):
                self.open_feeds([url.strip()])
            else:
                self.warn("Not a stream URL", f"{url}: not an rtsp, udp, http(s), srt or tcp URL")

    def toggle_recording(self, feed: Feed, path: Path | None = None) -> Path | None:
        """Record a live stream to a file while watching it (one click on, one off)."""
        source = getattr(feed.player, "source", None)
        if source is None:
            return None
        if source.recording is not None:
            done = source.stop_recording()
            self.statusBar().showMessage(f"Recording saved: {done}", 8000)
            return done
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Record stream to", "stream.ts", "*.ts")
            if not name:
                return None
            path = Path(name)
        try:
            source.start_recording(path)
        except DroneWatchError as exc:
            self.warn("Cannot record", str(exc))
            return None
        self.statusBar().showMessage(f"Recording {feed.tile.name} to {path}", 8000)
        return path

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

    # -- drag and drop ----------------------------------------------------------------------

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

    # -- transport --------------------------------------------------------------------------

    def toggle_play(self) -> None:
        self.clock.toggle()
        self.training.note("play" if self.clock.playing else "pause")
        self.tick()

    def play(self) -> None:
        self.clock.play()
        self.tick()

    def pause(self) -> None:
        self.clock.pause()
        self.tick()

    def seek(self, seconds: float) -> None:
        self.training.note("seek", value=seconds)
        self._update_duration()
        if self.clock.duration == 0 and seconds > 0:
            self._pending_seek = seconds  # feeds still opening: go there once they are
        self.clock.seek(seconds)
        self.tick()

    def jump(self, seconds: float) -> None:
        self.clock.seek(self.clock.position() + seconds)
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
        self.training.note("step", value=float(direction))
        current = round(self.clock.position() / period)
        self.clock.seek(max(0, current + direction) * period)
        self.tick()

    # -- sightings --------------------------------------------------------------------------

    def feed_by_id(self, feed_id: str) -> Feed | None:
        return next((f for f in self.feeds if f.feed_id == feed_id), None)

    def select_sighting(self, sighting_id: int | None, seek: bool) -> None:
        """Select a sighting in table, timeline and tile; optionally seek all feeds to it."""
        row = next((r for r in self.sighting_rows if r.sighting_id == sighting_id), None)
        self.selected_sighting = row.sighting_id if row else None
        self.timeline.select_sighting(self.selected_sighting)
        self.table.select_sighting(self.selected_sighting)
        for feed in self.feeds:
            mine = row is not None and feed.feed_id == row.feed_id
            feed.tile.selected_track = row.track_id if mine and row else None
            feed.tile.refresh_overlays()
        if row is None:
            return
        self.select(self.feed_by_id(row.feed_id))
        if seek:
            self.clock.pause()
            self.seek(row.start_s)

    def select_track(self, feed: Feed, track_id: int) -> None:
        row = self.row_for_track(feed, track_id)
        if row is not None:
            self.select_sighting(row.sighting_id, seek=False)
        else:
            feed.tile.selected_track = track_id
            feed.tile.refresh_overlays()

    def jump_to_sighting(self, forward: bool) -> None:
        if self.review_points:  # after-action review: step through the trainee's marks
            now, eps = self.clock.position(), 1e-3
            times = [t for t, _ in self.review_points]
            later = [t for t in times if t > now + eps]
            earlier = [t for t in times if t < now - eps]
            target = (
                (min(later) if later else None) if forward else (max(earlier) if earlier else None)
            )
            if target is not None:
                self.pause()
                self.seek(target)
            return
        row = next_sighting(self.sighting_rows, self.clock.position(), forward)
        if row is not None:
            self.select_sighting(row.sighting_id, seek=True)

    def _open_feeds_for_rows(self) -> list[OpenFeed]:
        return [
            OpenFeed(f.feed_id, f.tile.name, lane, f.analysis.clip_id if f.analysis else None)
            for lane, f in enumerate(self.feeds)
        ]

    def refresh_sightings(self) -> None:
        """Pull sightings of the open feeds from the store into the timeline and table."""
        names = [f.tile.name for f in self.feeds]
        self.timeline.set_lanes(names, self.clock.duration)
        rows: list[SightingRow] = []
        if self._reader is not None:
            try:
                rows = collect_rows(self._reader, self._open_feeds_for_rows())
                offsets = {f.feed_id: f.offset_s for f in self.feeds if f.offset_s}
                if offsets:  # clip times onto the shared clock
                    rows = [
                        replace(
                            r,
                            start_s=r.start_s + offsets.get(r.feed_id, 0.0),
                            end_s=r.end_s + offsets.get(r.feed_id, 0.0),
                        )
                        for r in rows
                    ]
            except DroneWatchError as exc:
                self.statusBar().showMessage(str(exc), 10_000)
        if rows != self.sighting_rows:
            self.sighting_rows = rows
            self.timeline.set_sightings([r for r in rows if not r.dismissed])
            self.table.set_rows(rows, names)
            self._hide_dismissed_tracks()
            self._show_sightings_on_map()
        self._load_reference_layers()
        self._update_training_review()
        bookmarks = self._bookmarks()
        if bookmarks != self.bookmark_rows and not self.review_points:
            self.bookmark_rows = bookmarks
            self.timeline.set_bookmarks([(b.time_s, b.note) for b in bookmarks])
            self.table.set_bookmarks(
                bookmarks, {f.analysis.clip_id: f.tile.name for f in self.feeds if f.analysis}
            )
        counts = class_counts(rows)
        self._counts.setText(
            f"{len(rows)} sightings: "
            + ", ".join(
                f"{n} {c.value}" for c, n in sorted(counts.items(), key=lambda kv: kv[0].value)
            )
            if rows
            else "no sightings yet"
        )
        self.timeline.set_activity(*self.activity())

    def _bookmarks(self) -> list[BookmarkRecord]:
        if self._reader is None:
            return []
        clips = {f.analysis.clip_id for f in self.feeds if f.analysis and f.analysis.clip_id}
        try:
            marks = [b for clip in clips for b in self._reader.bookmarks(clip)]
        except DroneWatchError:
            return []
        return sorted(marks, key=lambda b: (b.time_s, b.id))

    def _load_reference_layers(self) -> None:
        """Ground truth imported for a clip shows on its tiles (once per clip)."""
        if self._reader is None:
            return
        for feed in self.feeds:
            clip_id = feed.analysis.clip_id if feed.analysis else None
            if clip_id is None or feed.tile.reference_index is not None:
                continue
            if clip_id in self._no_reference:
                continue
            try:
                if self._reader.reference_layer(clip_id) is None:
                    self._no_reference.add(clip_id)
                    continue
                rows, classes = self._reader.reference_points(clip_id)
            except DroneWatchError:
                continue
            index = TrackIndex()
            index.load_points(rows, classes)
            feed.tile.reference_index = index
            feed.tile.refresh_overlays()

    def import_reference(self, path: Path, feed: Feed | None = None) -> int:
        """Import MOT ground truth as the reference layer of a feed's clip."""
        feed = feed or self.selected or (self.feeds[0] if self.feeds else None)
        if feed is None or self.store is None or feed.spec.startswith(SIM_PREFIX):
            raise DroneWatchError(f"{path}: open the video it belongs to first")
        result = import_reference(self.store, path, self.review.operator, feed.spec)
        self._no_reference.discard(result.clip_id)
        for f in self.feeds:
            if f.analysis and f.analysis.clip_id == result.clip_id:
                f.tile.reference_index = None
        self._load_reference_layers()
        self.statusBar().showMessage(
            f"Reference layer: {result.boxes} boxes from {path.name}", 8000
        )
        return result.boxes

    def import_log_file(self, path: Path, feed: Feed | None = None) -> object:
        """Import one of our CSV/JSON logs (all or nothing)."""
        if self.store is None:
            raise DroneWatchError(f"{path}: no database open")
        video = feed.spec if feed is not None else None
        result = import_log(self.store, path, self.review.operator, video)
        self.refresh_sightings()
        return result

    def import_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Import sightings log or ground truth",
            "",
            "Logs and ground truth (*.csv *.json *.txt);;All files (*)",
        )
        if not name:
            return
        path = Path(name)
        try:
            if path.suffix.lower() in (".csv", ".json"):
                self.import_log_file(path)
                self.statusBar().showMessage(f"Imported {path.name}", 8000)
            else:
                self.import_reference(path)
        except DroneWatchError as exc:
            self.warn("Import refused", str(exc))

    def _show_sightings_on_map(self) -> None:
        """Sightings with ground positions (see ``dronewatch geo``) on the Map dock."""
        if self._reader is None:
            return
        clips = [f.analysis.clip_id for f in self.feeds if f.analysis and f.analysis.clip_id]
        try:
            points = first_positions(self._reader, clips)
        except DroneWatchError:
            return
        self.map_view.show_sightings(points)

    def _hide_dismissed_tracks(self) -> None:
        for feed in self.feeds:
            hidden = frozenset(
                r.track_id for r in self.sighting_rows if r.feed_id == feed.feed_id and r.dismissed
            )
            if hidden != feed.tile.hidden_tracks:
                feed.tile.hidden_tracks = hidden
                feed.tile.refresh_overlays()

    def activity(self) -> tuple[np.ndarray, np.ndarray]:
        """Targets in view over time, summed over feeds, in half-second bins."""
        duration = max(self.clock.duration, ACTIVITY_BIN_S)
        bins = int(np.ceil(duration / ACTIVITY_BIN_S)) + 1
        total = np.zeros(bins, np.float32)
        for feed, snap in zip(self.feeds, self._snapshots(), strict=True):
            if feed.analysis is None or snap.info is None:
                continue
            counts = feed.analysis.index.counts()
            if not len(counts):
                continue
            slot = np.minimum(
                (np.arange(len(counts)) / snap.info.fps / ACTIVITY_BIN_S).astype(int), bins - 1
            )
            per_bin = np.zeros(bins, np.float32)
            np.maximum.at(per_bin, slot, counts)
            total += per_bin
        return np.arange(bins) * ACTIVITY_BIN_S, total

    # -- the timer --------------------------------------------------------------------------

    def _snapshots(self) -> list[PlayerSnapshot]:
        return [f.player.snapshot() for f in self.feeds]

    def _update_duration(self) -> None:
        durations = [
            s.info.duration + f.offset_s
            for f, s in zip(self.feeds, self._snapshots(), strict=True)
            if s.info is not None and s.info.duration is not None
        ]
        duration = max(durations, default=0.0)
        if duration != self.clock.duration:
            self.clock.duration = duration
            if self._pending_seek is not None and duration > 0:
                self.clock.seek(self._pending_seek)
                self._pending_seek = None
            self.timeline.set_lanes([f.tile.name for f in self.feeds], duration)

    def tick(self) -> None:
        """Advance the clock, ask every feed for its frame, repaint tiles that changed."""
        self._tick_clock.start()
        now = time.monotonic()
        self._update_duration()
        position = self.clock.position()
        state = "REPLAY" if self.clock.playing else "PAUSED"
        for feed in self.feeds:
            feed.player.request(max(0.0, position - feed.offset_s))
            tile = feed.tile
            feed.player.set_display_size(tile.wanted_display_size())
            live_source = getattr(feed.player, "source", None)
            if live_source is not None:
                tile.hud_speed, tile.hud_state = 1.0, "REC" if live_source.recording else "LIVE"
                tile.live_badge = live_badge(live_source, feed.player.dropped)
            else:
                tile.hud_speed, tile.hud_state = self.clock.speed, state
            if feed.analysis is not None:
                feed.analysis.set_playhead(position)
                if tile.track_index is not None:
                    tile.analysis = feed.analysis.stats()
            snap = feed.player.snapshot()
            tile.set_snapshot(snap)
            if snap.status is FeedStatus.ERROR and not feed.reported and live_source is None:
                feed.reported = True
                self._report(snap.error or f"{feed.spec}: unknown error")
        if self.marks.marks:
            self.marks.follow()
        if self.training.showing_marks:
            self.training.tick()
        if now - self._telemetry_drawn_at > 0.2:
            self._telemetry_drawn_at = now
            self._show_telemetry()
        self.transport.show_state(
            position, self.clock.duration, self.clock.playing, self.clock.speed
        )
        # Moving the playhead repaints the whole timeline: 10 Hz is smooth enough there.
        if not self.clock.playing or now - self._playhead_drawn_at > 0.1:
            self._playhead_drawn_at = now
            self.timeline.set_playhead(position)
        ready = sum(1 for s in self._snapshots() if s.status is FeedStatus.READY)
        self._status.setText(f"{ready}/{len(self.feeds)} feeds  ·  {self.clock.speed:g}x")
        self.longest_tick_ms = max(self.longest_tick_ms, self._tick_clock.nsecsElapsed() / 1e6)

    def _show_telemetry(self) -> None:
        for feed in self.feeds:  # live streams: their latest KLV packet
            source = getattr(feed.player, "source", None)
            if source is not None and source.klv is not None:
                text = hud_line(source.klv)
                if text != feed.tile.telemetry_text:
                    feed.tile.telemetry_text = text
                    feed.tile.update()
        """HUD telemetry line on each tile and the aircraft on the map."""
        for lane, feed in enumerate(self.feeds):
            telemetry, time_s = feed.telemetry, feed.tile.shown_time
            if telemetry is None or time_s is None:
                continue
            packet = telemetry.at(time_s)
            text = hud_line(packet) if packet is not None else ""
            if text != feed.tile.telemetry_text:
                feed.tile.telemetry_text = text
                feed.tile.update()
            if packet is None:
                continue
            lat, lon = packet.values.get("sensor_latitude"), packet.values.get("sensor_longitude")
            position = (float(lat), float(lon)) if lat is not None and lon is not None else None  # type: ignore[arg-type]
            info = feed.player.snapshot().info
            size = (info.width, info.height) if info else (0, 0)
            self.map_view.show_feed(
                feed.feed_id, lane, telemetry.track, position, footprint(packet, *size)
            )

    def all_settled(self) -> bool:
        """True when every feed shows the frame at the clock's time (or has failed)."""
        return all(f.player.settled() for f in self.feeds)

    # -- training -----------------------------------------------------------------------------

    def start_training_dialog(self) -> None:
        from ui.training_dialog import StartTrainingDialog

        dialog = StartTrainingDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            trainee, aid, delay = dialog.choice()
            try:
                self.training.start(trainee, aid, delay)
            except DroneWatchError as exc:
                self.warn("Cannot start the session", str(exc))

    def end_training(self, show: bool = True) -> ScorecardDialog | None:
        score = self.training.end()
        if score is None:
            return None
        dialog = ScorecardDialog(self.training.finished_session, score, self)
        if show:
            dialog.open()
        return dialog

    def show_history(self) -> HistoryDialog:
        dialog = HistoryDialog(list_sessions(self.training.folder), self)
        dialog.open()
        return dialog

    def review_training_dialog(self) -> None:
        from dronewatch.training.session import sessions_dir

        folder = self.training.folder or sessions_dir()
        name, _ = QFileDialog.getOpenFileName(self, "Review a session", str(folder), "*.json")
        if name:
            try:
                self.training.review(Path(name))
            except DroneWatchError as exc:
                self.warn("Cannot review the session", str(exc))

    def show_training_review(self, session: TrainingSession) -> None:
        """Put a recorded session's hits, false alarms and misses on the timeline."""
        self._review_session = session
        self._review_pending = True

    def _update_training_review(self) -> None:
        session = self._review_session
        if session is None or not getattr(self, "_review_pending", False):
            return
        infos = {f.spec: f.player.snapshot().info for f in self.feeds}
        if any(info is None for info in infos.values()):
            return  # feeds still opening
        self._review_pending = False
        fps = {spec: info.fps for spec, info in infos.items() if info is not None}
        refs = {spec: ground_truth_beside(spec) for spec in session.feeds}
        result = score_session(session, fps, refs)
        points: list[tuple[float, str]] = []
        for feed_name, feed_result in result.trainee.feeds:
            short = Path(feed_name).name
            for m in feed_result.marks:
                points.append((m.mark.time_s, f"{m.outcome.replace('_', ' ')} {short}"))
            for t in feed_result.targets:
                if not t.hit:
                    points.append((t.first_seen_s, f"missed {short} #{t.id}"))
        self.review_points = sorted(points)
        self.timeline.set_bookmarks([(t, label) for t, label in self.review_points])
        self.statusBar().showMessage(
            f"Reviewing {session.trainee}'s session: N / P step through marks and misses", 10_000
        )

    # -- library ----------------------------------------------------------------------------

    def open_library(self, folder: Path) -> None:
        """Show a folder of clips with what the database knows of each."""
        try:
            clips = scan_folder(folder, self._reader, self.analysis_settings.fingerprint())
        except OSError as exc:
            self.warn("Cannot open library", f"{folder}: {exc.strerror or exc}")
            return
        self.library.show_clips(folder, clips)
        self._library_dock.show()
        self._library_dock.raise_()

    def open_library_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of clips as a library")
        if folder:
            self.open_library(Path(folder))

    def analyse_library(self, paths: list[Path]) -> BackgroundJob | None:
        """Analyse the library's clips in the background (worker processes)."""
        if self.store is None or not paths:
            return None
        store = self.store
        settings = self.analysis_settings

        def work(progress: object, cancel: object) -> object:
            return analyse_library(store, list(paths), progress, cancel, settings)  # type: ignore[arg-type]

        job = BackgroundJob(f"Analysing {len(paths)} clips", work, self)
        job.finished.connect(lambda _r: self._library_analysed())
        job.failed.connect(self._export_failed)
        self._jobs.append(job)
        run_with_progress(self, job)
        return job

    def _library_analysed(self) -> None:
        self.store.flush() if self.store is not None else None
        if self.library.folder is not None:
            self.open_library(self.library.folder)
        self.statusBar().showMessage("Library analysed", 8000)

    def search_database(self) -> int:
        """Search every clip's sightings in the database; results in the library panel."""
        if self._reader is None:
            return 0
        try:
            found = self._reader.find_sightings(self.library.query())
            clips = {c.id: c for c in self._reader.clips()}
        except DroneWatchError as exc:
            self.warn("Search failed", str(exc))
            return 0
        rows = [
            (
                clips[s.clip_id].path,
                clips[s.clip_id].name,
                s.track_id,
                s.target_class.value,
                s.start_s,
                s.status.value,
                s.note,
            )
            for s in found
            if s.clip_id in clips
        ]
        self.library.show_results(rows)
        self._library_dock.show()
        self._library_dock.raise_()
        return len(rows)

    def open_search_result(self, path: str, time_s: float) -> None:
        """Open the clip of a search result (unless open) and go to the sighting."""
        resolved = str(Path(path).resolve())
        if not any(f.analysis_key == resolved or f.spec == path for f in self.feeds):
            self.open_feeds([path])
        self._pending_seek = time_s
        if self.clock.duration >= time_s:
            self.seek(time_s)
            self._pending_seek = None

    # -- exports ----------------------------------------------------------------------------

    def open_export_dialog(self) -> None:
        if self.store is None:
            return
        dialog = ExportDialog([f.tile.name for f in self.feeds], self.clock.duration, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.run_export(*dialog.choice())

    def run_export(self, fmt: str, out: Path, filters: ExportFilter) -> BackgroundJob | None:
        """Export in the background with a progress dialog; PDF prints on this thread."""
        assert self.store is not None
        self.store.flush()
        db = self.store.path

        def work(progress: object, cancel: object) -> object:
            return export_sightings(
                db,
                fmt,
                out,
                filters,
                progress=progress,
                should_cancel=cancel,  # type: ignore[arg-type]
            )

        if fmt == "pdf":  # Qt's text layout and PDF printer belong to the GUI thread
            try:
                result = work(None, None)
            except DroneWatchError as exc:
                self._export_failed(str(exc))
                return None
            self._export_done(result)
            return None
        job = BackgroundJob(f"Exporting {fmt.upper()}", work, self)
        job.finished.connect(self._export_done)
        job.failed.connect(self._export_failed)
        self._jobs.append(job)
        run_with_progress(self, job)
        return job

    def _export_done(self, result: object) -> None:
        paths = getattr(result, "paths", None) or [getattr(result, "path", "")]
        self.statusBar().showMessage(f"Exported to {', '.join(map(str, paths))}", 10_000)

    def _export_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)
        self.warn("Export failed", message)

    def export_sighting_clip(
        self, sighting_id: int, out: Path | None = None
    ) -> BackgroundJob | None:
        """Render a sighting (2 s either side) with the live view's overlays to MP4."""
        row = self.row_by_id(sighting_id)
        feed = self.feed_by_id(row.feed_id) if row else None
        if row is None or feed is None or feed.spec.startswith(SIM_PREFIX) or self.store is None:
            return None
        if out is None:
            default = str(
                Path(feed.spec).with_name(f"{Path(feed.spec).stem}-track{row.track_id}.mp4")
            )
            name, _ = QFileDialog.getSaveFileName(self, "Export clip", default, "MP4 (*.mp4)")
            if not name:
                return None
            out = Path(name)
        self.store.flush()
        db, video, overlays = self.store.path, feed.spec, self.overlays

        def work(progress: object, cancel: object) -> object:
            return render_clip(
                video,
                db,
                out,
                max(0.0, row.start_s - 2),
                row.end_s + 2,
                overlays,
                progress=progress,
                should_cancel=cancel,  # type: ignore[arg-type]
            )

        job = BackgroundJob("Rendering clip", work, self)
        job.finished.connect(
            lambda r: self.statusBar().showMessage(
                f"Clip written: {getattr(r, 'path', out)}", 10_000
            )
        )
        job.failed.connect(self._export_failed)
        self._jobs.append(job)
        run_with_progress(self, job)
        return job

    def save_snapshot(self, feed: Feed, out: Path | None = None) -> Path | None:
        """The tile's current frame with its overlays (and HUD) as a PNG."""
        snap = feed.player.snapshot()
        if snap.packet is None:
            return None
        if out is None:
            name, _ = QFileDialog.getSaveFileName(
                self,
                "Save snapshot",
                f"{Path(feed.tile.name).stem}-{snap.packet.index + 1}.png",
                "PNG (*.png)",
            )
            if not name:
                return None
            out = Path(name)
        index = feed.tile.track_index
        tracks = [
            t
            for t in (index.tracks_at(snap.packet.index) if index else ())
            if t.track_id not in feed.tile.hidden_tracks
        ]
        fps = snap.info.fps if snap.info else 25.0
        trails = index.trails(snap.packet.index, round(3 * fps)) if index and tracks else {}
        hud = Hud(feed.tile.name, snap.packet.time_s, snap.packet.index, self.clock.speed, "REPLAY")
        image = annotate(
            snap.packet.image, tracks, trails, self.overlays, hud, feed.tile.selected_track
        )
        if not cv2.imwrite(str(out), image):
            self._export_failed(f"{out}: cannot write the snapshot")
            return None
        self.statusBar().showMessage(f"Snapshot saved: {out}", 8000)
        return out

    # -- workspace --------------------------------------------------------------------------

    def workspace(self) -> Workspace:
        return Workspace(
            feeds=[f.spec for f in self.feeds],
            layout_columns=self.grid.columns,
            boxes=self.overlays.boxes,
            ids=self.overlays.ids,
            trails=self.overlays.trails,
            hud=self.overlays.hud,
            analysis=self.analysis_on,
            position_s=self.clock.position(),
            geometry=base64.b64encode(bytes(self.saveGeometry().data())).decode(),
            window_state=base64.b64encode(bytes(self.saveState().data())).decode(),
            offsets={f.spec: f.offset_s for f in self.feeds if f.offset_s},
        )

    def apply_workspace(self, ws: Workspace, open_feeds: bool = True) -> None:
        if ws.geometry:
            self.restoreGeometry(QByteArray(base64.b64decode(ws.geometry)))
        if ws.window_state:
            self.restoreState(QByteArray(base64.b64decode(ws.window_state)))
        for key in ("boxes", "ids", "trails", "hud"):
            self.set_overlay(key, getattr(ws, key))
        self.analysis_on = ws.analysis
        self.analysis_action.setChecked(ws.analysis)
        if open_feeds:
            for feed in list(self.feeds):
                self.close_feed(feed)
            present = [f for f in ws.feeds if _still_there(f)]
            if len(present) < len(ws.feeds):
                gone = len(ws.feeds) - len(present)
                self.statusBar().showMessage(
                    f"{gone} feed(s) of the saved workspace are no longer on disk", 10_000
                )
            for feed in self.open_feeds(present):
                feed.offset_s = ws.offsets.get(feed.spec, 0.0)
            self._pending_seek = ws.position_s  # once the feeds' lengths are known
        self.set_layout(ws.layout_columns)

    def open_workspace_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open workspace", "", "Workspace (*.json)")
        if path:
            try:
                self.apply_workspace(Workspace.load(Path(path)))
            except DroneWatchError as exc:
                self.warn("Cannot open workspace", str(exc))

    def save_workspace_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save workspace", "workspace.json", "*.json")
        if path:
            try:
                self.workspace().save(Path(path))
            except DroneWatchError as exc:
                self.warn("Cannot save workspace", str(exc))

    # -- dialogs and shutdown ---------------------------------------------------------------

    def warn(self, title: str, message: str) -> QMessageBox:
        """A warning that does not block: the feeds keep playing behind it."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in SHORTCUTS
        )
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def show_about(self) -> None:
        from dronewatch import __version__

        QMessageBox.about(
            self,
            "About DroneWatch",
            f"DroneWatch {__version__}<br>Watch, replay and review drone video feeds.",
        )

    def shutdown(self, timeout: float = 2.0) -> bool:
        """Stop every decoder and analysis worker; True if all ended within ``timeout``."""
        self._timer.stop()
        self._sightings_timer.stop()
        analyses = {id(f.analysis): f.analysis for f in self.feeds if f.analysis is not None}
        for feed in self.feeds:  # signal everything first, then wait on one deadline
            feed.player.stop(timeout=0)
        for analysis in analyses.values():
            analysis.request_stop()
        deadline = time.monotonic() + timeout
        ok = True
        for feed in self.feeds:
            ok = feed.player.stop(timeout=max(0.0, deadline - time.monotonic())) and ok
        for analysis in analyses.values():
            ok = analysis.stop(timeout=max(0.1, deadline - time.monotonic())) and ok
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        return ok

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing_workspace = self.workspace()
        if not self.shutdown():
            print("dronewatch: a decoder thread did not stop in time", file=sys.stderr)
        event.accept()
