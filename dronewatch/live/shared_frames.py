"""A live feed's frames, handed from the app to its analysis worker in shared memory.

A live stream opens only once (a UDP port is bound by its first reader) and the app's
player has it, so the worker that analyses it (:mod:`dronewatch.live.analysis_process`)
cannot open it again as it does a file. The player pushes each frame it takes into a
:class:`SharedFrameWriter` (its tap): the picture goes into one of a few slots of a
shared-memory segment and a short message names the slot. The worker reads them with
a :class:`SharedFrameSource`, copies the picture out and frees the slot at once. The
writer never waits: with no slot free (the worker is behind or paused) the frame is
dropped and counted.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo

_POLL_S = 0.2


@dataclass(frozen=True, slots=True)
class FrameChannel:
    """What the worker needs to read the frames (passed to it when it starts)."""

    messages: Any  # multiprocessing Queue of frame notes, then ("end",)
    free: Any  # multiprocessing Semaphore: slots the writer may fill


class SharedFrameWriter:
    """The app's side: a live player's tap (``push`` / ``close``) into shared memory."""

    def __init__(self, context: Any, name: str, slots: int = 3) -> None:
        """``context``: the multiprocessing context the worker is started with."""
        self.name = name
        self._slots = max(1, slots)
        self.channel = FrameChannel(context.Queue(), context.Semaphore(self._slots))
        self._segments: list[SharedMemory] = []  # kept until close: notes may name them
        self._shape: tuple[int, ...] | None = None
        self._next = 0
        self._info_sent = False
        self._closed = False
        self._lock = threading.Lock()  # the player pushes; the app may close meanwhile
        self.dropped = 0  # frames not handed on: no slot was free

    def push(self, packet: FramePacket, info: VideoInfo) -> None:
        with self._lock:
            self._push(packet, info)

    def _push(self, packet: FramePacket, info: VideoInfo) -> None:
        if self._closed:
            return
        image = packet.image
        if image.dtype != np.uint8:
            return
        if image.shape != self._shape:
            self._new_segment(image.shape)
        if not self.channel.free.acquire(False):
            self.dropped += 1
            return
        segment = self._segments[-1]
        slot = self._next
        self._next = (slot + 1) % self._slots
        np.ndarray(image.shape, np.uint8, segment.buf, slot * image.nbytes)[...] = image
        note = None if self._info_sent else info
        self._info_sent = True
        self.channel.messages.put(
            ("frame", segment.name, slot, image.shape, packet.index, packet.time_s, note)
        )

    def _new_segment(self, shape: tuple[int, ...]) -> None:
        """A segment for frames of ``shape`` (the stream's size changed, or the first
        frame). Slots are freed in the order they were filled, so the next one to
        fill is always the oldest free one, whatever segment it is in."""
        nbytes = int(np.prod(shape))
        self._segments.append(SharedMemory(create=True, size=nbytes * self._slots))
        self._shape = shape

    def close(self) -> None:
        """No more frames: the worker's source ends once it has read what was sent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(Exception):
            self.channel.messages.put(("end",))
        for segment in self._segments:
            segment.close()
            with contextlib.suppress(FileNotFoundError):
                segment.unlink()  # the worker's mapping stays valid until it closes it


class SharedFrameSource:
    """The worker's side: a :class:`~dronewatch.sources.base.FrameSource` over a
    :class:`FrameChannel`. Waits for the first frame to know the feed's size."""

    def __init__(self, channel: FrameChannel, name: str) -> None:
        self.name = name
        self._channel = channel
        self._segments: dict[str, SharedMemory] = {}
        self._pending: FramePacket | None = None
        self._ended = False
        self._first_info: VideoInfo | None = None  # sent with the first frame
        first = self._next()
        if first is None:
            raise SourceError(name, "the live feed ended before its first frame")
        self._pending = first
        assert self._first_info is not None
        self.info = self._first_info

    def read(self) -> FramePacket | None:
        if self._pending is not None:
            packet, self._pending = self._pending, None
            return packet
        return self._next()

    def _next(self) -> FramePacket | None:
        while not self._ended:
            try:
                note = self._channel.messages.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if note[0] == "end":
                self._ended = True
                break
            _, segment_name, slot, shape, index, time_s, info = note
            if info is not None and self._first_info is None:
                self._first_info = info
            try:
                segment = self._attach(segment_name)
                nbytes = int(np.prod(shape))
                image = np.ndarray(shape, np.uint8, segment.buf, slot * nbytes).copy()
            except FileNotFoundError:  # the app closed the feed before we got here
                self._ended = True
                break
            finally:
                self._channel.free.release()
            return FramePacket(index, time_s, image)
        return None

    def _attach(self, segment_name: str) -> SharedMemory:
        segment = self._segments.get(segment_name)
        if segment is None:
            # A spawned worker shares the app's resource tracker, so attaching only
            # repeats the app's registration; the app unlinks the segment.
            segment = SharedMemory(name=segment_name)
            self._segments[segment_name] = segment
        return segment

    def seek(self, index: int) -> None:
        raise SourceError(self.name, "a live feed cannot seek")

    def close(self) -> None:
        for segment in self._segments.values():
            with contextlib.suppress(Exception):
                segment.close()
        self._segments.clear()
