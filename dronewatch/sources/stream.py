"""Live streams (RTSP, UDP/RTP MPEG-TS, HTTP(S), SRT, TCP) as a :class:`FrameSource`.

A reader thread owns the PyAV container: it connects, demuxes, decodes the video into a
slot of two frames (a full slot drops the oldest, counted in ``dropped``), decodes the
KLV of the data stream (latest packet in ``klv``), measures the delay and feeds the
recorder. When the stream stalls (no packet for ``read_timeout_s``) or fails, the thread
reconnects with back-off (0.5 s doubling to 8 s) until :meth:`close`; it never raises to
the caller, it reports :attr:`state` instead.

>>> src = StreamSource("udp://127.0.0.1:5000")        # doctest: +SKIP
>>> frame = src.poll(0.1)                              # None if nothing came in 0.1 s
>>> str(src.state), src.delay_s, src.klv               # doctest: +SKIP
('live', 0.04, KlvPacket(...))
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.sources.stream_recorder import StreamRecorder
from dronewatch.sources.stream_state import (
    DelayMeter,
    StreamPhase,
    StreamState,
    StreamStats,
    backoff_s,
    describe_failure,
)
from dronewatch.sources.stream_url import STREAM_SCHEMES, is_stream_url
from dronewatch.telemetry.packet import KlvPacket
from dronewatch.telemetry.reader import read_bytes

log = logging.getLogger(__name__)

__all__ = ["STREAM_SCHEMES", "StreamSource", "ffmpeg_options", "is_stream_url"]

_DEFAULT_FPS = 25.0
_SLOT_SIZE = 2


def ffmpeg_options(url: str, timeout_s: float) -> dict[str, str]:
    """FFmpeg options so a dead stream never blocks forever, and a live one starts fast.

    FFmpeg's socket timeouts are in microseconds: ``timeout`` (RTSP: socket I/O; UDP/TCP/
    HTTP/SRT: read or connect) and ``rw_timeout`` (any protocol's read/write). They are a
    backstop at the open timeout: PyAV's ``timeout=(open, read)`` interrupt callback is
    the finer bound (a UDP reconnect may wait for the sender for the whole open timeout,
    a stall while reading is noticed after the read timeout).
    """
    micros = str(int(timeout_s * 1_000_000))
    options = {
        "rw_timeout": micros,
        "timeout": micros,
        # Start after half a second of probing, not five: a live view wants frames now.
        "analyzeduration": "500000",
        "probesize": "500000",
        "fflags": "nobuffer",
    }
    scheme = url.partition("://")[0].lower()
    if scheme in ("rtsp", "rtsps"):
        # Interleaved over the RTSP connection: RTP over UDP is often blocked by NAT or
        # firewalls, and FFmpeg's fallback to TCP takes longer than our read timeout.
        options["rtsp_transport"] = "tcp"
    if scheme in ("udp", "rtp"):
        options["overrun_nonfatal"] = "1"  # a slow reader loses packets, not the stream
        options["reuse"] = "1"  # reopening the port at once (a reader still closing)
    return options


def _is_permanent(exc: BaseException) -> bool:
    """Failures no retry can cure: this FFmpeg build lacks the protocol."""
    import av

    return isinstance(exc, av.error.ProtocolNotFoundError)


class StreamSource:
    """A live stream; ``info.frame_count`` is None. Thread-safe reads from one consumer.

    ``read()`` blocks until a frame comes (None once closed); ``poll(timeout)`` waits at
    most ``timeout`` seconds (None if nothing came), so a consumer thread stays stoppable.
    ``FramePacket.index`` counts frames delivered by the reader since the source opened,
    ``time_s`` is wall time (monotonic) since the first frame: both only increase, across
    reconnects. ``info`` is a 25 fps, 0x0 placeholder until the first connection, then
    the stream's own.
    """

    decoder = "pyav-stream"

    def __init__(
        self,
        url: str,
        *,
        open_timeout_s: float = 5.0,
        read_timeout_s: float = 2.0,
        name: str | None = None,
        decode: bool = True,
        options: Mapping[str, str] | None = None,
    ) -> None:
        self.url = url
        self.name = name or url
        self.info = VideoInfo(fps=_DEFAULT_FPS, width=0, height=0, frame_count=None)
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.dropped = 0  # frames dropped because the consumer did not take them in time
        self.received = 0  # frames decoded
        self.reconnects = 0  # connections made after the first
        self.packets = 0  # packets demuxed (video and data)
        self.decode = decode  # False: record or watch KLV only, no frames (saves the CPU)
        self._options = ffmpeg_options(url, max(open_timeout_s, read_timeout_s))
        self._options.update(options or {})  # e.g. {"rtsp_transport": "udp"}
        self._cond = threading.Condition()
        self._frames: deque[FramePacket] = deque()
        self._state = StreamState(StreamPhase.CONNECTING, url)
        self._klv: KlvPacket | None = None
        self._klv_time: tuple[float, float] | None = None  # (stamp s since epoch, pts s)
        self._delay = DelayMeter()
        self._recorder: StreamRecorder | None = None
        self._closing = threading.Event()
        self._container: Any = None
        self._first_frame_mono: float | None = None
        self._thread = threading.Thread(target=self._run, name=f"stream:{url}", daemon=True)
        self._thread.start()

    # -- the consumer's side ------------------------------------------------------------

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def klv(self) -> KlvPacket | None:
        """The latest KLV packet decoded from the stream's data stream (None: none yet)."""
        return self._klv

    @property
    def delay_s(self) -> float | None:
        """End-to-end delay of the latest frame, seconds; None when unknown.
        See :class:`~dronewatch.sources.stream_state.DelayMeter` for what is measured."""
        return self._delay.delay_s

    @property
    def delay_kind(self) -> str | None:
        """``"klv"`` (absolute, from KLV time stamps) or ``"relative"`` (jitter)."""
        return self._delay.kind

    @property
    def recording(self) -> Path | None:
        rec = self._recorder
        return rec.path if rec is not None and not rec.closed else None

    def stats(self) -> StreamStats:
        """State, counters, delay and recording at this moment (for a HUD or a log)."""
        recording = self.recording
        return StreamStats(
            state=self._state,
            received=self.received,
            dropped=self.dropped,
            reconnects=self.reconnects,
            delay_s=self.delay_s,
            delay_kind=self.delay_kind,
            recording=None if recording is None else str(recording),
        )

    def __enter__(self) -> StreamSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def poll(self, timeout: float) -> FramePacket | None:
        """The oldest waiting frame, waiting up to ``timeout`` s; None if none came."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._frames:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closing.is_set():
                    return None
                self._cond.wait(remaining)
            return self._frames.popleft()

    def read(self) -> FramePacket | None:
        """The next frame, blocking until one comes; None once the source is closed."""
        while not self._closing.is_set():
            packet = self.poll(0.25)
            if packet is not None:
                return packet
        return None

    def wait_live(self, timeout: float) -> bool:
        """Wait until the first frame arrived (info is then the stream's); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._first_frame_mono is None and not self._closing.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return self._first_frame_mono is not None

    def seek(self, index: int) -> None:
        """A live stream cannot seek: ignored (the next frame is always the newest)."""

    def start_recording(self, path: str | Path) -> None:
        """Remux the stream (video and KLV, no re-encoding) into ``path`` (.ts or .mkv)
        from the next keyframe on, until :meth:`stop_recording`. Raises SourceError when
        the file cannot be made; replaces any recording already running."""
        recorder = StreamRecorder(path)
        old, self._recorder = self._recorder, recorder
        if old is not None:
            old.close()

    def stop_recording(self) -> Path | None:
        """Finish the recording file; returns its path (None if none was running)."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        recorder.close()
        return recorder.path

    def close(self) -> None:
        """Stop the reader promptly (it interrupts a blocked read); finish any recording."""
        self._closing.set()
        container = self._container
        if container is not None:
            # The interrupt callback fires at once; without set_timeout (an old PyAV)
            # the read timeout ends the read instead.
            with contextlib.suppress(Exception):
                container.set_timeout(0.0)
        with self._cond:
            self._cond.notify_all()
        self.stop_recording()
        self._thread.join(0.3)  # a reader stuck in a connect ends on its own
        self._state = StreamState(StreamPhase.ENDED, self.url)

    # -- the reader thread --------------------------------------------------------------

    def _set_state(self, state: StreamState) -> None:
        if not self._closing.is_set():
            self._state = state
            log.info("stream %s: %s", self.url, state)

    def _run(self) -> None:
        attempt = 0
        was_live = False
        while not self._closing.is_set():
            reason = None
            before = self.packets
            try:
                self._connect_and_read()
            except Exception as exc:  # every failure means: retry later
                reason = describe_failure(self.url, exc)
                log.debug("stream %s failed", self.url, exc_info=True)
                if _is_permanent(exc):
                    self._set_state(StreamState(StreamPhase.ERROR, self.url, 0, None, reason))
                    return  # retrying cannot help; close() still ends the source
            if self._closing.is_set():
                break
            if self.packets > before:  # it was live: count attempts from here
                attempt = 0
                was_live = True
            attempt += 1
            wait = backoff_s(attempt)
            if reason is None:
                reason = f"{self.url}: stream ended"
            phase = StreamPhase.RECONNECTING if was_live else StreamPhase.ERROR
            self._set_state(StreamState(phase, self.url, attempt, wait, reason))
            if self._closing.wait(wait):
                break
            if was_live:
                self.reconnects += 1
            self._set_state(StreamState(phase, self.url, attempt, None, reason))
        self._state = StreamState(StreamPhase.ENDED, self.url)

    def _connect_and_read(self) -> None:
        """One connection: read until it stalls, ends or fails.

        A stall raises (PyAV's interrupt or FFmpeg's timeout); a clean end returns.
        """
        import av

        container = av.open(
            self.url,
            options=self._options,
            timeout=(self.open_timeout_s, self.read_timeout_s),
        )
        self._container = container
        try:
            if self._closing.is_set():
                return
            if not container.streams.video:
                raise SourceError(self.url, "no video stream")
            video = container.streams.video[0]
            data_streams = list(container.streams.data)
            klv = [s for s in data_streams if getattr(s, "name", None) == "klv"]
            data = (klv or data_streams or [None])[0]
            fps = float(video.average_rate or video.guessed_rate or _DEFAULT_FPS)
            if not 0 < fps <= 1000:
                fps = _DEFAULT_FPS
            self.info = VideoInfo(fps=fps, width=video.width, height=video.height, frame_count=None)
            self._delay.reset()
            self._klv_time = None
            self._set_state(StreamState(StreamPhase.LIVE, self.url))
            wanted = [video] if data is None else [video, data]
            for packet in container.demux(wanted):
                if self._closing.is_set():
                    break
                if packet.size == 0:
                    continue
                self.packets += 1
                if packet.stream.type != "video":
                    self._take_klv(packet)
                elif self.decode:
                    for frame in packet.decode():
                        self._publish_frame(frame)
                recorder = self._recorder
                if recorder is not None:
                    recorder.write(packet)  # after decoding: muxing rebases the packet
        finally:
            self._container = None
            container.close()

    def _publish_frame(self, frame: Any) -> None:
        image = frame.to_ndarray(format="bgr24")
        mono = time.monotonic()
        pts_s = float(frame.time) if frame.time is not None else None
        self._delay.on_frame(time.time(), mono, pts_s, self._klv_time)
        if self.info.width != image.shape[1] or self.info.height != image.shape[0]:
            self.info = VideoInfo(
                fps=self.info.fps, width=image.shape[1], height=image.shape[0], frame_count=None
            )
        with self._cond:
            if self._first_frame_mono is None:
                self._first_frame_mono = mono
            packet = FramePacket(self.received, mono - self._first_frame_mono, image)
            self.received += 1
            if len(self._frames) >= _SLOT_SIZE:
                self._frames.popleft()
                self.dropped += 1
            self._frames.append(packet)
            self._cond.notify_all()

    def _take_klv(self, packet: Any) -> None:
        pts_s = None
        if packet.pts is not None and packet.time_base is not None:
            pts_s = float(packet.pts * packet.time_base)
        result = read_bytes(bytes(packet), pts_s)
        for klv in result.packets:
            self._klv = klv
            stamp = klv.values.get("precision_time_stamp")
            if isinstance(stamp, int) and pts_s is not None:
                self._klv_time = (stamp / 1_000_000, pts_s)
