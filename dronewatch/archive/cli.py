"""``dronewatch analyze --cluster ADDRESS`` / ``--local-cluster N``: the command side."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from dronewatch.archive.cluster import dashboard_text, open_client
from dronewatch.archive.plan import plan_archive
from dronewatch.archive.progress import ArchiveProgress
from dronewatch.archive.report import ArchiveEntry, EntryStatus, archive_table
from dronewatch.archive.runner import analyse_archive
from dronewatch.errors import DroneWatchError
from dronewatch.sightings.clip_job import ClipJob
from dronewatch.store.writer import Store


def run_on_cluster(
    args: argparse.Namespace, jobs: Sequence[ClipJob], db_path: Path, problems: Sequence[str]
) -> int:
    """Analyse ``jobs`` on a cluster; prints progress (stderr) and the table (stdout).

    Exit code: 0 when every clip is done or skipped, 1 if any failed (or a folder held
    no clips), 130 on Ctrl-C (what finished is kept).
    """
    if args.retries < 0:
        raise DroneWatchError(f"--retries must be at least 0, got {args.retries}")
    if args.local_cluster is not None and args.local_cluster < 1:
        raise DroneWatchError(f"--local-cluster must be at least 1, got {args.local_cluster}")
    # Workers may run elsewhere (or in another folder): give them absolute paths, on a
    # filesystem every worker mounts at the same place.
    jobs = [
        dataclasses.replace(
            job,
            path=str(Path(job.path).expanduser().resolve()),
            mot_dir=str(Path(job.mot_dir).resolve()) if job.mot_dir else None,
        )
        for job in jobs
    ]
    with Store(db_path) as store:
        plan = plan_archive(jobs, db_path)
        skipped = [
            ArchiveEntry(job.path, EntryStatus.SKIPPED, reason="already analysed")
            for job in plan.skipped
        ]
        entries: list[ArchiveEntry] = []
        interrupted = False
        if plan.to_run:
            with open_client(args.cluster, args.local_cluster or 0) as client:
                print(dashboard_text(client), file=sys.stderr)
                progress = ArchiveProgress(sys.stderr, len(plan.to_run), len(plan.skipped))
                run = analyse_archive(
                    client, plan.to_run, store, retries=args.retries, observer=progress
                )
                entries, interrupted = run.entries, run.interrupted
    order = {job.path: job.index for job in jobs}
    table = sorted([*entries, *skipped], key=lambda e: order.get(e.path, 0))
    print(archive_table(table))
    print(f"sightings saved to {db_path}")
    failed = [e for e in table if e.status is EntryStatus.FAILED]
    for entry in failed:
        print(f"dronewatch: error: {entry.reason}", file=sys.stderr)
    if interrupted:
        print("dronewatch: interrupted; finished clips are saved", file=sys.stderr)
        return 130
    return 1 if failed or problems else 0
