"""MPEG-TS with H.264 video and a synchronous KLV data stream, through PyAV.

Frame ``i`` gets presentation time ``i / fps`` and its KLV packet the same time (on the
90 kHz MPEG clock), so a reader pairs them by PTS (STANAG 4609 style). The muxer shifts
every stream by the same start offset, which keeps the pairs aligned.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from dronewatch.errors import DroneWatchError

MPEG_CLOCK = 90_000


class TsWriter:
    """Writes BGR frames, each with its KLV bytes, to an MPEG-TS file (libx264)."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "superfast",
        max_kbps: int = 900,
    ) -> None:
        self.path = Path(path)
        try:
            self._container: av.container.OutputContainer | None = av.open(
                str(self.path), mode="w", format="mpegts"
            )
        except (OSError, av.error.FFmpegError) as exc:
            raise DroneWatchError(f"{self.path}: cannot write ({exc})") from None
        self._rate = Fraction(fps).limit_denominator(1001)
        video = self._container.add_stream("libx264", rate=self._rate)
        video.width = width
        video.height = height
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = 1 / self._rate
        video.options = {
            "crf": str(crf),
            "preset": preset,
            "threads": "1",
            "x264-params": f"vbv-maxrate={max_kbps}:vbv-bufsize={2 * max_kbps}",
        }
        self._video = video
        self._data = self._container.add_data_stream("klv")
        self.frames = 0

    def write(self, image: np.ndarray, klv: bytes) -> None:
        assert self._container is not None, "writer is closed"
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = self.frames
        frame.time_base = 1 / self._rate
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        data = av.Packet(klv)
        data.stream = self._data
        data.time_base = Fraction(1, MPEG_CLOCK)
        data.pts = data.dts = round(self.frames * MPEG_CLOCK / self._rate)
        self._container.mux(data)
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        for packet in self._video.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None

    def __enter__(self) -> TsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
