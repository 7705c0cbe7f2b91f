"""MPEG-TS with H.264 video and a synchronous KLV data stream, through PyAV.

Frame ``i`` gets presentation time ``i / fps`` and its KLV packet the same time (on the
90 kHz MPEG clock), so a reader pairs them by PTS (STANAG 4609 style). The muxer shifts
every stream by the same start offset, which keeps the pairs aligned.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from dronewatch.sim.clip import ClipWriter

MPEG_CLOCK = 90_000


class TsWriter(ClipWriter):
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
        super().__init__(
            path,
            width,
            height,
            fps,
            crf=crf,
            preset=preset,
            max_kbps=max_kbps,
            container_format="mpegts",
        )
        assert self._container is not None
        self._stream.codec_context.time_base = 1 / self._rate
        self._data = self._container.add_data_stream("klv")

    def write(self, image: np.ndarray, klv: bytes) -> None:  # type: ignore[override]
        assert self._container is not None, "writer is closed"
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = self.frames
        frame.time_base = 1 / self._rate
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        data = av.Packet(klv)
        data.stream = self._data
        data.time_base = Fraction(1, MPEG_CLOCK)
        data.pts = data.dts = round(self.frames * MPEG_CLOCK / self._rate)
        self._container.mux(data)
        self.frames += 1
