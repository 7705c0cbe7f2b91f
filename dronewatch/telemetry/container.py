"""KLV from the data stream of a container (MPEG-TS, ...), and matching it to frames.

OpenCV does not expose MPEG-TS data streams; PyAV does (``container.streams.data``).
Each demuxed data packet may hold one or several KLV packets; every KLV packet in it
takes that packet's presentation time ``pts * time_base`` (STANAG 4609 carries
synchronous KLV with the PTS of the frame it describes, asynchronous KLV with its own).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from dronewatch.telemetry.packet import KlvPacket, KlvReadResult
from dronewatch.telemetry.reader import read_bytes


class NoDataStreamError(ValueError):
    """The file opened as a container but holds no data stream."""

    def __init__(self, message: str, *, has_video: bool) -> None:
        super().__init__(message)
        self.has_video = has_video


def read_container(path: str | Path, stream_index: int | None = None) -> KlvReadResult:
    """Decode the KLV of a container file's data stream: number ``stream_index`` among
    its data streams, or by default the first one FFmpeg names ``klv`` (else the first).

    Raises :class:`NoDataStreamError` when there is none, and PyAV's ``av.error.FFmpegError``
    (an ``OSError``/``ValueError`` subclass) when the file is not a container at all.
    """
    import av  # deferred: importing PyAV costs ~0.2 s and raw files do not need it

    packets: list[KlvPacket] = []
    skipped = 0
    with av.open(str(path)) as container:
        data_streams = list(container.streams.data)
        if stream_index is None:
            klv = [i for i, st in enumerate(data_streams) if getattr(st, "name", None) == "klv"]
            stream_index = klv[0] if klv else 0
        if len(data_streams) <= stream_index:
            # FFmpeg's "tty" demuxer shows any text file as ANSI-art video: not a video.
            has_video = len(container.streams.video) > 0 and container.format.name != "tty"
            raise NoDataStreamError(f"{path}: no KLV data stream", has_video=has_video)
        stream = data_streams[stream_index]
        for av_packet in container.demux(stream):
            if av_packet.size == 0:  # the flush packet demux() ends with
                continue
            pts_s = None
            if av_packet.pts is not None and av_packet.time_base is not None:
                pts_s = float(av_packet.pts * av_packet.time_base)
            result = read_bytes(bytes(av_packet), pts_s)
            packets.extend(result.packets)
            skipped += result.skipped
    return KlvReadResult(packets=tuple(packets), skipped=skipped)


def match_frames(
    packets: Sequence[KlvPacket],
    frame_times_s: Sequence[float],
    tolerance_s: float | None = None,
) -> list[KlvPacket | None]:
    """For each frame time, the KLV packet that describes it, or ``None``.

    With ``tolerance_s=None`` (default): the latest packet at or before the frame's
    time (telemetry holds until the next update); ``None`` before the first packet.
    With a tolerance: the packet nearest in time, before or after, if within
    ``tolerance_s`` seconds (ties go to the earlier packet). Packets without a
    presentation time are ignored. ``packets`` need not be sorted.
    """
    timed = sorted((p for p in packets if p.pts_s is not None), key=lambda p: p.pts_s or 0.0)
    times = [p.pts_s or 0.0 for p in timed]
    matched: list[KlvPacket | None] = []
    eps = 1e-9  # frame and packet times come from the same rational clock
    for t in frame_times_s:
        i = bisect.bisect_right(times, t + eps)
        before = timed[i - 1] if i > 0 else None
        if tolerance_s is None:
            matched.append(before)
            continue
        after = timed[i] if i < len(timed) else None
        # Ties go to the earlier packet: it is the one already "on air" at time t.
        candidates = [c for c in (before, after) if c is not None]
        gaps = [abs((c.pts_s or 0.0) - t) for c in candidates]
        best: KlvPacket | None = None
        if candidates and min(gaps) <= tolerance_s + eps:
            best = candidates[gaps.index(min(gaps))]
        matched.append(best)
    return matched


def video_frame_times(path: str | Path, stream_index: int = 0) -> list[float]:
    """Presentation times (s) of every decoded frame of video stream ``stream_index``.

    Frames are decoded, not just demuxed: a field-coded (interlaced) H.264 stream has
    two packets per frame, each with its own time, and only decoding pairs them up.
    """
    import av

    times: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[stream_index]
        for frame in container.decode(stream):
            if frame.time is not None:
                times.append(float(frame.time))
    return sorted(times)
