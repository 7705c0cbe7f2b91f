"""Live streams on loopback: a UDP MPEG-TS stream (with KLV) that drops and comes back,
recording while watching, and unreachable URLs. Only 127.0.0.1 is ever used."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from dronewatch.sources import open_source
from dronewatch.sources.stream import StreamSource, is_stream_url
from dronewatch.sources.stream_state import StreamPhase, StreamState, backoff_s
from tests.core.test_klv_st0601 import build_st0601

av = pytest.importorskip("av")

FPS = 20
SIZE = (160, 96)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UdpSender:
    """Encodes small frames with libx264 into MPEG-TS over UDP at real-time rate, with a
    KLV data stream whose precision time stamp is the wall clock at encoding."""

    def __init__(
        self,
        port: int,
        *,
        klv: bool = True,
        size: tuple[int, int] = SIZE,
        render: Callable[[int], np.ndarray] | None = None,
    ) -> None:
        """``render(i)``: frame ``i`` (BGR, ``size``); by default a moving bar."""
        self.port = port
        self.size = size
        self.render = render or self._bar
        self.url = f"udp://127.0.0.1:{port}?pkt_size=1316"
        self.klv = klv
        self.sent = 0
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="udp-sender", daemon=True)

    def __enter__(self) -> UdpSender:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def _bar(self, i: int) -> np.ndarray:
        w, h = self.size
        image = np.zeros((h, w, 3), np.uint8)
        image[:, (i * 4) % w] = 255  # a moving bar
        return image

    def _open_output(self) -> Any:
        return av.open(self.url, "w", format="mpegts")

    def _run(self) -> None:
        out = self._open_output()
        if out is None:
            return
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height = self.size
        video.pix_fmt = "yuv420p"
        video.options = {"preset": "ultrafast", "tune": "zerolatency"}
        video.gop_size = FPS // 2  # a keyframe every 0.5 s: a reconnect decodes soon
        data = out.add_data_stream("klv") if self.klv else None
        tick = time.monotonic()
        i = 0
        try:
            while not self._stop.is_set():
                if not self._running.is_set():
                    self._stop.wait(0.02)
                    tick = time.monotonic()
                    continue
                frame = av.VideoFrame.from_ndarray(self.render(i), format="bgr24")
                frame.pts, frame.time_base = i, Fraction(1, FPS)
                for packet in video.encode(frame):
                    out.mux(packet)
                if data is not None:
                    stamp = int(time.time() * 1_000_000)
                    packet = av.Packet(build_st0601([(2, stamp.to_bytes(8, "big"))]))
                    packet.stream = data
                    packet.pts = packet.dts = i * (90000 // FPS)
                    packet.time_base = Fraction(1, 90000)
                    out.mux(packet)
                i += 1
                self.sent = i
                tick += 1 / FPS
                self._stop.wait(max(0.0, tick - time.monotonic()))
        finally:
            with contextlib.suppress(av.error.FFmpegError):
                out.close()  # a TCP peer gone: the trailer cannot be sent


class TcpServerSender(UdpSender):
    """The same stream served to one TCP client that connects to 127.0.0.1:``port``.

    Python's socket accepts the client (FFmpeg's own ``listen=1`` would hold the GIL
    while it waits, so the receiver in this process could never connect).
    """

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen(1)
        self._server.settimeout(0.2)
        self._conn: socket.socket | None = None

    def _bar(self, i: int) -> np.ndarray:
        w, h = self.size
        image = np.zeros((h, w, 3), np.uint8)
        image[:, (i * 4) % w] = 255  # a moving bar
        return image

    def _open_output(self) -> Any:
        while not self._stop.is_set():
            try:
                self._conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self._server.close()
            self._conn.settimeout(5)
            return av.open(self._conn.makefile("wb"), "w", format="mpegts")
        return None

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self._server.close()
        if self._conn is not None:
            self._conn.close()


def wait_for(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def udp_port() -> int:
    return free_udp_port()


@pytest.fixture
def stream(udp_port: int) -> Iterator[StreamSource]:
    source = StreamSource(f"udp://127.0.0.1:{udp_port}", read_timeout_s=0.8)
    yield source
    source.close()


def take(source: StreamSource, count: int, timeout: float) -> list:
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < count and time.monotonic() < deadline:
        packet = source.poll(0.1)
        if packet is not None:
            frames.append(packet)
    assert len(frames) == count, f"got {len(frames)} of {count} frames, state {source.state}"
    return frames


@pytest.mark.timeout(30)
def test_udp_stream_drops_and_comes_back(stream: StreamSource, udp_port: int) -> None:
    with UdpSender(udp_port) as sender:
        frames = take(stream, 10, timeout=8)
        assert stream.state.phase is StreamPhase.LIVE
        assert str(stream.state) == "live"
        assert (stream.info.width, stream.info.height) == SIZE
        assert stream.info.frame_count is None
        assert frames[0].image.shape == (SIZE[1], SIZE[0], 3)
        indices = [f.index for f in frames]
        assert indices == sorted(set(indices))
        assert all(b.time_s > a.time_s for a, b in itertools.pairwise(frames))
        # KLV: the latest packet and the delay it gives (same clock on loopback)
        assert stream.klv is not None
        assert isinstance(stream.klv.values["precision_time_stamp"], int)
        assert stream.delay_kind == "klv"
        assert stream.delay_s is not None and -0.05 < stream.delay_s < 1.0

        sender.pause()  # the stream drops for 2 s
        paused = time.monotonic()
        detect_s = wait_for(lambda: stream.state.phase is StreamPhase.RECONNECTING, 4)
        assert 0.5 < detect_s < 3.0
        text = str(stream.state)
        assert text.startswith("reconnecting (attempt 1, ")
        assert "udp://127.0.0.1" in text
        time.sleep(max(0.0, 2.0 - (time.monotonic() - paused)))
        while stream.poll(0.0) is not None:
            pass  # frames that were waiting before the drop
        sender.resume()
        resumed = time.monotonic()
        again = take(stream, 5, timeout=8)
        back_s = time.monotonic() - resumed
        assert again[0].index > frames[-1].index
        assert again[0].time_s > frames[-1].time_s + 1.5
        assert stream.state.phase is StreamPhase.LIVE
        assert stream.reconnects >= 1
        stats = stream.stats()
        assert stats.state.phase is StreamPhase.LIVE and stats.reconnects >= 1
        assert stats.received >= 15 and stats.recording is None
        assert back_s < 3.0  # probing (0.5 s) and the next keyframe (0.5 s), mostly
        print(f"stall detected in {detect_s:.2f} s, frames back {back_s:.2f} s after resume")
    start = time.monotonic()
    stream.close()
    assert time.monotonic() - start < 1.0
    assert stream.state.phase is StreamPhase.ENDED
    assert stream.read() is None


@pytest.mark.timeout(30)
def test_tcp_stream_that_ends_is_reconnected() -> None:
    port = free_udp_port()  # a free TCP port too, most likely
    url = f"tcp://127.0.0.1:{port}"
    source = StreamSource(url, read_timeout_s=1.0)
    try:
        with TcpServerSender(port):
            first = take(source, 5, timeout=8)
        # the sender hung up and nobody listens any more
        wait_for(lambda: "connection refused" in str(source.state), 5)
        assert source.state.phase is StreamPhase.RECONNECTING
        assert url in str(source.state)
        with TcpServerSender(port):
            again = take(source, 5, timeout=12)
        assert again[0].index > first[-1].index
        assert source.reconnects >= 1
    finally:
        source.close()


@pytest.mark.timeout(30)
def test_recording_while_watching_is_playable(
    stream: StreamSource, udp_port: int, tmp_path
) -> None:
    path = tmp_path / "rec.ts"
    with UdpSender(udp_port):
        take(stream, 3, timeout=8)
        stream.start_recording(path)
        assert stream.recording == path
        watched = take(stream, 30, timeout=6)  # watching goes on while recording
        assert stream.stop_recording() == path
        assert stream.recording is None
    assert len(watched) == 30
    recorded = open_source(path)
    try:
        count = 0
        while recorded.read() is not None:
            count += 1
    finally:
        recorded.close()
    assert 20 <= count <= 45  # from the first keyframe after start to the stop
    from dronewatch.telemetry import read_klv

    klv = read_klv(path)
    assert len(klv.packets) >= 20  # the data stream is recorded too


@pytest.mark.timeout(20)
@pytest.mark.parametrize("klv", [False, True])
def test_record_to_mkv(udp_port: int, tmp_path, klv: bool) -> None:
    path = tmp_path / "rec.mkv"
    source = StreamSource(f"udp://127.0.0.1:{udp_port}", read_timeout_s=0.8)
    try:
        with UdpSender(udp_port, klv=klv):
            take(source, 3, timeout=8)
            if not klv:
                assert source.klv is None
                assert source.delay_kind == "relative"
                assert source.delay_s is not None and 0.0 <= source.delay_s < 1.0
            source.start_recording(path)  # KLV or not, Matroska gets the video alone
            take(source, 20, timeout=5)
            source.stop_recording()
    finally:
        source.close()
    recorded = open_source(path)
    frames = 0
    while recorded.read() is not None:
        frames += 1
    recorded.close()
    assert frames >= 10


def test_record_to_unknown_format_names_the_file(stream: StreamSource, tmp_path) -> None:
    from dronewatch.errors import SourceError

    with pytest.raises(SourceError, match=r"rec\.avi.*\.ts or \.mkv"):
        stream.start_recording(tmp_path / "rec.avi")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "url", ["tcp://127.0.0.1:1", "rtsp://127.0.0.1:1/x", "http://127.0.0.1:1/live.ts"]
)
def test_unreachable_url_reports_an_error_naming_it(url: str) -> None:
    source = open_source(url)
    assert isinstance(source, StreamSource)
    try:
        wait_for(lambda: source.state.phase is StreamPhase.ERROR, 5)
        text = str(source.state)
        assert text.startswith("error: ")
        assert url in text
        assert "connection refused" in text
        assert source.poll(0.05) is None
    finally:
        start = time.monotonic()
        source.close()
        assert time.monotonic() - start < 1.0


@pytest.mark.timeout(10)
def test_missing_protocol_is_a_final_error() -> None:
    url = "srt://127.0.0.1:1"
    with StreamSource(url) as source:
        wait_for(lambda: source.state.phase is StreamPhase.ERROR, 5)
        if "cannot open" not in str(source.state):
            pytest.skip(f"this FFmpeg build reads SRT ({source.state})")
        assert str(source.state) == f"error: {url}: this FFmpeg build cannot open srt:// streams"
        time.sleep(0.7)  # no retry
        assert source.state.attempt == 0


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("rtsp://cam/1", True),
        ("RTSPS://cam/1", True),
        ("udp://127.0.0.1:5000", True),
        ("rtp://127.0.0.1:5000", True),
        ("http://host/live.ts", True),
        ("https://host/live.m3u8", True),
        ("srt://127.0.0.1:9000", True),
        ("tcp://127.0.0.1:9000", True),
        ("clip.mp4", False),
        ("sim:fog", False),
        ("file:///tmp/a.ts", False),
    ],
)
def test_is_stream_url(spec: str, expected: bool) -> None:
    assert is_stream_url(spec) is expected


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (StreamState(StreamPhase.CONNECTING, "u"), "connecting"),
        (StreamState(StreamPhase.LIVE, "u"), "live"),
        (
            StreamState(StreamPhase.RECONNECTING, "u", 3, 2.0, "u: timed out"),
            "reconnecting (attempt 3, next in 2.0 s): u: timed out",
        ),
        (
            StreamState(StreamPhase.ERROR, "u", 1, 0.5, "u: connection refused"),
            "error: u: connection refused (retry 1, next in 0.5 s)",
        ),
        (
            StreamState(StreamPhase.RECONNECTING, "u", 3, None, "u: timed out"),
            "reconnecting (attempt 3, connecting): u: timed out",
        ),
        (
            StreamState(StreamPhase.ERROR, "u", 2, None, "u: connection refused"),
            "error: u: connection refused (retry 2, connecting)",
        ),
        (StreamState(StreamPhase.ENDED, "u"), "ended"),
    ],
)
def test_state_text(state: StreamState, text: str) -> None:
    assert str(state) == text


def test_backoff_doubles_to_eight_seconds() -> None:
    assert [backoff_s(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


@pytest.mark.timeout(30)
def test_record_command(udp_port: int, tmp_path, capsys) -> None:
    from dronewatch.cli import main

    path = tmp_path / "cli.ts"
    with UdpSender(udp_port):
        url = f"udp://127.0.0.1:{udp_port}"
        assert main(["record", url, "--out", str(path), "--seconds", "1.5"]) == 0
    recorded = open_source(path)
    frames = 0
    while recorded.read() is not None:
        frames += 1
    recorded.close()
    assert 15 <= frames <= 45
    assert f"recorded {path}" in capsys.readouterr().err


@pytest.mark.timeout(20)
def test_record_command_unreachable(tmp_path, capsys) -> None:
    from dronewatch.cli import main

    url = "tcp://127.0.0.1:1"
    args = ["record", url, "--out", str(tmp_path / "x.ts"), "--connect-timeout", "1.5"]
    assert main([*args, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "nothing received in 1.5 s" in err and url in err and "connection refused" in err


def test_record_command_rejects_a_file(tmp_path, capsys) -> None:
    from dronewatch.cli import main

    assert main(["record", "clip.mp4", "--out", str(tmp_path / "x.ts")]) == 1
    assert "not a stream URL" in capsys.readouterr().err
