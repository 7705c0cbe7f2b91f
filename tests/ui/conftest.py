"""GUI tests run offscreen with pytest-qt's qtbot."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from ui.qt_env import remove_opencv_qt_paths

remove_opencv_qt_paths()


@pytest.fixture
def window(qtbot):
    from ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    yield win
    win.shutdown()


def wait_settled(qtbot, win, timeout: int = 10_000) -> None:
    """Wait until every tile shows the frame at the clock's time."""

    def settled() -> None:
        win.tick()
        assert win.all_settled()

    qtbot.waitUntil(settled, timeout=timeout)
    win.tick()
