"""The client side: submit clips to a Dask cluster, write each finished clip once.

Fault handling, in two layers:

* a worker process that dies mid-clip (``kill -9``, out of memory) has its task
  rescheduled by the Dask scheduler on another worker, up to the scheduler's
  ``distributed.scheduler.allowed-failures``; after that the future fails with
  ``KilledWorker`` and we resubmit it ourselves, up to ``retries`` more times, then
  report the clip as failed with the reason;
* an exception inside the task is retried by Dask (``retries=`` on submit), then
  reported;
* a clip that cannot be decoded is not an exception: :func:`run_clip` reports it in its
  result, and it is reported as failed at once (retrying would fail the same way).

Results are written only here, by the store's single writer, one transaction per clip,
and only the first result of a clip is kept, so a retried clip is never written twice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dronewatch.archive.collect import ClipOutcome, analyse_clip_whole
from dronewatch.archive.report import ArchiveEntry, EntryStatus
from dronewatch.sightings.clip_job import ClipJob
from dronewatch.store.writer import Store

if TYPE_CHECKING:
    from distributed import Client, Future


@dataclass
class ArchiveRun:
    """Entries in job order; ``interrupted`` when Ctrl-C ended the run early."""

    entries: list[ArchiveEntry] = field(default_factory=list)
    interrupted: bool = False
    resubmitted: int = 0  # our own resubmissions after KilledWorker
    write_s: float = 0.0  # time the single writer spent committing clips (its load)

    @property
    def failed(self) -> list[ArchiveEntry]:
        return [e for e in self.entries if e.status is EntryStatus.FAILED]


def _is_worker_death(exc: BaseException) -> bool:
    from distributed.scheduler import KilledWorker

    return isinstance(exc, KilledWorker)


def analyse_archive(
    client: Client,
    jobs: Sequence[ClipJob],
    store: Store,
    *,
    retries: int = 2,
    observer: Callable[[ArchiveEntry], None] = lambda entry: None,
) -> ArchiveRun:
    """Analyse ``jobs`` on ``client``'s cluster into ``store``; returns what happened.

    ``observer`` is called in this thread with each clip's entry once it is final.
    """
    from distributed import as_completed

    run_id = uuid.uuid4().hex[:8]
    attempts: dict[int, int] = {}
    by_key: dict[str, ClipJob] = {}
    done: dict[int, ArchiveEntry] = {}

    def submit(job: ClipJob) -> Future:
        attempts[job.index] = attempts.get(job.index, 0) + 1
        key = f"clip-{job.index}-{run_id}-try{attempts[job.index]}"
        future = client.submit(analyse_clip_whole, job, key=key, retries=retries, pure=False)
        by_key[future.key] = job
        return future

    def settle(job: ClipJob, entry: ArchiveEntry) -> None:
        done[job.index] = entry
        observer(entry)

    outcome_run = ArchiveRun()
    pending = as_completed([submit(job) for job in jobs], with_results=False)
    try:
        for future in pending:
            job = by_key.pop(future.key)
            if job.index in done:
                future.release()
                continue  # defensive: a clip is written at most once
            if future.status == "finished":
                outcome: ClipOutcome = future.result()
                future.release()
                started = time.perf_counter()
                entry = _write(store, outcome, attempts[job.index])
                outcome_run.write_s += time.perf_counter() - started
                settle(job, entry)
                continue
            exc = _exception(future)
            future.release()
            if _is_worker_death(exc) and attempts[job.index] <= retries:
                outcome_run.resubmitted += 1
                pending.add(submit(job))
                continue
            reason = f"{job.path}: worker failed after {attempts[job.index]} tries ({exc!r})"
            settle(
                job,
                ArchiveEntry(
                    job.path, EntryStatus.FAILED, attempts=attempts[job.index], reason=reason
                ),
            )
    except KeyboardInterrupt:
        # Stop cleanly: what finished is committed already; the rest is cancelled.
        outcome_run.interrupted = True
        _cancel(client, pending)
    for job in jobs:
        outcome_run.entries.append(
            done.get(job.index)
            or ArchiveEntry(
                job.path,
                EntryStatus.NOT_RUN,
                attempts=attempts.get(job.index, 0),
                reason="interrupted before it finished",
            )
        )
    return outcome_run


def _exception(future: Any) -> BaseException:
    try:
        exc = future.exception(timeout=10)
    except Exception as err:  # cancelled, or the scheduler went away
        return err
    return exc if exc is not None else RuntimeError(f"task ended as {future.status}")


def _cancel(client: Client, pending: Any) -> None:
    try:
        futures = list(pending.futures)
        pending.clear()
        if futures:
            client.cancel(futures)
    except Exception:  # shutting down anyway: do not hide the interrupt
        pass


def _write(store: Store, outcome: ClipOutcome, attempts: int) -> ArchiveEntry:
    """Write one clip in one transaction and say how it went."""
    result = outcome.result
    if outcome.clip is not None:
        # Partial clips (decoding stopped part-way) are kept but marked incomplete, as
        # the local ``analyze`` does; the next run analyses them again.
        store.write_clip(outcome.clip, outcome.events, result.frames, result.complete)
    status = EntryStatus.DONE if result.complete else EntryStatus.FAILED
    return ArchiveEntry(
        path=result.path,
        status=status,
        frames=result.frames,
        sightings=result.sightings,
        video_s=result.video_s,
        attempts=attempts,
        reason=result.problem or "",
    )
