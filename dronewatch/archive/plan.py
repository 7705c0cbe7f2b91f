"""Which clips of an archive still need analysing with the current settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dronewatch.sightings.clip_job import ClipJob, config_fingerprint
from dronewatch.store.reader import SightingsReader


@dataclass(frozen=True, slots=True)
class ArchivePlan:
    to_run: tuple[ClipJob, ...]
    skipped: tuple[ClipJob, ...]  # already analysed completely with the same settings
    config_hash: str


def plan_archive(jobs: Sequence[ClipJob], db_path: Path) -> ArchivePlan:
    """Split ``jobs`` into those to run and those already done.

    A job is done when the database holds its content hash, complete, with the same
    ``config_hash`` (the jobs of one run share their analyser, model and ``--set``
    overrides). Jobs without a content hash (unreadable files) always run, so their
    failure is reported with the others.
    """
    if not jobs:
        return ArchivePlan((), (), "")
    first = jobs[0]
    fingerprint = config_fingerprint(first.analyzer, first.model_path, first.overrides)
    to_run: list[ClipJob] = []
    skipped: list[ClipJob] = []
    with SightingsReader(db_path) as reader:
        for job in jobs:
            record = reader.clip_by_hash(job.content_hash) if job.content_hash else None
            if record is not None and record.complete and record.config_hash == fingerprint:
                skipped.append(job)
            else:
                to_run.append(job)
    return ArchivePlan(tuple(to_run), tuple(skipped), fingerprint)
