"""Analysing many clips, in this process or in worker processes, into one store.

Design: the workers never open the database. Each runs :func:`run_clip` and streams
its messages (batches of sighting events every ~0.2 s) to the parent over one
``multiprocessing`` queue; the parent hands them to the store's single writer thread,
which commits at least every 0.5 s. So there is exactly one writer, and a ``kill -9``
of the parent loses at most what was in flight in the last ~0.7 s. Workers watch their
parent: if it dies they exit within half a second rather than analyse for nobody.

With one worker, or one clip, everything runs in this process (no start-up cost).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from dronewatch.sightings.clip_job import (
    ClipBatch,
    ClipJob,
    ClipMessage,
    ClipOpened,
    ClipResult,
    run_clip,
)
from dronewatch.store.writer import Store

PROGRESS_EVERY_S = 1.0
SHUTDOWN_GRACE_S = 10.0
RESULT_GRACE_S = 5.0


class _Dispatcher:
    """Feeds clip messages to the store (parent process only) and to the observer."""

    def __init__(self, store: Store, observer: Callable[[ClipMessage], None]) -> None:
        self.store = store
        self.observer = observer
        self.clip_ids: dict[int, int] = {}
        self.results: dict[int, ClipResult] = {}
        self._progress_at: dict[int, float] = {}

    def __call__(self, msg: ClipMessage) -> None:
        if msg.job in self.results:
            return  # a late message from a worker already given up on
        if isinstance(msg, ClipOpened):
            self.clip_ids[msg.job] = self.store.begin_clip(msg.clip)
        elif isinstance(msg, ClipBatch):
            clip_id = self.clip_ids.get(msg.job)
            if clip_id is not None:
                self.store.write_events(clip_id, msg.events)
                now = time.monotonic()
                if now - self._progress_at.get(msg.job, 0.0) >= PROGRESS_EVERY_S:
                    self.store.note_progress(clip_id, msg.frames_done)
                    self._progress_at[msg.job] = now
        else:
            self.results[msg.job] = msg
            clip_id = self.clip_ids.get(msg.job)
            if clip_id is not None:
                self.store.finish_clip(clip_id, msg.frames, msg.complete)
        self.observer(msg)


def analyse_clips(
    jobs: Sequence[ClipJob],
    store: Store,
    workers: int = 1,
    observer: Callable[[ClipMessage], None] = lambda msg: None,
) -> list[ClipResult]:
    """Analyse ``jobs`` into ``store``; returns one result per job, in job order.

    ``observer`` sees every message in the calling thread (for progress display).
    """
    dispatch = _Dispatcher(store, observer)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            run_clip(job, dispatch)
    else:
        _run_in_pool(jobs, dispatch, workers)
    return [dispatch.results[job.index] for job in jobs]


# -- worker side ---------------------------------------------------------------------------

_worker_queue: Any = None
_worker_stop: Any = None
_worker_parent = 0


def _init_worker(messages: Any, stop: Any) -> None:
    global _worker_queue, _worker_stop, _worker_parent
    _worker_queue, _worker_stop, _worker_parent = messages, stop, os.getppid()
    # The parent handles Ctrl-C and tells us to stop through ``stop``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Exiting must never wait on a queue nobody reads; the parent has read our results
    # (they come last, in order) before it lets the pool shut down.
    messages.cancel_join_thread()
    threading.Thread(target=_exit_with_parent, name="parent-watchdog", daemon=True).start()


def _exit_with_parent() -> None:
    """End this worker soon after the parent dies (say, ``kill -9``).

    An idle pool worker waits on a queue that other workers keep open, so it would
    never see the parent go; and a busy one would analyse for nobody.
    """
    while os.getppid() == _worker_parent:
        time.sleep(0.5)
    os._exit(1)


def _should_stop() -> bool:
    return _worker_stop.is_set() or os.getppid() != _worker_parent


def _run_in_worker(job: ClipJob) -> ClipResult:
    return run_clip(job, _worker_queue.put, _should_stop)


# -- parent side ---------------------------------------------------------------------------


def _run_in_pool(jobs: Sequence[ClipJob], dispatch: _Dispatcher, workers: int) -> None:
    # spawn, not fork: the parent runs the store's writer thread, and forking a process
    # with threads can copy a held lock into the child.
    ctx = mp.get_context("spawn")
    messages = ctx.Queue()
    stop = ctx.Event()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(messages, stop),
    )
    futures: dict[int, Future[ClipResult]] = {}
    finished_at: dict[int, float] = {}
    try:
        futures = {job.index: pool.submit(_run_in_worker, job) for job in jobs}
        while len(dispatch.results) < len(jobs):
            _pump(jobs, dispatch, messages, futures, finished_at)
    except BaseException:
        # Ctrl-C or a store error: stop the workers, but keep reading for a while so
        # the sightings they found so far are saved (best effort), then re-raise.
        stop.set()
        deadline = time.monotonic() + SHUTDOWN_GRACE_S
        try:
            while len(dispatch.results) < len(jobs) and time.monotonic() < deadline:
                _pump(jobs, dispatch, messages, futures, finished_at)
        except Exception:
            pass
        raise
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


def _pump(
    jobs: Sequence[ClipJob],
    dispatch: _Dispatcher,
    messages: Any,
    futures: dict[int, Future[ClipResult]],
    finished_at: dict[int, float],
) -> None:
    """Dispatch the next message, or notice workers that ended without reporting."""
    try:
        dispatch(messages.get(timeout=0.25))
        return
    except queue.Empty:
        pass
    now = time.monotonic()
    for job in jobs:
        future = futures.get(job.index)
        if job.index in dispatch.results or future is None or not future.done():
            continue
        if future.cancelled():
            reason = "not analysed (cancelled)"
        elif future.exception() is not None:
            reason = f"worker process failed ({future.exception()!r})"
        else:
            # Returned normally: its messages are still on their way through the queue,
            # unless something went badly wrong; then trust the returned result.
            first_seen = finished_at.setdefault(job.index, now)
            if now - first_seen > RESULT_GRACE_S:
                dispatch(future.result())
            continue
        dispatch(
            ClipResult(job.index, job.path, 0, None, 0.0, 0, 0, 0.0, False, f"{job.path}: {reason}")
        )
