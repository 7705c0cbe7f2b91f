"""A live player hands its frames to the feed's analysis through a tap."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.live.feed_analysis import AnalysisState, FeedAnalysis
from dronewatch.live.track_index import TrackIndex
from dronewatch.playback.frame_tap import FrameTap
from dronewatch.playback.live_player import LivePlayer
from dronewatch.sources import open_source
from dronewatch.store import SightingsReader, Store
from tests.core.test_stream_player import FakeLive

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "day-pan.mp4"
INFO = VideoInfo(fps=25.0, width=8, height=4, frame_count=None)


def packet(i: int) -> FramePacket:
    return FramePacket(i, i / 25, np.zeros((4, 8, 3), np.uint8))


def test_the_reader_gets_frames_in_order_and_the_oldest_are_dropped_when_it_is_behind() -> None:
    tap = FrameTap("feed", depth=3)
    for i in range(5):
        tap.push(packet(i), INFO)
    assert tap.wait_open(0.1) is tap and tap.info == INFO
    assert [tap.read().index for _ in range(3)] == [2, 3, 4]  # type: ignore[union-attr]
    assert tap.dropped == 2
    tap.close()
    assert tap.read() is None
    tap.push(packet(9), INFO)  # after the close: ignored
    assert tap.read() is None


def test_a_feed_that_closes_or_stays_silent_is_a_source_error() -> None:
    tap = FrameTap("udp://x")
    with pytest.raises(SourceError, match="no frame within"):
        tap.wait_open(0.05)
    threading.Timer(0.05, tap.close).start()
    with pytest.raises(SourceError, match="udp://x: closed before its first frame"):
        tap.wait_open(2.0)
    with pytest.raises(SourceError):
        tap.seek(0)


def test_the_live_player_hands_on_every_frame_it_takes_and_closes_the_tap_when_it_stops() -> None:
    tap = FrameTap("feed", depth=1000)
    player = LivePlayer("feed", lambda: FakeLive(fps=200), tap=tap)  # type: ignore[arg-type, return-value]
    player.start()
    assert tap.wait_open(2.0).info.frame_count is None
    time.sleep(0.3)
    assert player.stop(1.0)
    indices = []
    while (p := tap.read()) is not None:
        indices.append(p.index)
    # the player shows only the newest frame, but the tap gets them all
    assert len(indices) >= 30 and indices == list(range(indices[0], indices[0] + len(indices)))


def test_overlays_of_a_live_feed_come_from_the_last_analysed_frame() -> None:
    index = TrackIndex()
    assert index.latest_frame(10) is None
    for frame in (3, 4, 7):
        index.add(frame, ())
    assert [index.latest_frame(f) for f in (2, 3, 6, 7, 50)] == [None, 3, 4, 7, 7]


def feed_file_live(tap: FrameTap, path: Path, stop: threading.Event) -> None:
    """Push a file's frames into the tap as a live player would (then close it)."""
    source = open_source(path)
    info = VideoInfo(source.info.fps, source.info.width, source.info.height, None)
    try:
        while not stop.is_set() and (p := source.read()) is not None:
            tap.push(p, info)
            time.sleep(0.004)
    finally:
        source.close()
        tap.close()


def test_a_live_feed_is_analysed_from_its_tap_and_each_session_keeps_its_own_log(
    tmp_path,
) -> None:
    with Store(tmp_path / "s.db") as store:
        clips = []
        for session in ("live:udp://cam@1", "live:udp://cam@2"):
            tap = FrameTap("udp://cam")
            stop = threading.Event()
            pusher = threading.Thread(target=feed_file_live, args=(tap, SAMPLE, stop))
            analysis = FeedAnalysis("udp://cam", tap.wait_open, store, clip_key=session)
            analysis.start()
            pusher.start()
            pusher.join(60)
            deadline = time.monotonic() + 60
            while analysis.alive and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not analysis.alive
            stats = analysis.stats()
            assert stats.state is AnalysisState.DONE and stats.frames_done > 100
            clips.append(analysis.clip_id)
        store.flush()
        with SightingsReader(store.path) as reader:
            counts = [reader.count_sightings(clip_id=c) for c in clips]
            keys = {c.id: c.content_hash for c in reader.clips()}
    assert clips[0] != clips[1] and all(n > 0 for n in counts), counts
    assert keys[clips[0]] == "live:udp://cam@1"
