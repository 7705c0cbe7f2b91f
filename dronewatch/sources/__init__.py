"""Feed sources: video files, image sequences and simulated feeds, behind one protocol."""

from __future__ import annotations

from pathlib import Path

from dronewatch.errors import SourceError
from dronewatch.sources.base import FrameSource
from dronewatch.sources.image_sequence import (
    DEFAULT_SEQUENCE_FPS,
    ImageSequenceSource,
    list_images,
)
from dronewatch.sources.stream_url import is_stream_url
from dronewatch.sources.video_file import VIDEO_SUFFIXES, open_video

SIM_PREFIX = "sim:"

__all__ = [
    "SIM_PREFIX",
    "FrameSource",
    "expand_feed_paths",
    "open_source",
]


def open_source(spec: str | Path, fps: float | None = None) -> FrameSource:
    """Open a feed from a path or spec.

    ``rtsp://``, ``udp://``, ``http(s)://``, ``srt://``, ... URLs are live streams
    (:class:`~dronewatch.sources.stream.StreamSource`); ``sim:PRESET?seed=N...`` is a
    simulated feed; a folder of images is an image sequence played at ``fps`` (default
    25); anything else is a video file.
    """
    text = str(spec)
    if is_stream_url(text):
        from dronewatch.sources.stream import StreamSource

        return StreamSource(text)
    if text.startswith(SIM_PREFIX):
        from dronewatch.sources.simulated import SimulatedSource

        return SimulatedSource.from_spec(text)
    path = Path(text).expanduser()
    if path.is_dir():
        return ImageSequenceSource(path, fps or DEFAULT_SEQUENCE_FPS)
    return open_video(path)


def expand_feed_paths(specs: list[str]) -> list[str]:
    """Turn command-line arguments into feeds.

    A folder of videos becomes one feed per video; a folder of images stays one feed (an
    image sequence); anything else is passed through, so open errors name the path.
    """
    feeds: list[str] = []
    for spec in specs:
        path = Path(spec).expanduser()
        if spec.startswith(SIM_PREFIX) or not path.is_dir():
            feeds.append(spec)
            continue
        videos = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
        )
        if videos:
            feeds.extend(str(v) for v in videos)
        elif list_images(path):
            feeds.append(spec)
        else:
            raise SourceError(path, "folder holds no videos or images")
    return feeds
