"""What a live stream is doing, as a value the GUI can show, and the delay meter."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import StrEnum

from dronewatch.errors import DroneWatchError

#: Back-off between reconnection attempts: 0.5 s doubling up to 8 s.
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 8.0


def backoff_s(attempt: int) -> float:
    """Wait before reconnection attempt ``attempt`` (1-based)."""
    return min(BACKOFF_FIRST_S * 2 ** max(attempt - 1, 0), BACKOFF_MAX_S)


class StreamPhase(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"  # was live, lost it, trying again
    ERROR = "error"  # never got live (or the stream is unusable); still retrying
    ENDED = "ended"  # closed by the caller


@dataclass(frozen=True, slots=True)
class StreamState:
    """One state of a stream. ``str()`` gives the line shown to the user, e.g.
    ``reconnecting (attempt 2, next in 1.0 s): udp://...: timed out``."""

    phase: StreamPhase
    url: str
    attempt: int = 0  # reconnection attempts since the stream was last live
    retry_in_s: float | None = None  # None while the attempt is connecting
    reason: str | None = None  # the last failure, naming the URL

    def __str__(self) -> str:
        when = "connecting" if self.retry_in_s is None else f"next in {self.retry_in_s:.1f} s"
        if self.phase is StreamPhase.RECONNECTING:
            text = f"reconnecting (attempt {self.attempt}, {when})"
            return f"{text}: {self.reason}" if self.reason else text
        if self.phase is StreamPhase.ERROR:
            retry = f" (retry {self.attempt}, {when})" if self.attempt else ""
            return f"error: {self.reason}{retry}"
        return self.phase.value


@dataclass(frozen=True, slots=True)
class StreamStats:
    """Everything a view shows about a live stream, taken at one moment."""

    state: StreamState
    received: int  # frames decoded since the source opened
    dropped: int  # frames the consumer never took (a newer one replaced them)
    reconnects: int
    delay_s: float | None
    delay_kind: str | None  # "klv" (absolute) or "relative" (jitter), see DelayMeter
    recording: str | None  # path of the running recording


def describe_failure(url: str, exc: BaseException) -> str:
    """A one-line reason naming the URL: "connection refused", "timed out", ..."""
    import av

    if isinstance(exc, DroneWatchError):
        return str(exc)  # already names the URL
    if isinstance(exc, av.error.ProtocolNotFoundError):
        scheme = url.partition("://")[0]
        return f"{url}: this FFmpeg build cannot open {scheme}:// streams"
    if isinstance(exc, ConnectionRefusedError) or getattr(exc, "errno", None) == errno.ECONNREFUSED:
        problem = "connection refused"
    elif isinstance(exc, (TimeoutError, av.error.ExitError)) or getattr(exc, "errno", None) in (
        errno.ETIMEDOUT,
        errno.EAGAIN,
    ):
        problem = "timed out"
    elif getattr(exc, "errno", None) == errno.EIO:
        problem = "no data (input/output error)"  # what UDP's read timeout gives
    elif isinstance(exc, av.error.FFmpegError):
        problem = getattr(exc, "strerror", None) or str(exc)
    else:
        problem = f"{type(exc).__name__}: {exc}"
    return f"{url}: {problem}"


class DelayMeter:
    """End-to-end delay of a live stream, in seconds.

    With KLV: ``now - (precision_time_stamp + frame_pts - klv_pts)``, i.e. wall clock now
    minus the sender's UTC time of the frame (needs the two clocks in sync, as on one
    machine or with NTP). Without KLV: the frame's arrival time minus its presentation
    time, relative to the smallest such offset seen since the connection opened. That is
    the queueing/jitter latency on top of the best path seen, not the absolute delay
    (a constant network or encoder delay is invisible to it); ``kind`` says which.

    On loopback MPEG-TS with KLV it reads a steady ~0.10 s at 20 fps: the TS demuxer
    hands a video frame over only when the next frame's first TS packet arrives (video
    PES packets have no length), so one to two frame intervals are inherent to MPEG-TS.
    """

    def __init__(self) -> None:
        self.kind: str | None = None  # "klv" or "relative"
        self.delay_s: float | None = None
        self._min_offset: float | None = None

    def reset(self) -> None:
        """A new connection: presentation times start over."""
        self._min_offset = None

    def on_frame(
        self, wall_s: float, mono_s: float, pts_s: float | None, klv: tuple[float, float] | None
    ) -> None:
        """``klv`` is (precision time stamp in s since the epoch, its packet's pts)."""
        if klv is not None and pts_s is not None:
            stamp, klv_pts = klv
            self.kind = "klv"
            self.delay_s = wall_s - (stamp + (pts_s - klv_pts))
            return
        if pts_s is None:
            return
        offset = mono_s - pts_s
        if self._min_offset is None or offset < self._min_offset:
            self._min_offset = offset
        self.kind = "relative"
        self.delay_s = offset - self._min_offset
