"""The live counterpart of :class:`~dronewatch.playback.feed_player.FeedPlayer`.

A thread per live feed takes frames from the source as they come and always publishes
the newest one in the snapshot slot the GUI polls; older frames are dropped and counted.
``request(time_s)`` is accepted and ignored: a live feed shows now, not the shared clock.

How the stream's state maps onto :class:`PlayerSnapshot` (``status``, ``error``):

================================  ===========  ===========================================
stream                            status       error
================================  ===========  ===========================================
connecting, no frame yet          OPENING      None
never live, failing (retrying)    ERROR        "error: URL: connection refused (retry …)"
live                              READY        None
lost, reconnecting                READY        "reconnecting (attempt N, next in S s): …"
player stopped                    CLOSED       unchanged
================================  ===========  ===========================================

Unlike a file's, a live feed's ERROR is not final: the source keeps retrying and the
status turns READY when frames come. The last frame stays in ``packet`` while
reconnecting, so the tile can show it dimmed with the text over it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import cv2
import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.playback.feed_player import FeedStatus, PlayerSnapshot, next_snapshot
from dronewatch.sources.base import FrameSource

log = logging.getLogger(__name__)

_POLL_S = 0.1  # how often the thread looks at the stop flag and the stream state
_FPS_WINDOW = 60


class FrameSink(Protocol):
    """Where a live player hands on every frame it takes (the feed's analysis: a stream
    opens only once, so the analysis cannot read it itself; see
    :class:`~dronewatch.live.shared_frames.SharedFrameWriter`). ``push`` must never
    block."""

    def push(self, packet: FramePacket, info: VideoInfo) -> None: ...

    def close(self) -> None: ...


def _same(old: object, new: object) -> bool:
    """Unchanged? Identity for frames and images (never compare arrays), else equality."""
    if old is new:
        return True
    plain = (str, int, float, FeedStatus)
    return isinstance(old, plain) and isinstance(new, plain) and old == new


class LivePlayer:
    """Shows the newest frame of a live source. Thread-safe; never blocks its caller."""

    def __init__(
        self, name: str, open_source: Callable[[], FrameSource], tap: FrameSink | None = None
    ) -> None:
        """``tap``: where every frame taken from the source is handed on (the feed's
        analysis reads it), shown or not; may be set later, from any thread."""
        self._name = name
        self.tap = tap
        self._open_source = open_source
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._snapshot = PlayerSnapshot(
            0, FeedStatus.OPENING, name, None, None, None, "", None, 0, 0.0
        )
        self._display_size: tuple[int, int] | None = None
        self._shrunk_for: tuple[int, int] | None = None
        self._taken_serial = -1  # serial of the last snapshot the GUI took
        self._unseen_frame = False  # a published frame no snapshot() call has taken yet
        self._times: list[float] = []
        self._player_dropped = 0
        self._source: Any = None
        self.shown = 0  # frames published
        self._thread = threading.Thread(target=self._run, name=f"live:{name}", daemon=True)

    # -- the FeedPlayer interface ---------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def request(self, time_s: float) -> None:
        """Ignored: a live feed always shows its newest frame."""

    def set_display_size(self, size: tuple[int, int] | None) -> None:
        """Width and height the frame is shown at; frames are shrunk to it when smaller."""
        self._display_size = size

    def snapshot(self) -> PlayerSnapshot:
        snap = self._snapshot
        with self._lock:
            if snap.serial != self._taken_serial:
                self._taken_serial = snap.serial
                self._unseen_frame = False
        return snap

    def settled(self) -> bool:
        """True once a frame is shown, or the feed failed or stopped: nothing is pending."""
        snap = self._snapshot
        return snap.status is not FeedStatus.OPENING and (
            snap.packet is not None or snap.status is not FeedStatus.READY
        )

    def wait_opened(self, timeout: float) -> bool:
        """Wait for the first frame or the first failure; False on timeout."""
        return self._opened.wait(timeout)

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the thread (and close the source); True if it ended within ``timeout``."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -- live extras ----------------------------------------------------------------

    @property
    def dropped(self) -> int:
        """Frames never shown: dropped by the source (reader ahead of this thread) or by
        this thread (a newer frame came before the GUI took the previous one)."""
        return self._player_dropped + int(getattr(self._source, "dropped", 0))

    @property
    def source(self) -> Any:
        """The open source (a StreamSource: ``state``, ``delay_s``, ``klv``, recording),
        or None before it is opened or after it is closed."""
        return self._source

    # -- the player thread ----------------------------------------------------------

    def _publish(self, **changes: Any) -> None:
        snap = self._snapshot
        if all(_same(getattr(snap, k), v) for k, v in changes.items()):
            return  # nothing changed: keep the serial, the GUI repaints nothing
        self._snapshot = next_snapshot(snap, **changes)

    def _run(self) -> None:
        try:
            self._play()
        finally:
            tap = self.tap
            if tap is not None:
                tap.close()  # its reader stops too

    def _play(self) -> None:
        try:
            source = self._open_source()
        except DroneWatchError as exc:
            self._publish(status=FeedStatus.ERROR, error=str(exc))
            self._opened.set()
            return
        except Exception as exc:  # a library failing in a way we did not foresee
            self._publish(
                status=FeedStatus.ERROR,
                error=f"{self._name}: cannot open ({type(exc).__name__}: {exc})",
            )
            self._opened.set()
            return
        self._source = source
        self._publish(name=source.name, decoder=getattr(source, "decoder", ""))
        try:
            self._serve(source)
        except Exception as exc:
            log.exception("live feed %s crashed", self._name)
            self._publish(
                status=FeedStatus.ERROR,
                error=f"{self._name}: player failed ({type(exc).__name__}: {exc})",
            )
        finally:
            source.close()
            self._source = None
            self._publish(status=FeedStatus.CLOSED)
            self._opened.set()

    def _next_frame(self, source: Any) -> FramePacket | None:
        """The newest frame waiting (older ones dropped), waiting up to ``_POLL_S``."""
        poll = getattr(source, "poll", None)
        if poll is None:  # a plain FrameSource: read() may block; stop waits for it
            return self._tapped(source.read(), source)
        packet = self._tapped(poll(_POLL_S), source)
        while packet is not None:
            newer = self._tapped(poll(0.0), source)
            if newer is None:
                break
            packet = newer
            self._player_dropped += 1
        return packet

    def _tapped(self, packet: FramePacket | None, source: Any) -> FramePacket | None:
        tap = self.tap
        if packet is not None and tap is not None:
            tap.push(packet, source.info)
        return packet

    def _serve(self, source: Any) -> None:
        while not self._stop.is_set():
            packet = self._next_frame(source)
            if packet is None and getattr(source, "poll", None) is None:
                return  # a plain source ended
            if packet is not None:
                self._show(packet, source)
            elif self._shrunk_for != self._display_size and self._snapshot.packet is not None:
                self._shrunk_for = self._display_size
                self._publish(display_image=self._shrink(self._snapshot.packet.image))
            self._show_state(source)

    def _show(self, packet: FramePacket, source: Any) -> None:
        now = time.monotonic()
        self._times.append(now)
        del self._times[:-_FPS_WINDOW]
        with self._lock:
            if self._unseen_frame:
                self._player_dropped += 1
            self._unseen_frame = True
        self._shrunk_for = self._display_size
        self.shown += 1
        self._publish(
            status=FeedStatus.READY,
            info=source.info,
            packet=packet,
            wanted_index=packet.index,
            decode_fps=self._fps(),
            display_image=self._shrink(packet.image),
        )
        self._opened.set()

    def _show_state(self, source: Any) -> None:
        state = getattr(source, "state", None)
        phase = getattr(state, "phase", None)
        if state is None or phase is None:
            return
        if phase.value == "live":
            if self._snapshot.packet is not None:
                self._publish(status=FeedStatus.READY, error=None)
        elif phase.value == "error" and self._snapshot.packet is None:
            self._publish(status=FeedStatus.ERROR, error=str(state))
            self._opened.set()
        elif phase.value in ("reconnecting", "error"):
            self._publish(status=FeedStatus.READY, error=str(state))

    def _shrink(self, image: np.ndarray) -> np.ndarray | None:
        size = self._display_size
        if size is None or size[0] >= image.shape[1] or size[0] <= 0 or size[1] <= 0:
            return None
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    def _fps(self) -> float:
        times = self._times
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])
