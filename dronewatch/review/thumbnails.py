"""Thumbnails for sightings that did not come with one (imported from a log).

Cut from the video at the sighting's first box, like the analysis does, so the reports
show every sighting with a picture. A video that cannot be read leaves them empty: a
missing thumbnail is no reason to refuse an import.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from dronewatch.clip_identity import content_hash
from dronewatch.errors import DroneWatchError
from dronewatch.sightings.thumbnail import crop_thumbnail, encode_png
from dronewatch.sources import open_source

log = logging.getLogger(__name__)


def video_of_clip(path: str, digest: str) -> Path | None:
    """The clip's stored path, if a file with the clip's content is still there."""
    candidate = Path(path)
    try:
        if candidate.is_file() and content_hash(candidate) == digest:
            return candidate
    except DroneWatchError:
        pass
    return None


def thumbnails_from_video(
    video: Path, wanted: Sequence[tuple[int, tuple[float, float, float, float]]]
) -> list[bytes]:
    """PNG crops of ``(frame, box)`` pairs, in the order given (b"" where unreadable)."""
    out = [b""] * len(wanted)
    try:
        source = open_source(video)
    except DroneWatchError as exc:
        log.info("no thumbnails from %s: %s", video, exc)
        return out
    try:
        for i in sorted(range(len(wanted)), key=lambda j: wanted[j][0]):
            frame, box = wanted[i]
            source.seek(frame)
            packet = source.read()
            if packet is not None:
                out[i] = encode_png(crop_thumbnail(packet.image, box))
    except DroneWatchError as exc:
        log.info("thumbnails from %s stopped: %s", video, exc)
    finally:
        source.close()
    return out
