"""Start the desktop app, or render it offscreen to a PNG (``--screenshot``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ui.qt_env import has_display, remove_opencv_qt_paths

NO_DISPLAY_MESSAGE = (
    "dronewatch: no display found (DISPLAY is not set). Run the app on a virtual "
    "screen with:  xvfb-run -a make run   (or render a still with --screenshot PNG)"
)
SETTLE_TIMEOUT_S = 20.0


def run_app(
    feeds: list[str],
    screenshot: Path | None = None,
    at: float = 0.0,
    size: tuple[int, int] = (1280, 800),
    play: bool = True,
) -> int:
    """Run the window on ``feeds``; exit code 1 if any feed failed, 2 if Qt cannot start."""
    remove_opencv_qt_paths()
    if screenshot is not None and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        # The offscreen plugin warns about window-manager hints it cannot honour.
        os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DroneWatch")
    app.setOrganizationName("DroneWatch")
    window = MainWindow()
    window.feed_failed.connect(
        lambda message: print(f"dronewatch: error: {message}", file=sys.stderr)
    )
    window.resize(*size)
    window.open_feeds(feeds)
    window.show()
    if screenshot is not None:
        ok = render_screenshot(app, window, screenshot, at)
        window.close()
        return 0 if ok and not window.errors else 1
    if play:
        window.play()
    app.exec()
    return 1 if window.errors else 0


def render_screenshot(app: object, window: object, path: Path, at: float) -> bool:
    """Seek to ``at``, wait until every tile shows that frame, save the window as PNG."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    timer = QElapsedTimer()
    timer.start()
    # Feeds must be open (their lengths known) before a seek past 0 can land.
    while timer.elapsed() < SETTLE_TIMEOUT_S * 1000:
        window.seek(at)
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if window.all_settled() and window.clock.position() >= min(at, window.clock.duration):
            break
    window.tick()
    app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(path), "PNG")
    if not saved:
        print(f"dronewatch: error: {path}: cannot write the screenshot", file=sys.stderr)
    return bool(saved)
