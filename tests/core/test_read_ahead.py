"""Decoding and camera motion run ahead in a reader thread: same results, errors in
order, and no thread left behind when the consumer stops early."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.read_ahead import prepared_frames
from dronewatch.errors import DroneWatchError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.sources import open_source
from tests.core.test_analysis_scenes import Mover, Scene

SAMPLE = Path(__file__).resolve().parents[2] / "sample_videos" / "day-pan.mp4"


class _SceneSource:
    """A scene as a frame source that fails to decode at frame ``fail_at``."""

    def __init__(self, scene: Scene, frames: int, fail_at: int | None = None) -> None:
        self.scene, self.frames, self.fail_at = scene, frames, fail_at
        self.info = scene.info
        self.next = 0

    def read(self) -> FramePacket | None:
        i = self.next
        if i == self.fail_at:
            raise DroneWatchError(f"scene.mp4: cannot decode frame {i + 1}")
        if i >= self.frames:
            return None
        self.next += 1
        return self.scene.packet(i)

    def close(self) -> None:
        pass


def _tracks(analysis) -> list[tuple]:
    return [(t.track_id, tuple(round(v, 3) for v in t.xyxy)) for t in analysis.tracks]


def test_read_ahead_gives_the_same_tracks_as_one_thread() -> None:
    source = open_source(SAMPLE)
    one = FeedAnalyzer(source.info)
    expected = []
    for _ in range(150):
        packet = source.read()
        assert packet is not None
        expected.append(_tracks(one.process(packet)))
    source.close()

    source = open_source(SAMPLE)
    two = FeedAnalyzer(source.info)
    got = []
    frames = prepared_frames(source, two.prepare)
    for frame in frames:
        got.append(_tracks(two.analyse(frame)))
        if len(got) == 150:
            break
    frames.close()
    source.close()
    assert sum(len(t) for t in expected) > 100, "the sample should have tracks to compare"
    assert got == expected


def test_a_decode_error_comes_after_the_frames_before_it() -> None:
    scene = Scene(movers=[Mover(x=250, y=120, vx=0.6, vy=0.2)])
    source = _SceneSource(scene, frames=40, fail_at=25)
    analyzer = FeedAnalyzer(scene.info)
    seen = []
    with pytest.raises(DroneWatchError, match="frame 26"):
        for frame in prepared_frames(source, analyzer.prepare):
            seen.append(frame.packet.index)
            analyzer.analyse(frame)
    assert seen == list(range(25))


def test_stopping_early_stops_the_reader() -> None:
    scene = Scene()
    source = _SceneSource(scene, frames=10_000)
    analyzer = FeedAnalyzer(VideoInfo(fps=25.0, width=320, height=180, frame_count=None))
    frames = prepared_frames(source, analyzer.prepare, depth=2)
    for frame in frames:
        if frame.packet.index == 5:
            break
    frames.close()
    assert not any(t.name == "dronewatch-read-ahead" for t in threading.enumerate())
    # The reader stopped right away instead of decoding the rest of the clip.
    assert source.next <= 5 + 1 + 2 + 1


def test_frames_prepared_ahead_are_registered_to_the_camera() -> None:
    scene = Scene(cam_vx=2.0, cam_vy=0.0)
    source = _SceneSource(scene, frames=30)
    analyzer = FeedAnalyzer(scene.info)
    shifts = [frame.motion.prev_to_cur[0, 2] for frame in prepared_frames(source, analyzer.prepare)]
    # The camera pans 2 px a frame to the right: the picture moves 2 px to the left.
    assert np.median(shifts[1:]) == pytest.approx(-2.0, abs=0.1)
