"""Start the desktop app, or render it offscreen to a PNG (``--screenshot``)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings
from ui.qt_env import has_display, remove_opencv_qt_paths

NO_DISPLAY_MESSAGE = (
    "dronewatch: no display found (DISPLAY is not set). Run the app on a virtual "
    "screen with:  xvfb-run -a make run   (or render a still with --screenshot PNG)"
)
SETTLE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class AppOptions:
    feeds: list[str]
    db_path: Path
    screenshot: Path | None = None
    at: float = 0.0
    size: tuple[int, int] = (1280, 800)
    play: bool = True
    analyse: bool = True
    workspace: Path | None = None  # restore from and save to this file
    select_sighting: bool = False  # screenshot: select the sighting nearest ``at``
    settings: AnalysisSettings = DEFAULT_SETTINGS  # --model and --set


def run_app(options: AppOptions) -> int:
    """Run the window; exit code 1 if any feed failed, 2 if Qt cannot start."""
    remove_opencv_qt_paths()
    if options.screenshot is not None and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        # The offscreen plugin warns about window-manager hints it cannot honour.
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from dronewatch.errors import DroneWatchError
    from dronewatch.store import Store
    from dronewatch.workspace import Workspace
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_gui_thread_gc(app)
    app.setApplicationName("DroneWatch")
    app.setOrganizationName("DroneWatch")
    store = Store(options.db_path)
    if store.recovered_sightings:
        print(
            f"dronewatch: closed {store.recovered_sightings} sightings left open by a crash",
            file=sys.stderr,
        )
    window = MainWindow(store=store, analyse=options.analyse, settings=options.settings)
    window.feed_failed.connect(
        lambda message: print(f"dronewatch: error: {message}", file=sys.stderr)
    )
    window.resize(*options.size)
    feeds = list(options.feeds)
    workspace = None
    if options.workspace is not None and options.workspace.exists():
        try:
            workspace = Workspace.load(options.workspace)
        except DroneWatchError as exc:
            print(f"dronewatch: warning: {exc} (starting without it)", file=sys.stderr)
    if workspace is not None:
        window.apply_workspace(workspace, open_feeds=not feeds)
    if feeds or workspace is None:
        window.open_feeds(feeds)
    window.show()
    try:
        if options.screenshot is not None:
            ok = render_screenshot(app, window, options)
            window.close()
            return 0 if ok and not window.errors else 1
        if options.play:
            window.play()
        _quit_on_signals(app)
        app.exec()
        if options.workspace is not None:
            try:
                window.closing_workspace.save(options.workspace)
            except DroneWatchError as exc:
                print(f"dronewatch: warning: {exc}", file=sys.stderr)
        return 1 if window.errors else 0
    finally:
        window.shutdown()
        store.close()


def install_gui_thread_gc(app: object) -> None:
    """Collect garbage only on the GUI thread, between events.

    Python's collector otherwise runs wherever an allocation trips it: on a decoder or
    receiver thread, or inside a paint event, where freeing a Qt wrapper can crash Qt.
    pyqtgraph's GarbageCollector disables automatic collection and collects on a timer.
    """
    from pyqtgraph.util.garbage_collector import GarbageCollector

    if getattr(app, "_dronewatch_gc", None) is None:
        app._dronewatch_gc = GarbageCollector(interval=0.5)  # type: ignore[attr-defined]


def _quit_on_signals(app: object) -> None:
    """Ctrl+C or SIGTERM closes the window properly: workers stop, sightings are flushed.

    Python runs signal handlers only between bytecodes, so a light timer keeps the
    interpreter looking while Qt's event loop sleeps.
    """
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)

    def close_all(*_args: object) -> None:
        for widget in app.topLevelWidgets():
            widget.close()
        app.quit()

    signal.signal(signal.SIGINT, close_all)
    signal.signal(signal.SIGTERM, close_all)
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)


def render_screenshot(app: object, window: object, options: AppOptions) -> bool:
    """Seek to ``at``, wait until every tile shows that frame analysed, save a PNG."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    assert isinstance(app, QApplication) and isinstance(window, MainWindow)
    assert options.screenshot is not None
    at = options.at
    timer = QElapsedTimer()
    timer.start()

    def ready() -> bool:
        if not window.all_settled() or window.clock.position() < min(at, window.clock.duration):
            return False
        for feed in window.feeds:
            snap, analysis = feed.player.snapshot(), feed.analysis
            if analysis is None or snap.packet is None or analysis.stats().state == "error":
                continue
            if feed.tile.live:  # ``at`` seconds into the stream, its boxes drawn
                latest = analysis.index.latest_frame(snap.packet.index)
                if snap.packet.time_s < at or latest is None:
                    return False
            elif not analysis.index.analysed(snap.packet.index):
                return False
        return True

    while timer.elapsed() < SETTLE_TIMEOUT_S * 1000:
        window.seek(at)  # feeds must be open (lengths known) before a seek past 0 lands
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if ready():
            break
    if window.store is not None:
        window.store.flush()
    window.refresh_sightings()
    if options.select_sighting and window.sighting_rows:
        visible = [r for r in window.sighting_rows if r.start_s <= at <= r.end_s]
        if visible:
            window.select_sighting(visible[0].sighting_id, seek=False)
    window.tick()
    app.processEvents()
    path = options.screenshot
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(path), "PNG")
    if not saved:
        print(f"dronewatch: error: {path}: cannot write the screenshot", file=sys.stderr)
    return bool(saved)
