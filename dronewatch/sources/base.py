"""The one protocol every feed source follows."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from dronewatch.frames import FramePacket, VideoInfo


@runtime_checkable
class FrameSource(Protocol):
    """A feed of frames.

    ``read()`` returns the next frame or None at the end; ``seek(i)`` makes the next
    ``read()`` return frame ``i``. Sources are used from one thread at a time.
    Errors raise :class:`dronewatch.errors.SourceError` naming the file and the problem.
    """

    name: str
    info: VideoInfo

    def read(self) -> FramePacket | None: ...

    def seek(self, index: int) -> None: ...

    def close(self) -> None: ...
