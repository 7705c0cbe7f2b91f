"""One feed decoded on its own thread, showing the frame at the time it is asked for.

The GUI (or a test) calls :meth:`FeedPlayer.request` with the shared clock's time; the
latest request wins. The decoder thread reads forward when the wanted frame is a little
ahead, seeks otherwise, and publishes the frame in a snapshot slot that the GUI polls on
its own timer. No per-frame signal crosses threads, so a slow painter never queues frames.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import cv2
import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.sources.base import FrameSource

log = logging.getLogger(__name__)

# Reading forward beats seeking up to about this many seconds (seeks decode from a keyframe).
_READ_AHEAD_SECONDS = 2.0
_CATCH_UP_PUBLISH_S = 0.1


class FeedStatus(StrEnum):
    OPENING = "opening"
    READY = "ready"
    ERROR = "error"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class PlayerSnapshot:
    """What the player shows now; ``serial`` changes whenever anything here changes."""

    serial: int
    status: FeedStatus
    name: str
    info: VideoInfo | None
    packet: FramePacket | None
    error: str | None
    decoder: str
    wanted_index: int | None  # the frame the request ``request_id`` asked for
    request_id: int
    decode_fps: float
    # The frame shrunk to the size it is shown at (None: shown at full size). Done on the
    # decoder thread, where OpenCV releases the GIL, not on the GUI thread.
    display_image: np.ndarray | None = None

    @property
    def settled(self) -> bool:
        """True when the frame shown is the one asked for (or the feed cannot show it)."""
        if self.status is FeedStatus.ERROR:
            return True
        return (
            self.packet is not None
            and self.wanted_index is not None
            and self.packet.index == self.wanted_index
        )


def next_snapshot(snap: PlayerSnapshot, **changes: object) -> PlayerSnapshot:
    """A new snapshot with ``changes`` and the next serial (snapshots are never mutated)."""
    return replace(snap, serial=snap.serial + 1, **changes)  # type: ignore[arg-type]


class FeedPlayer:
    """Decoder thread for one feed. Thread-safe: call ``request`` from any thread."""

    def __init__(self, name: str, open_source: Callable[[], FrameSource]) -> None:
        self._name = name
        self._open_source = open_source
        self._cond = threading.Condition()
        self._wanted_time: float | None = None
        self._request_serial = 0
        self._stop = False
        self._snapshot = PlayerSnapshot(
            0, FeedStatus.OPENING, name, None, None, None, "", None, 0, 0.0
        )
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"feed:{name}", daemon=True)
        self._decoded_times: list[float] = []
        self._display_size: tuple[int, int] | None = None
        self._shrunk_for: tuple[int, int] | None = None  # display size of the published image

    # -- called from the GUI thread -------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def request(self, time_s: float) -> None:
        """Show the frame on screen at ``time_s`` of the shared clock."""
        with self._cond:
            if self._wanted_time == time_s:
                return
            self._wanted_time = time_s
            self._request_serial += 1
            self._cond.notify()

    def set_display_size(self, size: tuple[int, int] | None) -> None:
        """Width and height the frame is shown at; frames are shrunk to it when smaller."""
        with self._cond:
            if size != self._display_size:
                self._display_size = size
                self._cond.notify()

    def _shrink(self, image: np.ndarray) -> np.ndarray | None:
        size = self._display_size
        if size is None or size[0] >= image.shape[1] or size[0] <= 0 or size[1] <= 0:
            return None
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    def snapshot(self) -> PlayerSnapshot:
        return self._snapshot  # replaced atomically, never mutated

    def settled(self) -> bool:
        """True once the frame for the latest request is shown (or the feed failed)."""
        snap = self._snapshot
        if snap.status in (FeedStatus.ERROR, FeedStatus.CLOSED):
            return True
        return snap.request_id == self._request_serial and snap.settled

    def wait_opened(self, timeout: float) -> bool:
        return self._opened.wait(timeout)

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the thread; True if it ended within ``timeout``."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- the decoder thread ---------------------------------------------------------

    def _publish(self, **changes: object) -> None:
        self._snapshot = next_snapshot(self._snapshot, **changes)

    def _fail(self, message: str) -> None:
        log.info("feed %s: %s", self._name, message)
        self._publish(status=FeedStatus.ERROR, error=message)

    def _run(self) -> None:
        try:
            source = self._open_source()
        except DroneWatchError as exc:
            self._fail(str(exc))
            self._opened.set()
            return
        except Exception as exc:  # a decoder library failing in a way we did not foresee
            self._fail(f"{self._name}: cannot open ({type(exc).__name__}: {exc})")
            self._opened.set()
            return
        self._publish(
            status=FeedStatus.READY,
            info=source.info,
            decoder=getattr(source, "decoder", ""),
            name=source.name,
        )
        self._opened.set()
        try:
            self._serve(source)
        except DroneWatchError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("feed %s crashed", self._name)
            self._fail(f"{self._name}: decoder failed ({type(exc).__name__}: {exc})")
        finally:
            source.close()
            if self._snapshot.status is not FeedStatus.ERROR:
                self._publish(status=FeedStatus.CLOSED)

    def _wait_for_work(self, info: VideoInfo, end_index: int | None) -> tuple[int, int] | None:
        """Block until a frame other than the one shown is wanted.

        Returns (frame index, request id), or None when the player is stopping.
        """
        with self._cond:
            while not self._stop:
                if self._wanted_time is not None:
                    wanted = info.index_at(self._wanted_time)
                    if end_index is not None:
                        wanted = min(wanted, end_index - 1)
                    current = self._snapshot.packet
                    if current is None or current.index != wanted:
                        return wanted, self._request_serial
                    snap = self._snapshot
                    if snap.wanted_index != wanted or snap.request_id != self._request_serial:
                        self._publish(wanted_index=wanted, request_id=self._request_serial)
                    if self._shrunk_for != self._display_size and current is not None:
                        self._shrunk_for = self._display_size
                        self._publish(display_image=self._shrink(current.image))
                self._cond.wait(0.5)
            return None

    def _serve(self, source: FrameSource) -> None:
        info = source.info
        next_index = 0  # the index source.read() returns next
        end_index: int | None = None  # first index past the real end, once found
        read_ahead = max(1, round(_READ_AHEAD_SECONDS * info.fps))
        last_publish = 0.0
        while True:
            work = self._wait_for_work(info, end_index)
            if work is None:
                return
            wanted, request_id = work
            if not (0 <= wanted - next_index <= read_ahead):
                source.seek(wanted)
                next_index = wanted
            packet = source.read()
            if packet is None:
                # The container promised more frames than it holds: the end is here.
                if next_index == 0:
                    raise DroneWatchError(f"{self._name}: no frame could be decoded")
                end_index = next_index if end_index is None else min(end_index, next_index)
                source.seek(end_index - 1)
                next_index = end_index - 1
                continue
            next_index = packet.index + 1
            self._note_decode()
            now = time.monotonic()
            # Publish the frame asked for; while catching up (fast playback on a slow
            # machine) also show progress a few times a second rather than freezing.
            if packet.index >= wanted or now - last_publish > _CATCH_UP_PUBLISH_S:
                last_publish = now
                self._shrunk_for = self._display_size
                self._publish(
                    packet=packet,
                    wanted_index=wanted,
                    request_id=request_id,
                    decode_fps=self._decode_fps(),
                    display_image=self._shrink(packet.image),
                )

    def _note_decode(self) -> None:
        now = time.monotonic()
        self._decoded_times.append(now)
        if len(self._decoded_times) > 60:
            del self._decoded_times[:-60]

    def _decode_fps(self) -> float:
        times = self._decoded_times
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])
