"""``kill -9`` during ``dronewatch analyze``: the database stays sound and loses <= 1 s.

The analyser here is a scripted stand-in (loaded with the hidden ``--analyzer`` option)
so the run is slow enough to kill mid-way and its sightings are known: a short-lived
target every 20 frames plus one that lives for the whole clip, so at the kill there are
closed sightings on disk and one open. It logs each frame's wall time, which lets the
test measure how far the database lagged behind the analysis when the process died.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.store import SightingsReader, Store

REPO = Path(__file__).resolve().parents[2]

FAKE_ANALYZER = textwrap.dedent(
    """
    import os, time
    from dronewatch.analysis.types import Detections, FrameAnalysis, TargetClass, TrackState

    LOG = os.environ["FAKE_ANALYZER_LOG"]

    class ScriptedAnalyzer:
        def __init__(self, info, config=None, model_path=None):
            self.log = open(LOG + "." + str(os.getpid()), "a", buffering=1)

        def process(self, packet):
            i = packet.index
            tracks = [TrackState(999, (1.0, 1.0, 9.0, 9.0), 0.5, TargetClass.VEHICLE, i >= 2)]
            k, age = divmod(i, 20)
            if age < 12:
                box = (10.0 + age, 20.0, 20.0 + age, 30.0)
                tracks.append(TrackState(k + 1, box, 0.8, TargetClass.PERSON, age >= 3))
            time.sleep(0.004)
            self.log.write(f"{i} {time.time()}\\n")
            return FrameAnalysis(i, packet.time_s, Detections.empty(), tuple(tracks))
    """
)


def write_clip(path: Path, frames: int) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48))
    img = np.full((48, 64, 3), 90, np.uint8)
    for _ in range(frames):
        writer.write(img)
    writer.release()
    return path


def start_analyze(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    (tmp_path / "scripted_analyzer.py").write_text(FAKE_ANALYZER)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(tmp_path)])
    env["FAKE_ANALYZER_LOG"] = str(tmp_path / "frames.log")
    cmd = [sys.executable, "-m", "dronewatch", "analyze", *args]
    cmd += ["--analyzer", "scripted_analyzer:ScriptedAnalyzer"]
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
    )


def wait_for_rows(proc: subprocess.Popen[bytes], db: Path, closed: int, timeout: float) -> None:
    """Wait until the database holds ``closed`` closed sightings and an open one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "analyze ended before it could be killed"
        if db.exists():
            try:
                with SightingsReader(db) as reader:
                    rows = reader.sightings()
            except Exception:
                rows = []  # schema not created yet
            if sum(not s.is_open for s in rows) >= closed and any(s.is_open for s in rows):
                return
        time.sleep(0.05)
    raise AssertionError(f"no rows in {db} after {timeout} s")


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def frame_log(tmp_path: Path) -> dict[int, float]:
    times: dict[int, float] = {}
    for log in tmp_path.glob("frames.log.*"):
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2:
                times[int(parts[0])] = float(parts[1])
    return times


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_mid_run_keeps_committed_sightings(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "long.avi", 3000)
    db = tmp_path / "s.db"
    proc = start_analyze(tmp_path, str(clip), "--db", str(db), "--workers", "1")
    try:
        wait_for_rows(proc, db, closed=5, timeout=60)
        with SightingsReader(db) as reader:
            seen_before = {s.id: s for s in reader.sightings(include_open=False)}
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    killed_at = time.time()

    assert integrity(db) == "ok"
    with SightingsReader(db) as reader:
        after = {s.id: s for s in reader.sightings()}
        open_ids = [s.id for s in after.values() if s.is_open]
        (clip_rec,) = reader.clips()
        assert not clip_rec.complete
        long_lived = next(s for s in after.values() if s.track_id == 999)
        last_saved = int(reader.sighting_path(long_lived.id)[-1, 0])
    # Every sighting committed before the kill is still there, unchanged.
    for sid, before in seen_before.items():
        assert after[sid] == before
    assert long_lived.id in open_ids

    # At most the last second of analysis was lost.
    times = frame_log(tmp_path)
    last_analysed = max(times)
    assert times[last_analysed] <= killed_at
    assert times[last_analysed] - times[last_saved] <= 1.0, (last_analysed, last_saved)

    # The next start closes the open sightings at their last point on disk.
    with Store(db) as store:
        assert store.recovered_sightings == len(open_ids)
    with SightingsReader(db) as reader:
        assert not any(s.is_open for s in reader.sightings())
        recovered = reader.sighting(long_lived.id)
        assert recovered is not None and recovered.end_frame == last_saved
    assert integrity(db) == "ok"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_with_worker_processes(tmp_path: Path) -> None:
    clips = [str(write_clip(tmp_path / f"clip{i}.avi", 3000)) for i in range(2)]
    db = tmp_path / "s.db"
    proc = start_analyze(tmp_path, *clips, "--db", str(db), "--workers", "2")
    try:
        wait_for_rows(proc, db, closed=3, timeout=90)
        workers = children_of(proc.pid)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert integrity(db) == "ok"
    # Orphaned workers notice and stop instead of analysing for nobody.
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{w}").exists() and _alive(w) for w in workers):
        assert time.monotonic() < deadline, "worker processes outlived the killed parent"
        time.sleep(0.1)
    with Store(db) as store:
        assert store.recovered_sightings >= 1
    assert integrity(db) == "ok"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
