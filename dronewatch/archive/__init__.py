"""Analysing whole archives of clips on one machine or on a Dask cluster.

``dronewatch analyze ARCHIVE --cluster ADDRESS`` (or ``--local-cluster N``) sends each
clip to a worker of a Dask cluster. A worker runs :func:`~dronewatch.sightings.clip_job.
run_clip`, collects everything it emits and returns it as one
:class:`~dronewatch.archive.collect.ClipOutcome`; workers never open the database. The
client process, the only one with the database, writes each clip's sightings with
:meth:`~dronewatch.store.Store.write_clip` in ONE transaction: a clip is either wholly
in the store or not at all, so a crash or Ctrl-C never leaves half a clip behind.

Idempotent and resumable: a clip is known by its content hash, and a clip already
analysed completely with the same settings (``config_hash``) is skipped, so running the
same command again after an interruption analyses only what is missing.

Why Dask (``distributed``) rather than Ray: it is pure Python and small (no C++ core,
no object store or GCS daemon to operate), installs from one wheel on every platform we
ship to, gives a ``LocalCluster`` of real worker processes for tests and single
machines, reschedules a task whose worker died (``allowed-failures``) and supports
``retries=`` per task. Our unit of work is coarse (a whole clip, seconds to hours) and
its result small (sighting events), which is exactly Dask's futures model; Ray's
strengths (actors, zero-copy shared memory for large arrays, GPU scheduling) would go
unused here.
"""

from dronewatch.archive.collect import ClipOutcome, analyse_clip_whole
from dronewatch.archive.plan import ArchivePlan, plan_archive
from dronewatch.archive.report import ArchiveEntry, EntryStatus, archive_table
from dronewatch.archive.runner import ArchiveRun, analyse_archive

__all__ = [
    "ArchiveEntry",
    "ArchivePlan",
    "ArchiveRun",
    "ClipOutcome",
    "EntryStatus",
    "analyse_archive",
    "analyse_clip_whole",
    "archive_table",
    "plan_archive",
]
