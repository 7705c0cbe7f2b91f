"""``dronewatch bench reopen``: how fast a previously analysed long clip comes back.

Builds a clip of ``minutes`` length and a database holding a dense analysis of it (one
target in view per ~2 s of video on average, each seen for ~10 s), then times, in the same
run: opening the clip display-only until its first frame is on screen (the baseline), and
opening it with analysis until its whole timeline (every sighting) and the tracks of every
frame are loaded from the store.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ui.qt_env import remove_opencv_qt_paths

FPS = 25


def make_long_clip(path: Path, minutes: float, size: tuple[int, int] = (640, 360)) -> int:
    """A cheap-to-encode H.264 clip of the given length; returns its frame count."""
    import av

    frames = round(minutes * 60 * FPS)
    w, h = size
    base = np.zeros((h, w, 3), np.uint8)
    base[:, :, 1] = np.linspace(40, 160, w, dtype=np.uint8)[None, :]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = w, h
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "g": "250"}
        for i in range(frames):
            img = base.copy()
            x = (i * 3) % (w - 20)
            img[h // 2 : h // 2 + 12, x : x + 12] = 255
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return frames


def fill_store(db: Path, clip: Path, frames: int) -> tuple[int, int]:
    """A complete stored analysis of ``clip``; returns (sightings, points)."""
    from dronewatch.analysis.types import TargetClass
    from dronewatch.analysis_settings import DEFAULT_SETTINGS
    from dronewatch.clip_identity import content_hash
    from dronewatch.sightings.events import (
        PathPoint,
        Sighting,
        SightingEnded,
        SightingStarted,
    )
    from dronewatch.store import ClipInfo, Store

    rng = np.random.default_rng(7)
    classes = (TargetClass.VEHICLE, TargetClass.PERSON, TargetClass.UNKNOWN)
    count = frames // (2 * FPS)
    points_total = 0
    with Store(db) as store:
        info = ClipInfo(
            content_hash(clip),
            str(clip),
            clip.name,
            FPS,
            640,
            360,
            frames,
            DEFAULT_SETTINGS.fingerprint(),
        )
        clip_id = store.begin_clip(info)
        for key in range(count):
            start = int(rng.integers(0, frames - 10 * FPS))
            length = int(rng.integers(5 * FPS, 15 * FPS))
            end = min(frames - 1, start + length)
            x, y = rng.uniform(20, 600), rng.uniform(20, 320)
            points = tuple(
                PathPoint(
                    f, f / FPS, x + (f - start) * 0.1, y, x + (f - start) * 0.1 + 12, y + 12, 0.9
                )
                for f in range(start, end + 1)
            )
            points_total += len(points)
            cls = classes[key % 3]
            store.write_events(
                clip_id,
                [
                    SightingStarted(key, key + 1, cls, points, 0.9, b""),
                    SightingEnded(
                        key,
                        Sighting(
                            key + 1, cls, start, end, start / FPS, end / FPS, 0.9, b"", len(points)
                        ),
                    ),
                ],
            )
        store.finish_clip(clip_id, frames, complete=True)
    return count, points_total


def run_bench_reopen(minutes: float) -> dict[str, object]:
    remove_opencv_qt_paths()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from dronewatch.live.feed_analysis import AnalysisState
    from dronewatch.store import Store
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="dw-bench-reopen-") as tmp:
        clip, db = Path(tmp) / "long.mp4", Path(tmp) / "s.db"
        t0 = time.monotonic()
        frames = make_long_clip(clip, minutes)
        sightings, points = fill_store(db, clip, frames)
        setup_s = time.monotonic() - t0

        def timed(analyse: bool) -> float:
            with Store(db) as store:
                window = MainWindow(store=store, analyse=analyse)
                window.show()
                started = time.monotonic()
                (feed,) = window.open_feeds([str(clip)])

                def done() -> bool:
                    if feed.tile.shown_index is None:
                        return False
                    if not analyse:
                        return True
                    if feed.analysis.stats().state is not AnalysisState.FROM_STORE:
                        return False
                    window.refresh_sightings()
                    return len(window.timeline.rows) == sightings

                while not done():
                    if time.monotonic() - started > 120:
                        raise RuntimeError("the clip did not come back within 120 s")
                    window.tick()
                    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
                elapsed = time.monotonic() - started
                window.close()
                return elapsed

        display_only = timed(False)
        with_timeline = timed(True)
    return {
        "clip_minutes": minutes,
        "frames": frames,
        "stored_sightings": sightings,
        "stored_points": points,
        "setup_s": round(setup_s, 1),
        "first_frame_s": round(display_only, 3),
        "full_timeline_s": round(with_timeline, 3),
        "ratio_vs_first_frame": round(with_timeline / display_only, 2),
    }
