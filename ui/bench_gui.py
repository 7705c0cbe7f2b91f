"""``dronewatch bench gui``: the real main window, offscreen, on N feeds with analysis on.

Measured in one run: first the same feeds with analysis off (the baseline: display only),
then with analysis on. Per tile: displayed and analysed frame rates and dropped frames;
for the process: the GUI thread's longest stall, CPU (cores used) and peak memory.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ui.qt_env import remove_opencv_qt_paths

_PROBE_MS = 5


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of live processes (the analysis workers), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def distinct_copies(samples: list[str], count: int, folder: Path) -> list[str]:
    """``count`` feeds cycling over ``samples``, each a distinct file.

    A copy gets a unique tag appended (players ignore trailing bytes), so its content hash
    differs and each feed is analysed on its own, as N different drones would be.
    """
    feeds = []
    for i in range(count):
        src = Path(samples[i % len(samples)])
        dst = folder / f"{src.stem}-{i + 1:02d}{src.suffix}"
        shutil.copyfile(src, dst)
        with dst.open("ab") as fh:
            fh.write(f"dronewatch-bench-copy-{i:04d}".encode())
        feeds.append(str(dst))
    return feeds


def _measure(feeds: list[str], seconds: float, analyse: bool, db: Path) -> dict[str, object]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from dronewatch.playback import FeedStatus
    from dronewatch.store import Store
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = Store(db)
    window = MainWindow(store=store, analyse=analyse)
    window.resize(1600, 1000)
    window.show()
    window.open_feeds(feeds)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(
        f.player.snapshot().status is not FeedStatus.OPENING for f in window.feeds
    ):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    for feed in window.feeds:
        feed.tile.frames_shown = 0
    start_done = {
        f.feed_id: f.analysis.index.frames_done if f.analysis else 0 for f in window.feeds
    }
    stall = {"max": 0.0}
    gap = QElapsedTimer()
    gap.start()

    def probe() -> None:
        stall["max"] = max(stall["max"], gap.nsecsElapsed() / 1e6 - _PROBE_MS)
        gap.restart()

    probe_timer = QTimer()
    probe_timer.timeout.connect(probe)
    probe_timer.start(_PROBE_MS)
    workers = sorted(
        {f.analysis.pid for f in window.feeds if f.analysis is not None and f.analysis.pid}
    )
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    workers0 = _cpu_seconds(workers)
    t0 = time.monotonic()
    window.play()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    wall = time.monotonic() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    workers1 = _cpu_seconds(workers)
    probe_timer.stop()
    position = window.clock.position()
    tiles = []
    for feed in window.feeds:
        snap = feed.player.snapshot()
        fps = snap.info.fps if snap.info else 0.0
        expected = round(wall * fps)
        shown = feed.tile.frames_shown
        entry: dict[str, object] = {
            "feed": feed.tile.name,
            "fps": fps,
            "displayed_fps": round(shown / wall, 1),
            "display_dropped": max(0, expected - shown),
        }
        if feed.analysis is not None:
            stats = feed.analysis.stats()
            done = feed.analysis.index.frames_done
            entry["analysed_fps"] = round((done - start_done[feed.feed_id]) / wall, 1)
            entry["analysis_behind_frames"] = max(0, round(position * fps) - done)
            entry["analysis_dropped"] = stats.dropped
        tiles.append(entry)
    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    result = {
        "analysis": analyse,
        "seconds": round(wall, 2),
        "tiles": tiles,
        "mean_displayed_fps": round(sum(t["displayed_fps"] for t in tiles) / len(tiles), 1),
        "gui_longest_stall_ms": round(stall["max"], 1),
        "gui_longest_tick_ms": round(window.longest_tick_ms, 1),
        "cpu_cores_used_gui_process": round(cpu / wall, 2),
        "cpu_cores_used_analysis_workers": round((workers1 - workers0) / wall, 2),
    }
    window.close()
    store.close()
    return result


def run_bench_gui(feeds: int, seconds: float, samples: list[str], baseline: bool) -> dict:
    remove_opencv_qt_paths()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    with tempfile.TemporaryDirectory(prefix="dw-bench-gui-") as tmp:
        folder = Path(tmp)
        paths = distinct_copies(samples, feeds, folder)
        out: dict[str, object] = {"feeds": feeds, "cores": os.cpu_count()}
        if baseline:
            out["display_only"] = _measure(paths, seconds, False, folder / "base.db")
        out["with_analysis"] = _measure(paths, seconds, True, folder / "live.db")
        if baseline:
            base = out["display_only"]["mean_displayed_fps"]  # type: ignore[index]
            live = out["with_analysis"]["mean_displayed_fps"]  # type: ignore[index]
            out["displayed_fps_ratio_vs_display_only"] = round(live / base, 3) if base else None
    out["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out
