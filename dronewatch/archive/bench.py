"""How archive analysis scales with workers: footage-hours analysed per wall-hour.

Generates short simulated clips, then analyses them all on a loopback ``LocalCluster``
of 1, 2 and W workers (a fresh database each time) and compares the throughput. The
cluster's start-up and the workers' first imports are done before the clock starts,
so the numbers are the steady state an archive of many clips would see.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dronewatch.archive.cluster import open_client
from dronewatch.archive.runner import analyse_archive
from dronewatch.clip_identity import content_hash
from dronewatch.config_overrides import Overrides
from dronewatch.sightings.clip_job import ClipJob
from dronewatch.store.writer import Store


@dataclass(frozen=True, slots=True)
class WorkerRun:
    workers: int
    wall_s: float
    startup_s: float
    footage_s: float
    footage_h_per_wall_h: float
    writer_s: float  # time the one writer spent committing clips
    failed: int
    sightings: int  # over all clips: the same for every worker count


def make_clips(out_dir: Path, count: int, seconds: float, size: str) -> list[Path]:
    from dronewatch.sim import generate, make_scenario

    clips = []
    for i in range(count):
        scenario = make_scenario("day-pan", seed=i, seconds=seconds, size=size)
        generate(scenario, out_dir, f"clip{i:03d}")
        clips.append(out_dir / f"clip{i:03d}.mp4")
    return clips


def _warm_up() -> int:
    """Imports a worker pays once, kept out of the measurement; one OpenCV thread.

    OpenCV would otherwise use every core in each worker, so one worker would already
    load the whole machine and the numbers would say nothing about scaling. A cluster
    is sized one single-threaded worker per core, and that is what is measured.
    """
    import cv2

    import dronewatch.analysis.pipeline
    import dronewatch.sources  # noqa: F401

    cv2.setNumThreads(1)
    return os.getpid()


def measure(
    clips: list[Path], workers: int, work_dir: Path, overrides: Overrides = ()
) -> WorkerRun:
    jobs = [
        ClipJob(index=i, path=str(clip), content_hash=content_hash(clip), overrides=overrides)
        for i, clip in enumerate(clips)
    ]
    db = work_dir / f"bench-{workers}.db"
    started = time.perf_counter()
    with open_client(None, workers) as client, Store(db) as store:
        client.wait_for_workers(workers, timeout=60)
        client.run(_warm_up)
        startup = time.perf_counter() - started
        t0 = time.perf_counter()
        run = analyse_archive(client, jobs, store, retries=1)
        wall = time.perf_counter() - t0
    footage = sum(e.video_s for e in run.entries)
    return WorkerRun(
        workers=workers,
        wall_s=round(wall, 3),
        startup_s=round(startup, 3),
        footage_s=round(footage, 3),
        footage_h_per_wall_h=round(footage / wall, 2) if wall > 0 else 0.0,
        writer_s=round(run.write_s, 3),
        failed=len(run.failed),
        sightings=sum(e.sightings for e in run.entries),
    )


def bench_archive(
    clips: int,
    workers: int,
    seconds: float = 4.0,
    size: str = "320x180",
    overrides: Overrides = (),
) -> dict:
    """Run the benchmark (analysis settings changed by ``overrides``); returns a
    JSON-ready dict."""
    counts = sorted({1, min(2, workers), workers})
    with tempfile.TemporaryDirectory(prefix="dronewatch-bench-archive-") as tmp:
        work_dir = Path(tmp)
        generated = time.perf_counter()
        paths = make_clips(work_dir, clips, seconds, size)
        generate_s = time.perf_counter() - generated
        runs = [measure(paths, n, work_dir, overrides) for n in counts]
    base = runs[0].footage_h_per_wall_h
    efficiency = {
        str(r.workers): round(r.footage_h_per_wall_h / (r.workers * base), 3) if base else 0.0
        for r in runs
    }
    return {
        "clips": clips,
        "clip_seconds": seconds,
        "size": size,
        "cpu_count": os.cpu_count(),
        "generate_s": round(generate_s, 3),
        "opencv_threads_per_worker": 1,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "runs": [asdict(r) for r in runs],
        "scaling_efficiency": efficiency,
        "settings": dict(overrides),
    }
