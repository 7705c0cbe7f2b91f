"""KLV telemetry from drone video: MISB ST 0601 (UAS Datalink Local Set) and the older
MISB EG 0104 (Predator universal set), from raw KLV files or a container's data stream.

The decoders are written from the standards (MISB ST 0601 tag table and mappings,
ST 1201 for IMAPB items, EG 0104 key table), not taken from a library. On PyPI,
``klvdata`` was last released in 2018 (0.0.3, unmaintained, no EG 0104 module);
``klv-parser`` 0.0.6 is a one-off alpha fork of it that prints errors to stdout and
returns values as strings; ``stanag4609`` and ``tstrans`` are young alpha toolkits far
larger than this job (1.7 MB of Python; a 10 MB Rust wheel). None is a maintained,
small dependency worth taking. (Our ST 0601 values agree with ``klv-parser``'s on every
item of the real Cheyenne and Day Flight samples, compared once by hand.)

Modules: :mod:`.ber` (BER lengths, BER-OID tags), :mod:`.st0601` (tag table, scaling,
checksum), :mod:`.eg0104` (universal-set keys), :mod:`.reader` (back-to-back packets,
skip-and-count), :mod:`.container` (PyAV data streams, matching packets to frames).

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
