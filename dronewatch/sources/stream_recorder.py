"""Remux a live stream's packets into a file while it is watched (no re-encoding).

The reader thread hands every demuxed packet to :meth:`StreamRecorder.write`; the caller
of ``stop_recording`` closes the file from its own thread. A lock keeps the two apart.
Output streams are made from the first input streams seen (one video, one data stream):
after a reconnect the new connection's packets go to the same output streams by kind.
KLV goes into MPEG-TS only: Matroska has no KLV codec id (and FFmpeg 8's muxer crashes
on a KLV packet rather than refusing it), so a ``.mkv`` recording holds the video alone.
Video is written from its first keyframe on, so the file starts with a decodable frame,
and times are shifted so that keyframe is at 0 (a player would otherwise count the time
the stream ran before the recording as part of the file).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from dronewatch.errors import SourceError

log = logging.getLogger(__name__)

_FORMATS = {".ts": "mpegts", ".m2ts": "mpegts", ".mts": "mpegts", ".mkv": "matroska"}


def recording_format(path: Path) -> str:
    """The container format for ``path`` (MPEG-TS or Matroska), from its suffix."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(path, "record to a .ts or .mkv file (MPEG-TS or Matroska)")
    return fmt


class StreamRecorder:
    """One recording: an output container fed packet by packet from the reader thread."""

    def __init__(self, path: str | Path) -> None:
        import av

        self.path = Path(path)
        fmt = recording_format(self.path)
        try:
            self._out: Any = av.open(str(self.path), "w", format=fmt)
        except (OSError, av.error.FFmpegError) as exc:
            raise SourceError(self.path, f"cannot record here ({exc})") from None
        self._lock = threading.Lock()
        self._streams: dict[str, Any] = {}  # "video"/"data" -> output stream
        self._header_done = False  # no streams can be added once a packet was muxed
        self._keeps_klv = fmt == "mpegts"
        self._keyframe_seen = False
        self._last_dts: dict[str, int] = {}
        self._origin_s: float | None = None  # stream time of the first recorded keyframe
        self.packets = 0
        self.dropped = 0  # packets the muxer refused (timestamps going back after a reconnect)
        self.closed = False

    def write(self, packet: Any) -> None:
        """Mux one demuxed packet (video or data); silently skips what cannot go in."""
        with self._lock:
            if self.closed or packet.size == 0 or packet.dts is None:
                return
            kind = packet.stream.type
            if kind == "data" and not self._klv_stream(packet.stream):
                return
            if kind not in ("video", "data"):
                return
            if kind == "video" and not self._keyframe_seen:
                if not packet.is_keyframe:
                    return
                self._keyframe_seen = True
                self._origin_s = float(packet.dts * packet.time_base)
            if not self._keyframe_seen:
                return  # data before the first frame describes nothing in the file
            out_stream = self._streams.get(kind)
            if out_stream is None:
                if self._header_done:
                    return
                out_stream = self._out.add_stream_from_template(packet.stream)
                self._streams[kind] = out_stream
            if kind == "video" and "data" not in self._streams and not self._header_done:
                # A data stream must exist before the header is written: add it now if
                # the input has one, so KLV that arrives later can still be recorded.
                container = packet.stream.container
                data = [s for s in container.streams if self._klv_stream(s)]
                if data:
                    self._streams["data"] = self._out.add_stream_from_template(data[0])
            self._mux(packet, kind, out_stream)

    def _klv_stream(self, stream: Any) -> bool:
        return self._keeps_klv and stream.type == "data" and stream.name == "klv"

    def _mux(self, packet: Any, kind: str, out_stream: Any) -> None:
        import av

        if self._origin_s is not None and packet.time_base is not None:
            shift = round(self._origin_s / packet.time_base)
            if packet.dts - shift < 0:
                return  # from before the first keyframe
            packet.dts -= shift
            if packet.pts is not None:
                packet.pts = max(packet.pts - shift, packet.dts)
        last = self._last_dts.get(kind)
        if last is not None and packet.dts <= last and packet.time_base == out_stream.time_base:
            self.dropped += 1
            return
        packet.stream = out_stream
        try:
            self._out.mux(packet)
        except (av.error.FFmpegError, ValueError) as exc:
            self.dropped += 1
            log.debug("recording %s: packet dropped (%s)", self.path, exc)
            return
        self._header_done = True
        self._last_dts[kind] = packet.dts
        self.packets += 1

    def close(self) -> None:
        """Finish the file (trailer, flush). Safe to call twice."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            try:
                self._out.close()
            except Exception as exc:  # a file with no packets cannot write a trailer
                log.info("recording %s: close failed (%s)", self.path, exc)
