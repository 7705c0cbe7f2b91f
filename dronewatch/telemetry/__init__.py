"""KLV telemetry from drone video: MISB ST 0601 (UAS Datalink Local Set) and the older
MISB EG 0104 (Predator universal set), from raw KLV files or a container's data stream.

The decoders are written from the standards. The PyPI package with this scope,
``klvdata``, was last released in 2018 (0.0.3), is unmaintained and does not read
EG 0104, so we do not depend on it.

>>> from dronewatch.telemetry import read_klv
>>> result = read_klv("flight.ts")                          # doctest: +SKIP
>>> result.packets[0].values["sensor_latitude"]             # doctest: +SKIP
41.14385...
"""

from __future__ import annotations

from pathlib import Path

from dronewatch.errors import SourceError
from dronewatch.telemetry.ber import KlvError
from dronewatch.telemetry.container import (
    NoDataStreamError,
    match_frames,
    read_container,
    video_frame_times,
)
from dronewatch.telemetry.packet import EG0104, ST0601, KlvPacket, KlvReadResult
from dronewatch.telemetry.reader import SMPTE_PREFIX, Skipped, read_bytes, read_raw_file, scan

__all__ = [
    "EG0104",
    "ST0601",
    "KlvError",
    "KlvPacket",
    "KlvReadResult",
    "Skipped",
    "match_frames",
    "read_bytes",
    "read_container",
    "read_klv",
    "read_raw_file",
    "scan",
    "video_frame_times",
]


def read_klv(path: str | Path) -> KlvReadResult:
    """Read the KLV of ``path``: a raw file of back-to-back packets, or any container
    PyAV opens that has a data stream (MPEG-TS with KLVA, ...).

    Raises :class:`~dronewatch.errors.SourceError` (one line, for the user) when the
    file is missing or holds no KLV at all. Malformed packets never raise: they are
    counted in ``KlvReadResult.skipped``.
    """
    import av  # deferred: importing PyAV is slow

    p = Path(path)
    if not p.is_file():
        raise SourceError(p, "no such file")
    with p.open("rb") as f:
        head = f.read(len(SMPTE_PREFIX))
    if head == SMPTE_PREFIX:
        return read_raw_file(p)
    try:
        return read_container(p)
    except NoDataStreamError as exc:
        # FFmpeg "opens" almost anything (a text file as a tty stream): a file with no
        # data stream may still be raw KLV with junk before the first key.
        no_stream: NoDataStreamError | None = exc
    except (av.error.FFmpegError, OSError, ValueError):
        no_stream = None
    result = read_raw_file(p)
    if result.packets:
        return result
    if no_stream is not None and no_stream.has_video:
        raise SourceError(p, "no KLV data stream in this video") from None
    raise SourceError(
        p, "not KLV: neither raw KLV packets nor a container with a KLV data stream"
    ) from None
