"""`dronewatch gui` as a user runs it: screenshots, bad input, no display, a real X window."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    home = Path(tempfile.mkdtemp(prefix="dw-home-"))  # never the user's data or config
    base["XDG_DATA_HOME"] = str(home / "data")
    base["XDG_CONFIG_HOME"] = str(home / "config")
    base.pop("DISPLAY", None)
    base.pop("WAYLAND_DISPLAY", None)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dronewatch", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_screenshot_renders_the_frame_at_the_given_time(clip_factory, tmp_path: Path) -> None:
    clips = [clip_factory(f"c{i}.mp4", 50, 25, size=(320, 180)) for i in range(4)]
    png = tmp_path / "shot.png"
    result = run_cli("gui", *map(str, clips), "--screenshot", str(png), "--at", "1.2")
    assert result.returncode == 0, result.stderr
    image = cv2.imread(str(png))
    assert image is not None and image.shape[1] == 1280
    assert image.std() > 20, "screenshot is blank"
    # The moving square of frame 30 (t=1.2 s at 25 fps) is on screen: white pixels exist.
    assert (image.min(axis=2) > 240).sum() > 200


def test_bad_feed_exits_non_zero_with_one_line_and_no_traceback(
    clip_factory, tmp_path: Path
) -> None:
    good = clip_factory("good.mp4", 20, 10)
    missing = tmp_path / "nowhere.mp4"
    png = tmp_path / "shot.png"
    result = run_cli("gui", str(good), str(missing), "--screenshot", str(png))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("dronewatch: error")]
    assert errors == [f"dronewatch: error: {missing}: file not found"]
    assert png.exists(), "the other feeds still render"


def test_without_a_display_the_app_says_how_to_run_it(clip_factory) -> None:
    result = run_cli("gui", str(clip_factory("a.mp4", 5, 10)))
    assert result.returncode == 2
    assert "xvfb-run -a make run" in result.stderr and "Traceback" not in result.stderr


def test_many_qt_calls_returning_none_do_not_abort_python() -> None:
    """PySide6 6.12.0 on Python 3.11 dies of none_dealloc after a few thousand such calls."""
    code = (
        "from PySide6.QtCore import QObject, QRect\n"
        "o = QObject(); r = QRect()\n"
        "for i in range(300_000):\n"
        "    o.setObjectName('x'); r.setWidth(i % 7)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-500:]


@pytest.fixture
def xvfb_display():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (make test installs it on Debian/Ubuntu)")
    for number in range(91, 120):
        if not Path(f"/tmp/.X{number}-lock").exists():
            break
    proc = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.05)
    yield f":{number}"
    proc.terminate()
    proc.wait(5)


def test_real_x11_window_uses_qt6_plugins_not_opencvs(
    xvfb_display, clip_factory, tmp_path: Path
) -> None:
    """Under a real X server (xcb), cv2's bundled Qt 5 plugin path must not be used."""
    png = tmp_path / "xcb.png"
    clip = clip_factory("a.mp4", 30, 10, size=(320, 180))
    result = run_cli(
        "gui",
        str(clip),
        "--screenshot",
        str(png),
        "--at",
        "1",
        env={"DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"},
    )
    assert result.returncode == 0, result.stderr
    assert "Could not load the Qt platform plugin" not in result.stderr
    image = cv2.imread(str(png))
    assert image is not None and float(np.std(image)) > 20


def test_bench_gui_prints_per_tile_rates_and_process_figures() -> None:
    result = run_cli("bench", "gui", "--feeds", "2", "--seconds", "2", timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    live = report["with_analysis"]
    assert len(live["tiles"]) == 2
    for tile in live["tiles"]:
        assert tile["displayed_fps"] > 0 and "analysed_fps" in tile and "display_dropped" in tile
    assert live["gui_longest_stall_ms"] >= 0 and live["cpu_cores_used_gui_process"] > 0
    assert report["display_only"]["mean_displayed_fps"] > 0
    assert report["peak_memory_mb"] > 0
