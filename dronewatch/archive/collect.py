"""The worker side: analyse one clip whole and return everything it produced.

This runs on Dask workers, which never open the database: the result travels back to
the client, which writes it in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from dronewatch.sightings.clip_job import (
    ClipBatch,
    ClipJob,
    ClipMessage,
    ClipOpened,
    ClipResult,
    run_clip,
)
from dronewatch.sightings.events import SightingEvent
from dronewatch.store.records import ClipInfo


@dataclass(frozen=True, slots=True)
class ClipOutcome:
    """All a clip's analysis produced: ``clip`` is None when it could not be opened."""

    clip: ClipInfo | None
    events: tuple[SightingEvent, ...]
    result: ClipResult
    worker: str = ""  # which worker analysed it (host:pid), for the report


def analyse_clip_whole(job: ClipJob) -> ClipOutcome:
    """Run :func:`run_clip` collecting its messages in memory (a worker-side task).

    Memory grows with the clip's sightings (path points and thumbnails), not with its
    frames: a few MB even for an hour of busy footage.
    """
    import os
    import socket

    opened: list[ClipInfo] = []
    events: list[SightingEvent] = []

    def collect(msg: ClipMessage) -> None:
        if isinstance(msg, ClipOpened):
            opened.append(msg.clip)
        elif isinstance(msg, ClipBatch):
            events.extend(msg.events)

    result = run_clip(job, collect)
    return ClipOutcome(
        clip=opened[0] if opened else None,
        events=tuple(events),
        result=result,
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )
