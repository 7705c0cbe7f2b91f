"""LivePlayer: the newest frame, drops counted, state text, prompt stop (no Qt)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.playback.feed_player import FeedStatus
from dronewatch.playback.live_player import LivePlayer
from dronewatch.sources import open_source
from dronewatch.sources.stream_state import StreamPhase, StreamState
from tests.core.test_stream import SIZE, UdpSender, free_udp_port, wait_for


class FakeLive:
    """A live source making ``fps`` frames a second, whatever the consumer does."""

    decoder = "fake"

    def __init__(self, fps: float = 100.0) -> None:
        self.name = "fake"
        self.info = VideoInfo(fps=fps, width=32, height=16, frame_count=None)
        self.state = StreamState(StreamPhase.LIVE, "fake://")
        self.dropped = 0
        self.closed = False
        self._fps = fps
        self._start = time.monotonic()
        self._next = 0

    def poll(self, timeout: float) -> FramePacket | None:
        due = self._start + self._next / self._fps
        wait = due - time.monotonic()
        if wait > timeout:
            time.sleep(timeout)
            return None
        time.sleep(max(wait, 0.0))
        image = np.full((16, 32, 3), self._next % 256, np.uint8)
        packet = FramePacket(self._next, self._next / self._fps, image)
        self._next += 1
        return packet

    def read(self) -> FramePacket | None:
        return self.poll(1.0)

    def seek(self, index: int) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def started(source: object) -> LivePlayer:
    player = LivePlayer("feed", lambda: source)  # type: ignore[arg-type, return-value]
    player.start()
    return player


def test_shows_the_newest_frame_and_counts_drops_of_a_slow_consumer() -> None:
    source = FakeLive(fps=100)
    player = started(source)
    try:
        assert player.wait_opened(2)
        player.request(12.5)  # ignored: live shows now
        seen = []
        for _ in range(5):  # a GUI painting at 5 Hz
            time.sleep(0.2)
            snap = player.snapshot()
            assert snap.status is FeedStatus.READY
            assert snap.packet is not None
            seen.append(snap.packet.index)
        assert seen == sorted(seen) and seen[-1] - seen[0] >= 40
        # the frame shown is the newest made, not an old one waiting in a queue
        assert source._next - 1 - seen[-1] <= 25
        assert player.dropped >= 60
        assert player.settled()
        assert snap.settled
        assert snap.info is not None and snap.info.frame_count is None
        assert snap.decode_fps > 50
    finally:
        start = time.monotonic()
        assert player.stop(1.0)
        assert time.monotonic() - start < 1.0
    assert source.closed
    assert player.snapshot().status is FeedStatus.CLOSED
    assert not player.alive


def test_display_size_shrinks_the_frame() -> None:
    player = started(FakeLive(fps=50))
    try:
        player.set_display_size((16, 8))
        wait_for(lambda: player.snapshot().display_image is not None, 2)
        assert player.snapshot().display_image.shape == (8, 16, 3)
    finally:
        assert player.stop(1.0)


def test_reconnecting_keeps_the_frame_and_says_so() -> None:
    source = FakeLive(fps=50)
    player = started(source)
    try:
        wait_for(lambda: player.snapshot().packet is not None, 2)
        source.state = StreamState(StreamPhase.RECONNECTING, "u", 2, 1.0, "u: timed out")
        source._fps = 0.001  # no more frames
        wait_for(lambda: player.snapshot().error is not None, 2)
        snap = player.snapshot()
        assert snap.status is FeedStatus.READY
        assert snap.error == "reconnecting (attempt 2, next in 1.0 s): u: timed out"
        assert snap.packet is not None
    finally:
        assert player.stop(1.0)


def test_open_failure_is_an_error_not_a_crash() -> None:
    def fail() -> FakeLive:
        raise RuntimeError("boom")

    player = LivePlayer("bad", fail)
    player.start()
    assert player.wait_opened(2)
    snap = player.snapshot()
    assert snap.status is FeedStatus.ERROR
    assert "bad" in (snap.error or "") and "boom" in (snap.error or "")
    assert player.stop(1.0)


@pytest.mark.timeout(20)
def test_unreachable_url_shows_an_error_and_stops_promptly() -> None:
    url = "tcp://127.0.0.1:1"
    player = LivePlayer(url, lambda: open_source(url))
    player.start()
    try:
        assert player.wait_opened(5)
        snap = player.snapshot()
        assert snap.status is FeedStatus.ERROR
        assert url in (snap.error or "") and "connection refused" in (snap.error or "")
        assert player.settled()
    finally:
        start = time.monotonic()
        assert player.stop(1.0)
        assert time.monotonic() - start < 1.0


@pytest.mark.timeout(30)
def test_live_udp_stream_through_the_player() -> None:
    port = free_udp_port()
    url = f"udp://127.0.0.1:{port}"
    player = LivePlayer(url, lambda: open_source(url))
    player.start()
    try:
        with UdpSender(port):
            assert player.wait_opened(8)
            snap = player.snapshot()
            assert snap.status is FeedStatus.READY and snap.error is None
            assert snap.packet is not None
            assert snap.info is not None and (snap.info.width, snap.info.height) == SIZE
            first = snap.packet.index
            wait_for(lambda: player.snapshot().packet.index >= first + 10, 3)
            source = player.source
            assert source is not None and source.delay_s is not None
    finally:
        start = time.monotonic()
        assert player.stop(1.0)
        assert time.monotonic() - start < 1.0


@pytest.mark.timeout(10)
def test_stops_promptly_while_the_source_waits_for_a_silent_stream() -> None:
    url = f"udp://127.0.0.1:{free_udp_port()}"  # nobody sends: the open waits for data
    player = LivePlayer(url, lambda: open_source(url))
    player.start()
    time.sleep(0.5)
    assert player.snapshot().status is FeedStatus.OPENING
    assert not player.settled()
    start = time.monotonic()
    assert player.stop(1.0)
    assert time.monotonic() - start < 1.0
