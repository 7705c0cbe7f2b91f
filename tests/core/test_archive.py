"""``dronewatch analyze --cluster``: an archive on a 2-worker Dask ``LocalCluster``.

The cluster runs on 127.0.0.1 with real worker processes (one thread each), shared by
the module's tests. A worker is killed with SIGKILL mid-clip to check the clip is
retried elsewhere and written exactly once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from dronewatch.cli import main
from dronewatch.store import SightingsReader

distributed = pytest.importorskip("distributed")

FPS = 15
SLOW_ANALYZER = "tests.core.test_archive:SlowAnalyzer"


class SlowAnalyzer:
    """The real analyser, slowed down so a worker can be killed mid-clip."""

    def __init__(self, info: Any, model_path: Any = None) -> None:
        from dronewatch.analysis.pipeline import FeedAnalyzer

        self.inner = FeedAnalyzer(info, model_path=model_path)

    def process(self, packet: Any) -> Any:
        time.sleep(0.03)
        return self.inner.process(packet)


def write_clip(path: Path, start: int, frames: int = 40) -> Path:
    """A textured background with one bright box crossing it from ``start``."""
    w, h = 192, 144
    rng = np.random.default_rng(1)
    background = cv2.GaussianBlur(rng.integers(60, 120, (h, w, 3), np.uint8), (0, 0), 3)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (w, h))
    assert writer.isOpened()
    for i in range(frames):
        img = background.copy()
        x = start + 3 * i
        cv2.rectangle(img, (x, 60), (x + 14, 70), (235, 235, 235), -1)
        writer.write(img)
    writer.release()
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    for i, start in enumerate((5, 20, 40)):
        write_clip(folder / f"clip{i}.mp4", start)
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def sightings_by_clip(db: Path) -> dict[str, list[tuple[int, int, int]]]:
    """Per clip name: sorted (track, first frame, last frame) of its sightings."""
    with SightingsReader(db) as reader:
        out = {}
        for clip in reader.clips():
            assert clip.complete, clip.name
            rows = reader.sightings(clip_id=clip.id)
            out[clip.name] = sorted((s.track_id, s.start_frame, s.end_frame) for s in rows)
        return out


@pytest.fixture(scope="module")
def local_result(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("local") / "local.db"
    assert main(["analyze", str(archive), "--db", str(db), "--workers", "1"]) == 0
    return sightings_by_clip(db)


def test_cluster_matches_local_and_rerun_skips(
    archive: Path,
    cluster: Any,
    local_result: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "cluster.db"
    address = cluster.scheduler.address
    assert main(["analyze", str(archive), "--db", str(db), "--cluster", address]) == 0
    out, err = capsys.readouterr()
    assert "3 done, 0 skipped, 0 failed" in out
    assert "archive: 3/3 clips" in err and "footage-h/h" in err and "Dask dashboard" in err
    assert sightings_by_clip(db) == local_result
    assert any(local_result.values()), "the crossing boxes should give sightings"
    with SightingsReader(db) as reader:
        analysed_at = {c.name: c.analysed_at for c in reader.clips()}

    assert main(["analyze", str(archive), "--db", str(db), "--cluster", address]) == 0
    out, _ = capsys.readouterr()
    assert "0 done, 3 skipped, 0 failed" in out
    with SightingsReader(db) as reader:
        assert {c.name: c.analysed_at for c in reader.clips()} == analysed_at


def test_rerun_with_other_settings_reanalyses(
    archive: Path, cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set`` changes the fingerprint: the clips are analysed again, with the setting."""
    db = tmp_path / "cluster.db"
    args = ["analyze", str(archive), "--db", str(db), "--cluster", cluster.scheduler.address]
    assert main(args) == 0
    capsys.readouterr()
    strict = [*args, "--set", "tracker.init_hits=1000"]
    assert main(strict) == 0
    assert "3 done, 0 skipped, 0 failed" in capsys.readouterr().out
    with SightingsReader(db) as reader:
        assert len(reader.clips()) == 3 and reader.count_sightings() == 0
    assert main(strict) == 0
    assert "0 done, 3 skipped, 0 failed" in capsys.readouterr().out


def test_interrupted_archive_resumes_with_what_is_missing(
    archive: Path, cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cluster.db"
    address = cluster.scheduler.address
    assert main(["analyze", str(archive / "clip0.mp4"), "--db", str(db), "--cluster", address]) == 0
    capsys.readouterr()
    assert main(["analyze", str(archive), "--db", str(db), "--cluster", address]) == 0
    assert "2 done, 1 skipped, 0 failed" in capsys.readouterr().out


def test_corrupt_clip_is_reported_not_fatal(
    archive: Path, cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(np.random.default_rng(3).integers(0, 256, 50_000, np.uint8).tobytes())
    good = archive / "clip1.mp4"
    db = tmp_path / "cluster.db"
    code = main(
        [
            "analyze",
            str(corrupt),
            str(good),
            "--db",
            str(db),
            "--cluster",
            cluster.scheduler.address,
        ]
    )
    assert code == 1
    out, err = capsys.readouterr()
    assert "1 done, 0 skipped, 1 failed" in out
    assert "corrupt.mp4" in err
    with SightingsReader(db) as reader:
        assert [(c.name, c.complete) for c in reader.clips()] == [("clip1.mp4", True)]


def test_killed_worker_loses_and_duplicates_nothing(
    archive: Path,
    cluster: Any,
    local_result: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster.wait_for_workers(2, timeout=30)
    db = tmp_path / "cluster.db"
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            busy = [addr for addr, keys in cluster.processing().items() if keys]
            if busy:
                time.sleep(0.4)  # well into the clip (40 frames at >= 30 ms each)
                pid = cluster.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
    killer.start()
    args = ["analyze", str(archive), "--db", str(db), "--cluster", cluster.scheduler.address]
    assert main([*args, "--analyzer", SLOW_ANALYZER]) == 0
    killer.join(5)
    assert killed, "no worker was busy to kill"
    assert "3 done, 0 skipped, 0 failed" in capsys.readouterr().out
    assert sightings_by_clip(db) == local_result  # nothing lost, nothing twice
