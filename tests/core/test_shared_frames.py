"""A live player hands its frames to the feed's analysis worker in shared memory."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dronewatch.errors import SourceError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.live.analysis_process import ProcessFeedAnalysis
from dronewatch.live.feed_analysis import AnalysisState
from dronewatch.live.shared_frames import SharedFrameSource, SharedFrameWriter
from dronewatch.live.track_index import TrackIndex
from dronewatch.playback.live_player import LivePlayer
from dronewatch.sources import open_source
from dronewatch.store import SightingsReader, Store
from tests.core.test_stream_player import FakeLive

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "day-pan.mp4"
INFO = VideoInfo(fps=25.0, width=8, height=4, frame_count=None)
SPAWN = mp.get_context("spawn")


def packet(i: int, shape: tuple[int, int, int] = (4, 8, 3)) -> FramePacket:
    return FramePacket(i, i / 25, np.full(shape, i, np.uint8))


def test_frames_arrive_whole_and_in_order_and_are_dropped_when_no_slot_is_free() -> None:
    writer = SharedFrameWriter(SPAWN, "feed", slots=3)
    for i in range(5):
        writer.push(packet(i), INFO)
    assert writer.dropped == 2  # nobody read: only three slots
    source = SharedFrameSource(writer.channel, "feed")
    assert source.info == INFO
    got = [source.read() for _ in range(3)]
    assert [p.index for p in got] == [0, 1, 2]  # type: ignore[union-attr]
    assert all((p.image == p.index).all() for p in got)  # type: ignore[union-attr]
    writer.push(packet(5, (6, 10, 3)), INFO)  # the stream changed size: a new segment
    bigger = source.read()
    assert bigger is not None and bigger.image.shape == (6, 10, 3) and (bigger.image == 5).all()
    writer.close()
    assert source.read() is None
    writer.push(packet(9), INFO)  # after the close: ignored
    source.close()


def test_a_feed_that_ends_before_its_first_frame_is_a_source_error() -> None:
    writer = SharedFrameWriter(SPAWN, "udp://x")
    writer.close()
    with pytest.raises(SourceError, match="udp://x: the live feed ended before its first frame"):
        SharedFrameSource(writer.channel, "udp://x")


class Collect:
    def __init__(self) -> None:
        self.indices: list[int] = []
        self.closed = False

    def push(self, packet: FramePacket, info: VideoInfo) -> None:
        self.indices.append(packet.index)

    def close(self) -> None:
        self.closed = True


def test_the_live_player_hands_on_every_frame_it_takes_and_closes_its_tap() -> None:
    tap = Collect()
    player = LivePlayer("feed", lambda: FakeLive(fps=200))  # type: ignore[arg-type, return-value]
    player.tap = tap  # set once analysis starts
    player.start()
    time.sleep(0.4)
    assert player.stop(1.0) and tap.closed
    got = tap.indices
    # the player shows only the newest frame, but its tap gets them all
    assert len(got) >= 30 and got == list(range(got[0], got[0] + len(got)))


def test_overlays_of_a_live_feed_come_from_the_last_analysed_frame() -> None:
    index = TrackIndex()
    assert index.latest_frame(10) is None
    for frame in (3, 4, 7):
        index.add(frame, ())
    assert [index.latest_frame(f) for f in (2, 3, 6, 7, 50)] == [None, 3, 4, 7, 7]


def push_file(writer: SharedFrameWriter, path: Path, timeout_s: float = 120.0) -> None:
    """Push a file's frames as a live player would, at up to 100 frames/s, each again
    until the worker has a slot for it.

    Why not drop frames as a live feed does when the worker is behind: the worker runs
    niced, and on a loaded machine (CI shares its cores) it took under 3% of the frames,
    too few to confirm a track. Dropping is tested on its own; this test is about
    where the results go.
    """
    source = open_source(path)
    info = VideoInfo(source.info.fps, source.info.width, source.info.height, None)
    deadline = time.monotonic() + timeout_s
    try:
        while (p := source.read()) is not None:
            dropped = writer.dropped
            writer.push(p, info)
            while writer.dropped > dropped and time.monotonic() < deadline:
                time.sleep(0.01)
                dropped = writer.dropped
                writer.push(p, info)
            time.sleep(0.01)
    finally:
        source.close()
        writer.close()


def test_a_live_feed_is_analysed_in_a_worker_and_each_viewing_keeps_its_own_log(
    tmp_path,
) -> None:
    with Store(tmp_path / "s.db") as store:
        clips = []
        for viewing in ("live:udp://cam@1", "live:udp://cam@2"):
            analysis = ProcessFeedAnalysis(
                "udp://cam", "udp://cam", store, live_frames=True, clip_key=viewing
            )
            assert analysis.frame_writer is not None
            analysis.start()
            pusher = threading.Thread(target=push_file, args=(analysis.frame_writer, SAMPLE))
            pusher.start()
            pusher.join(130)
            deadline = time.monotonic() + 60
            while analysis.alive and time.monotonic() < deadline:
                time.sleep(0.05)
            stats = analysis.stats()
            assert stats.state is AnalysisState.DONE, stats
            assert stats.frames_done + stats.dropped >= 400
            clips.append(analysis.clip_id)
        store.flush()
        with SightingsReader(store.path) as reader:
            counts = [reader.count_sightings(clip_id=c) for c in clips]
            keys = {c.id: c.content_hash for c in reader.clips()}
    assert clips[0] != clips[1] and all(n > 0 for n in counts), counts
    assert keys[clips[0]] == "live:udp://cam@1"
