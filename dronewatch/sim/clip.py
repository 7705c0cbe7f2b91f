"""H.264 clip writing through PyAV (OpenCV wheels cannot encode H.264)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from dronewatch.errors import DroneWatchError


class ClipWriter:
    """Writes BGR frames to an MP4 (libx264, yuv420p).

    ``max_kbps`` caps the bitrate (VBV) so that noisy scenes keep a predictable size.
    """

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
        container_format: str | None = None,  # None: from the file name
    ) -> None:
        self.path = Path(path)
        try:
            self._container: av.container.OutputContainer | None = av.open(
                str(self.path), mode="w", format=container_format
            )
        except (OSError, av.error.FFmpegError) as exc:
            raise DroneWatchError(f"{self.path}: cannot write ({exc})") from None
        self._rate = rate = Fraction(fps).limit_denominator(1001)
        stream = self._container.add_stream("libx264", rate=rate)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.options = {
            "crf": str(crf),
            "preset": preset,
            "threads": "1",
            "x264-params": f"vbv-maxrate={max_kbps}:vbv-bufsize={2 * max_kbps}",
        }
        self._stream = stream
        self.frames = 0

    def write(self, image: np.ndarray) -> None:
        assert self._container is not None, "writer is closed"
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None

    def __enter__(self) -> ClipWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def iter_decoded(path: Path) -> Iterator[np.ndarray]:
    """Decode a clip back to BGR frames (for checks and tests)."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="bgr24")
