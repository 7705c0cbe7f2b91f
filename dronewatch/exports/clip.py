"""Annotated clips and snapshots: stored tracks burnt into the video.

The overlays are drawn by :func:`dronewatch.annotate.annotate`, the function the live
view uses, from the boxes stored for the clip (found by content hash, so a renamed copy
of the video still matches). Dismissed sightings are left out, and reviewed classes are
used, so the clip shows what the review concluded.

Encoding goes through PyAV: H.264 (libx264, yuv420p, ``+faststart``) when the FFmpeg
build has it, else MPEG-4 Part 2 in MP4, which every common player reads; the result
says which codec was used and why. The file is written under a temporary name in the
target folder and renamed at the end: a failure or a cancel leaves no file.

Example::

    result = render_clip("feed.mp4", "sightings.db", "out.mp4", from_s=10, to_s=20)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from dronewatch.annotate import Hud, OverlayOptions, annotate
from dronewatch.clip_identity import content_hash
from dronewatch.errors import DroneWatchError
from dronewatch.exports.atomic import ExportError, Job, describe_os_error, write_files
from dronewatch.exports.model import CancelFn, ProgressFn
from dronewatch.frames import VideoInfo
from dronewatch.live.track_index import TrackIndex
from dronewatch.review.reference_layer import draw_reference_boxes, load_reference_index
from dronewatch.sources import open_source
from dronewatch.store import SightingsReader

TRAIL_SECONDS = 3.0  # as in the live view
H264 = "libx264"
FALLBACK = "mpeg4"


@dataclass(frozen=True, slots=True)
class RenderResult:
    path: Path
    frames: int
    width: int
    height: int
    fps: float
    codec: str
    note: str | None  # set when the preferred codec was not available


def codec_available(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except Exception:  # av raises its own UnknownCodecError, or ValueError on old versions
        return False
    return True


def choose_codec(preferred: str = H264) -> tuple[str, str | None]:
    """The codec to encode with, and a note when it is not the preferred one."""
    if codec_available(preferred):
        return preferred, None
    if codec_available(FALLBACK):
        return FALLBACK, (
            f"this FFmpeg build has no {preferred} encoder; wrote MPEG-4 Part 2 video "
            "instead (plays in VLC, browsers and most players, larger file)"
        )
    raise DroneWatchError(f"no video encoder available (neither {preferred} nor {FALLBACK})")


class ClipOverlays:
    """A clip's stored tracks, ready to draw on any of its frames."""

    def __init__(
        self, name: str, info: VideoInfo, index: TrackIndex, reference: TrackIndex | None = None
    ) -> None:
        self.name = name
        self.info = info
        self.index = index
        self.reference = reference

    @classmethod
    def load(
        cls,
        db_path: str | Path,
        video: str | Path,
        info: VideoInfo,
        dismissed: bool = False,
        reference: bool = False,
    ) -> ClipOverlays:
        """``reference`` also loads the clip's ground truth, drawn dashed (an error when
        the clip has none)."""
        digest = content_hash(video)
        with SightingsReader(db_path) as reader:
            clip = reader.clip_by_hash(digest)
            if clip is None:
                raise DroneWatchError(
                    f"{video}: not analysed in {db_path} (run: dronewatch analyze {video} "
                    f"--db {db_path})"
                )
            rows, classes = reader.clip_boxes(clip.id, include_dismissed=dismissed)
            ref = load_reference_index(reader, clip.id) if reference else None
        if reference and ref is None:
            raise DroneWatchError(
                f"{video}: no reference layer in {db_path} (import one: dronewatch import "
                f"GT.txt --feed {video} --db {db_path})"
            )
        index = TrackIndex()
        index.load_points(rows, classes)
        return cls(Path(video).name, info, index, ref)

    def draw(
        self,
        image: np.ndarray,
        frame: int,
        time_s: float,
        options: OverlayOptions,
        selected: int | None = None,
    ) -> np.ndarray:
        span = round(TRAIL_SECONDS * self.info.fps)
        trails = self.index.trails(frame, span) if options.trails else None
        hud = Hud(self.name, time_s, frame, 1.0, "REPLAY")
        out = annotate(image, self.index.tracks_at(frame), trails, options, hud, selected)
        if self.reference is not None:
            draw_reference_boxes(out, self.reference.tracks_at(frame))
        return out


