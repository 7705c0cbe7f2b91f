"""Video files: OpenCV first, PyAV when OpenCV cannot decode the file properly.

OpenCV's bundled FFmpeg decodes some interlaced MPEG-TS to all-black frames while every
``read()`` reports success. We probe the first frames on open; if OpenCV sees only black
and PyAV sees a picture, PyAV decodes the file instead. The choice is kept in
``decoder`` so the user can be told.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".ts", ".m4v", ".mpg", ".mpeg"})
# Containers without a reliable index: OpenCV seeks in them badly.
STREAM_CONTAINER_SUFFIXES = frozenset({".ts", ".m2ts", ".mts", ".mpg", ".mpeg"})
_PROBE_FRAMES = 3
_BLACK_MAX = 8  # brightest pixel of a frame we call black
_MAX_BACK_OFF = 5  # seek retries (1, 3, 7, 15 s earlier) before reopening the file


def _is_black(image: np.ndarray) -> bool:
    return int(image.max()) <= _BLACK_MAX


def _truncation_tolerance(frame_count: int) -> int:
    # Containers often announce a frame count a frame or two off; allow for that.
    return max(2, frame_count // 100)


def check_file(path: Path) -> None:
    """Raise SourceError for the problems we can name before decoding."""
    if not path.exists():
        raise SourceError(path, "file not found")
    if path.is_dir():
        raise SourceError(path, "is a folder, not a video file")
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty")


class OpenCVVideoSource:
    """A video file read with ``cv2.VideoCapture``."""

    decoder = "opencv"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(path, "not a playable video (corrupt, truncated or not a video file)")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        if not fps or not np.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 25.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.info = VideoInfo(fps=fps, width=width, height=height, frame_count=count or None)
        self._next = 0

    def read(self) -> FramePacket | None:
        ok, image = self._cap.read()
        if not ok or image is None:
            count = self.info.frame_count
            if count is not None and self._next < count - _truncation_tolerance(count):
                raise SourceError(
                    self.path,
                    f"decoding stopped at frame {self._next + 1} of {count} "
                    "(file truncated or corrupt)",
                )
            return None
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        packet = FramePacket(self._next, self.info.time_of(self._next), image)
        self._next += 1
        return packet

    def seek(self, index: int) -> None:
        index = max(0, index)
        if index == self._next:
            return
        if index == 0:  # reopening is exact and cheap; a position seek may not be
            self._cap.release()
            self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        else:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        self._next = index

    def close(self) -> None:
        self._cap.release()


class PyAVVideoSource:
    """A video file read with PyAV (FFmpeg's own decoders and scalers)."""

    decoder = "pyav"

    def __init__(self, path: Path) -> None:
        import av  # imported here: only needed for files OpenCV cannot handle

        self.path = path
        self.name = path.name
        self._av_error = av.error.FFmpegError
        self._open = lambda: av.open(str(path))
        try:
            self._container = self._open()
            self._stream = self._container.streams.video[0]
        except (self._av_error, IndexError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise SourceError(path, f"not a playable video ({reason})") from exc
        stream = self._stream
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.guessed_rate or Fraction(25)
        fps = float(rate)
        self._time_base = stream.time_base or Fraction(1, 90000)
        self._start_pts = stream.start_time or 0
        count = stream.frames or None
        if count is None:
            duration = None
            if stream.duration is not None:
                duration = float(stream.duration * self._time_base)
            elif self._container.duration is not None:
                duration = self._container.duration / 1_000_000
            if duration:
                count = max(1, round(duration * fps))
        ctx = stream.codec_context
        self.info = VideoInfo(fps=fps, width=ctx.width, height=ctx.height, frame_count=count)
        self._frames = self._container.decode(stream)
        self._next = 0  # index the next read() should return
        self._overshoot_check = False
        self._back_off = 0

    def _index_of(self, frame: object) -> int:
        pts = getattr(frame, "pts", None)
        if pts is None:
            return self._next
        seconds = float((pts - self._start_pts) * self._time_base)
        return round(seconds * self.info.fps)

    def read(self) -> FramePacket | None:
        while True:
            try:
                frame = self._next_frame()
            except StopIteration:
                return None
            except self._av_error as exc:
                raise SourceError(
                    self.path, f"decoding stopped at frame {self._next + 1}: {exc}"
                ) from exc
            index = self._index_of(frame)
            if index < self._next:
                continue  # decoding forward from a keyframe to the frame asked for
            image = frame.to_ndarray(format="bgr24")
            self._next = index + 1
            return FramePacket(index, self.info.time_of(index), image)

    def _next_frame(self) -> object:
        # Container seeks are keyframe- and format-dependent (MPEG-TS often lands late or
        # past the end): back off further, finally reopen, until we land at or before the
        # frame asked for.
        while True:
            try:
                frame = next(self._frames)
            except StopIteration:
                if not (self._overshoot_check and self._back_off < _MAX_BACK_OFF):
                    raise
            else:
                late = self._overshoot_check and self._index_of(frame) > self._next
                if not late or self._back_off >= _MAX_BACK_OFF:
                    self._overshoot_check = False
                    return frame
            self._back_off += 1
            self._seek_container(self._next, self._back_off)

    def _seek_container(self, index: int, back_off: int) -> None:
        if back_off >= _MAX_BACK_OFF or index == 0:
            self._container.close()
            self._container = self._open()
            self._stream = self._container.streams.video[0]
            self._stream.thread_type = "AUTO"
        else:
            seconds = index / self.info.fps - (2**back_off - 1)
            target = self._start_pts + int(max(seconds, 0.0) / self._time_base)
            self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)

    def seek(self, index: int) -> None:
        index = max(0, index)
        if index == self._next:
            return
        self._back_off = 0
        try:
            self._seek_container(index, 0)
        except self._av_error as exc:
            raise SourceError(self.path, f"cannot seek to frame {index + 1}: {exc}") from exc
        self._next = index
        self._overshoot_check = index > 0

    def close(self) -> None:
        self._container.close()


def _probe(source: OpenCVVideoSource | PyAVVideoSource) -> list[np.ndarray]:
    """Decode the first few frames, then rewind."""
    frames: list[np.ndarray] = []
    try:
        for _ in range(_PROBE_FRAMES):
            packet = source.read()
            if packet is None:
                break
            frames.append(packet.image)
    except SourceError:
        pass
    source.seek(0)
    return frames


def _all_black(frames: list[np.ndarray]) -> bool:
    return bool(frames) and all(_is_black(f) for f in frames)


def _is_interlaced(path: Path) -> bool:
    """True when PyAV says the first frame is interlaced (OpenCV's converter fails on it)."""
    import av

    try:
        with av.open(str(path)) as container:
            frame = next(container.decode(video=0))
            return bool(frame.interlaced_frame)
    except (av.error.FFmpegError, StopIteration, IndexError, OSError):
        return False


def open_video(path: Path) -> OpenCVVideoSource | PyAVVideoSource:
    """Open a video file with the decoder that shows its picture.

    OpenCV is the fast default. MPEG transport/program streams go to PyAV: OpenCV seeks
    in them unreliably, and PyAV also reads their KLV telemetry. Interlaced video goes
    to PyAV: OpenCV's bundled FFmpeg cannot convert it and returns black frames while
    reporting success (sometimes, not always, so a probe alone is not enough). A video
    whose first frames are black in OpenCV but not in PyAV also goes to PyAV.
    """
    check_file(path)
    if path.suffix.lower() in STREAM_CONTAINER_SUFFIXES or _is_interlaced(path):
        log.info("%s: MPEG stream container or interlaced video, decoding with PyAV", path)
        fallback = PyAVVideoSource(path)
        if _probe(fallback):
            return fallback
        fallback.close()
    try:
        source: OpenCVVideoSource | PyAVVideoSource = OpenCVVideoSource(path)
    except SourceError as opencv_error:
        try:
            fallback = PyAVVideoSource(path)
        except SourceError:
            raise opencv_error from None
        if not _probe(fallback):
            fallback.close()
            raise opencv_error from None
        return fallback
    frames = _probe(source)
    if not frames:
        source.close()
        raise SourceError(path, "no frame could be decoded (corrupt or truncated file)")
    if _all_black(frames):
        try:
            fallback = PyAVVideoSource(path)
        except SourceError:
            return source  # nothing better: the video may really be black
        if (probe := _probe(fallback)) and not _all_black(probe):
            log.warning("%s: OpenCV decodes black frames; using PyAV instead", path)
            source.close()
            return fallback
        fallback.close()
    return source
