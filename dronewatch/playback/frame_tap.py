"""Frames a live player takes from its source, handed on to a second reader.

A live stream can be opened only once (a UDP port is bound by the first reader), so the
analysis of a live feed cannot open the stream again as it does a file: the
:class:`~dronewatch.playback.live_player.LivePlayer` pushes every frame it takes into a
tap, and the analysis reads the tap like any :class:`~dronewatch.sources.base.FrameSource`.
The player never waits for the reader: when the reader is behind, the oldest frame
waiting is dropped and counted.
"""

from __future__ import annotations

import threading
from collections import deque

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo

_POLL_S = 0.1


class FrameTap:
    """A bounded, never-blocking hand-over of a live player's frames (thread-safe)."""

    def __init__(self, name: str, depth: int = 4) -> None:
        self.name = name
        self._frames: deque[FramePacket] = deque()
        self._depth = max(1, depth)
        self._cond = threading.Condition()
        self._closed = False
        self._info: VideoInfo | None = None
        self.dropped = 0  # frames pushed but never read (the reader was behind)

    # -- the player's side ---------------------------------------------------------------

    def push(self, packet: FramePacket, info: VideoInfo) -> None:
        """Hand on a frame; drops the oldest waiting one when the reader is behind."""
        with self._cond:
            if self._closed:
                return
            self._info = self._info or info
            if len(self._frames) >= self._depth:
                self._frames.popleft()
                self.dropped += 1
            self._frames.append(packet)
            self._cond.notify_all()

    def close(self) -> None:
        """No more frames: a waiting or later :meth:`read` returns None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- the reader's side (a FrameSource) -----------------------------------------------

    def wait_open(self, timeout: float | None = None) -> FrameTap:
        """Wait for the first frame (the feed's size is known from it); returns the tap.
        Raises :class:`~dronewatch.errors.SourceError` if the feed closes first or
        ``timeout`` passes."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._info is not None or self._closed, timeout):
                raise SourceError(self.name, f"no frame within {timeout:.0f} s")
            if self._info is None:
                raise SourceError(self.name, "closed before its first frame")
        return self

    @property
    def info(self) -> VideoInfo:
        if self._info is None:
            raise SourceError(self.name, "no frame yet")
        return self._info

    def read(self) -> FramePacket | None:
        """The oldest frame waiting; waits for one; None once the tap is closed."""
        with self._cond:
            while not self._frames:
                if self._closed:
                    return None
                self._cond.wait(_POLL_S)
            return self._frames.popleft()

    def seek(self, index: int) -> None:
        raise SourceError(self.name, "a live feed cannot seek")
