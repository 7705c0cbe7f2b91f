"""GUI tests run offscreen with pytest-qt's qtbot."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from ui.qt_env import remove_opencv_qt_paths

remove_opencv_qt_paths()


@pytest.fixture
def store(tmp_path):
    from dronewatch.store import Store

    with Store(tmp_path / "sightings.db") as s:
        yield s


@pytest.fixture
def window(qtbot, store):
    """The main window on a fresh database, analysis off (tests that want it turn it on)."""
    from ui.main_window import MainWindow

    win = MainWindow(store=store, analyse=False)
    qtbot.addWidget(win)
    win.resize(1200, 800)
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
