"""GUI tests run offscreen with pytest-qt's qtbot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

from ui.qt_env import remove_opencv_qt_paths

remove_opencv_qt_paths()


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp):
    """As in the app: garbage is collected on the GUI thread only, and after each test
    at a quiet moment, never inside a Qt event or on a worker thread."""
    import gc

    from ui.app import install_gui_thread_gc

    install_gui_thread_gc(qapp)
    yield
    qapp.processEvents()
    gc.collect()


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


@pytest.fixture(scope="session")
def sim_clip(tmp_path_factory) -> Path:
    """A 4 s daylight pan with ground truth, rendered by our simulator."""
    from dronewatch.cli import main as cli_main

    out = tmp_path_factory.mktemp("sim")
    args = ["simulate", "--preset", "day-pan", "--seed", "3", "--seconds", "4"]
    assert cli_main([*args, "--out", str(out), "--quiet"]) == 0
    return out / "day-pan.mp4"


def open_analysed_clip(qtbot, window, clip: Path, at: float):
    """Open ``clip`` with analysis, wait until it is analysed and shown at ``at``."""
    from dronewatch.live.feed_analysis import AnalysisState

    window.set_analysis_for_all(True)
    (feed,) = window.open_feeds([str(clip)])
    qtbot.waitUntil(
        lambda: feed.analysis.stats().state in (AnalysisState.DONE, AnalysisState.FROM_STORE),
        timeout=60_000,
    )
    window.seek(at)
    wait_settled(qtbot, window)
    window.store.flush()
    window.refresh_sightings()
    return feed
