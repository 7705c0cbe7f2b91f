"""Archive runs when things go wrong: workers that keep dying, Ctrl-C, a failed write.

Uses its own 2-worker ``LocalCluster`` whose scheduler gives up on a task at the first
worker death (``allowed-failures = 0``), so our own retry accounting is exercised.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dronewatch.analysis.types import TargetClass
from dronewatch.archive import ArchiveEntry, EntryStatus, analyse_archive
from dronewatch.clip_identity import content_hash
from dronewatch.sightings.clip_job import ClipJob
from dronewatch.sightings.events import PathPoint, SightingStarted
from dronewatch.store import ClipInfo, SightingsReader, Store, StoreError
from tests.core.test_archive import SLOW_ANALYZER, write_clip

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("archive")
    return [write_clip(folder / f"clip{i}.mp4", 5 + 15 * i) for i in range(3)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
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


def jobs_for(clips: list[Path], analyzer: str | None = None) -> list[ClipJob]:
    extra = {"analyzer": analyzer} if analyzer else {}
    return [
        ClipJob(index=i, path=str(c), content_hash=content_hash(c), **extra)
        for i, c in enumerate(clips)
    ]


def kill_first_busy_worker(client: Any, killed: list[int]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            time.sleep(0.3)
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.05)


@pytest.mark.parametrize(("retries", "status", "attempts"), [(1, "done", 2), (0, "failed", 1)])
def test_clip_of_a_killed_worker_is_resubmitted_then_given_up(
    clips: list[Path], cluster: Any, tmp_path: Path, retries: int, status: str, attempts: int
) -> None:
    cluster.wait_for_workers(2, timeout=30)
    killed: list[int] = []
    killer = threading.Thread(target=kill_first_busy_worker, args=(cluster, killed))
    killer.start()
    with Store(tmp_path / "s.db") as store:
        run = analyse_archive(cluster, jobs_for(clips[:1], SLOW_ANALYZER), store, retries=retries)
    killer.join(5)
    assert killed
    (entry,) = run.entries
    assert (entry.status, entry.attempts) == (EntryStatus(status), attempts)
    with SightingsReader(tmp_path / "s.db") as reader:
        assert len(reader.clips()) == (1 if status == "done" else 0)
    if status == "failed":
        assert "KilledWorker" in entry.reason and "clip0.mp4" in entry.reason


def test_ctrl_c_keeps_finished_clips_and_cancels_the_rest(
    clips: list[Path], cluster: Any, tmp_path: Path
) -> None:
    cluster.wait_for_workers(2, timeout=30)
    seen: list[ArchiveEntry] = []

    def interrupt_after_first(entry: ArchiveEntry) -> None:
        seen.append(entry)
        raise KeyboardInterrupt

    with Store(tmp_path / "s.db") as store:
        run = analyse_archive(cluster, jobs_for(clips), store, observer=interrupt_after_first)
    assert run.interrupted
    statuses = sorted(str(e.status) for e in run.entries)
    assert statuses == ["done", "not run", "not run"]
    with SightingsReader(tmp_path / "s.db") as reader:
        assert [c.name for c in reader.clips()] == [seen[0].name]
    deadline = time.monotonic() + 10  # cancelling reaches the scheduler asynchronously
    while any(cluster.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(cluster.processing().values())


def test_write_clip_is_all_or_nothing(tmp_path: Path) -> None:
    clip = ClipInfo("v1:abc", "/x/a.mp4", "a.mp4", 25.0, 64, 48, 10, "cfg")
    good = SightingStarted(
        1, 7, TargetClass.PERSON, (PathPoint(0, 0.0, 1, 1, 5, 5, 0.9),), 0.9, b""
    )
    bad_point = PathPoint(1, 0.04, None, 1, 5, 5, 0.9)  # type: ignore[arg-type]
    bad = SightingStarted(2, 8, TargetClass.PERSON, (bad_point,), 0.9, b"")
    db = tmp_path / "s.db"
    store = Store(db)
    assert store.write_clip(clip, [good], 10, True) > 0
    other = ClipInfo("v1:def", "/x/b.mp4", "b.mp4", 25.0, 64, 48, 10, "cfg")
    with pytest.raises(StoreError):
        store.write_clip(other, [good, bad], 10, True)
    with pytest.raises(StoreError):
        store.close()
    with SightingsReader(db) as reader:
        assert [(c.name, c.complete) for c in reader.clips()] == [("a.mp4", True)]
        assert reader.count_sightings() == 1