def _frame_range(info: VideoInfo, from_s: float | None, to_s: float | None) -> tuple[int, int]:
    first = info.index_at(from_s or 0.0)
    last_known = (info.frame_count or 1) - 1
    last = info.index_at(to_s) if to_s is not None else last_known
    if to_s is not None and from_s is not None and to_s < from_s:
        raise DroneWatchError(f"--to ({to_s:g} s) is before --from ({from_s:g} s)")
    return first, max(first, last)


def _even(image: np.ndarray) -> np.ndarray:
    """yuv420p needs even sides: pad odd frames by one black row or column."""
    h, w = image.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return image
    return cv2.copyMakeBorder(image, 0, h % 2, 0, w % 2, cv2.BORDER_CONSTANT, value=0)


class _Encoder:
    def __init__(self, path: Path, codec: str, width: int, height: int, fps: float) -> None:
        self._container = av.open(str(path), mode="w", format="mp4")
        stream = self._container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = width + width % 2, height + height % 2
        stream.pix_fmt = "yuv420p"
        if codec == H264:
            stream.options = {"crf": "20", "preset": "veryfast", "movflags": "+faststart"}
        else:
            stream.bit_rate = max(1_000_000, width * height * 6)
        self._stream = stream

    def write(self, image: np.ndarray) -> None:
        frame = av.VideoFrame.from_ndarray(_even(image), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()


def render_clip(
    video: str | Path,
    db_path: str | Path,
    out: str | Path,
    from_s: float | None = None,
    to_s: float | None = None,
    options: OverlayOptions | None = None,
    *,
    include_dismissed: bool = False,
    reference: bool = False,
    progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
    codec: str = H264,
) -> RenderResult:
    """Write frames ``from_s``..``to_s`` of ``video`` with overlays to ``out`` (MP4)."""
    out = Path(out).expanduser()
    options = options or OverlayOptions()
    job = Job(progress, should_cancel)
    if not out.parent.is_dir():
        raise ExportError(out, f"folder {out.parent} does not exist")
    chosen, note = choose_codec(codec)
    source = open_source(video)
    try:
        info = source.info
        overlays = ClipOverlays.load(db_path, video, info, include_dismissed, reference)
        first, last = _frame_range(info, from_s, to_s)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part.mp4", dir=out.parent)
            os.close(fd)
        except OSError as exc:
            raise ExportError(out, describe_os_error(exc)) from None
        temp = Path(name)
        try:
            frames = _encode(source, overlays, options, temp, chosen, first, last, job)
            os.replace(temp, out)
        except OSError as exc:
            raise ExportError(out, describe_os_error(exc)) from None
        except av.error.FFmpegError as exc:
            raise ExportError(out, f"cannot encode video ({exc})") from None
        finally:
            temp.unlink(missing_ok=True)
    finally:
        source.close()
    return RenderResult(out, frames, info.width, info.height, info.fps, chosen, note)


def _encode(
    source, overlays: ClipOverlays, options, temp: Path, codec, first, last, job: Job
) -> int:
    info = overlays.info
    encoder = _Encoder(temp, codec, info.width, info.height, info.fps)
    frames = 0
    try:
        source.seek(first)
        total = last - first + 1
        while frames < total:
            job.step(frames, total)
            packet = source.read()
            if packet is None:
                break
            encoder.write(overlays.draw(packet.image, packet.index, packet.time_s, options))
            frames += 1
        job.step(frames, total)
        encoder.close()
    except BaseException:
        encoder.abort()
        raise
    if frames == 0:
        raise DroneWatchError(f"{source.name}: no frames between the given times")
    return frames


def write_snapshot(
    video: str | Path,
    db_path: str | Path,
    time_s: float,
    out: str | Path,
    options: OverlayOptions | None = None,
    selected: int | None = None,
    reference: bool = False,
) -> Path:
    """One frame with overlays as a PNG (the frame on screen at ``time_s``)."""
    out = Path(out).expanduser()
    source = open_source(video)
    try:
        overlays = ClipOverlays.load(db_path, video, source.info, reference=reference)
        index = source.info.index_at(time_s)
        source.seek(index)
        packet = source.read()
        if packet is None:
            raise DroneWatchError(f"{video}: no frame at {time_s:g} s")
        image = overlays.draw(
            packet.image, packet.index, packet.time_s, options or OverlayOptions(), selected
        )
    finally:
        source.close()
    ok, png = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover
        raise ExportError(out, "PNG encoding failed")
    write_files({out: png.tobytes()})
    return out
