"""Live analysis of a feed: every frame analysed, sightings stored, reopening uses the store."""

from __future__ import annotations

import time

import numpy as np

from dronewatch.analysis.types import Detections, FrameAnalysis, TargetClass, TrackState
from dronewatch.annotate import Hud, OverlayOptions, annotate
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.live.feed_analysis import AnalysisState, FeedAnalysis
from dronewatch.live.track_index import TrackIndex
from dronewatch.sources import open_source
from dronewatch.store import SightingsReader, Store


class OneMover:
    """A stand-in analyser: one confirmed vehicle moving right, seen from frame 3 on."""

    def __init__(self, info: VideoInfo) -> None:
        self.calls: list[int] = []

    def process(self, packet: FramePacket) -> FrameAnalysis:
        self.calls.append(packet.index)
        tracks = ()
        if packet.index >= 3:
            x = 10 + 2 * packet.index
            tracks = (TrackState(7, (x, 20, x + 12, 30), 0.9, TargetClass.VEHICLE, True),)
        return FrameAnalysis(packet.index, packet.time_s, Detections.empty(), tracks)


def wait_state(analysis: FeedAnalysis, *states: AnalysisState, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while analysis.stats().state not in states:
        assert time.monotonic() < deadline, f"state stuck at {analysis.stats()}"
        time.sleep(0.01)


def test_every_frame_is_analysed_and_sightings_reach_the_store(clip_factory, tmp_path) -> None:
    clip = clip_factory("a.mp4", 40, 10)
    db = tmp_path / "s.db"
    analysers: list[OneMover] = []

    def factory(info: VideoInfo) -> OneMover:
        analysers.append(OneMover(info))
        return analysers[-1]

    with Store(db) as store:
        live = FeedAnalysis("a.mp4", lambda: open_source(clip), store, clip, factory, lead_s=1e9)
        live.start()
        wait_state(live, AnalysisState.DONE)
        assert analysers[0].calls == list(range(40))
        assert live.index.tracks_at(2) == ()
        assert live.index.tracks_at(20)[0].track_id == 7
        trail = live.index.trails(20, 10)[7]
        assert len(trail) == 11 and trail[-1][0] > trail[0][0]
        assert live.stop(2.0)
    with SightingsReader(db) as reader:
        (sighting,) = reader.sightings()
        assert sighting.target_class is TargetClass.VEHICLE
        assert sighting.start_frame <= 4 and sighting.end_frame == 39
        assert reader.clips()[0].complete


def test_reopening_an_analysed_clip_loads_tracks_from_the_store(clip_factory, tmp_path) -> None:
    clip = clip_factory("a.mp4", 30, 10)
    db = tmp_path / "s.db"
    with Store(db) as store:
        first = FeedAnalysis("a.mp4", lambda: open_source(clip), store, clip, OneMover, 1e9)
        first.start()
        wait_state(first, AnalysisState.DONE)
        first.stop()
    copy = tmp_path / "renamed.mp4"  # known by content, not by path
    copy.write_bytes(clip.read_bytes())

    def must_not_analyse(info: VideoInfo) -> OneMover:
        raise AssertionError("a stored clip was analysed again")

    with Store(db) as store:
        again = FeedAnalysis("r", lambda: open_source(copy), store, copy, must_not_analyse)
        again.start()
        wait_state(again, AnalysisState.FROM_STORE)
        assert again.index.tracks_at(20)[0].xyxy[0] == 50
        assert again.index.complete
        again.stop()


def test_paused_analysis_resumes_and_stop_is_prompt(clip_factory, tmp_path) -> None:
    clip = clip_factory("a.mp4", 200, 25)
    live = FeedAnalysis("a", lambda: open_source(clip), None, clip, OneMover, lead_s=0.5)
    live.start()
    deadline = time.monotonic() + 10
    while live.index.frames_done < 10:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.2)
    # Stays within the lead of the playhead (0 s + 0.5 s at 25 fps, plus the queue).
    assert live.index.frames_done <= 12 + 3
    live.set_playhead(100.0)
    wait_state(live, AnalysisState.DONE)
    started = time.monotonic()
    assert live.stop(2.0) and time.monotonic() - started < 1.0


def test_analysis_of_a_missing_file_reports_the_error(tmp_path) -> None:
    missing = tmp_path / "gone.mp4"
    live = FeedAnalysis("gone", lambda: open_source(missing), None, missing, OneMover)
    live.start()
    wait_state(live, AnalysisState.ERROR)
    assert "gone.mp4: file not found" in live.stats().error
    assert live.stop(1.0)


def test_annotate_draws_boxes_trails_and_hud_on_a_copy() -> None:
    frame = np.zeros((120, 200, 3), np.uint8)
    track = TrackState(3, (50, 40, 80, 70), 0.8, TargetClass.PERSON, True)
    trails = {3: np.array([[20, 100], [40, 80], [65, 55]], np.float32)}
    out = annotate(frame, [track], trails, OverlayOptions(), Hud("cam", 1.5, 37))
    assert frame.max() == 0, "the input frame was drawn on"
    assert out[40, 60:70].any(), "no box edge"
    assert out[90, 25:35].any(), "no trail"
    assert out[-12:, :60].any(), "no HUD"
    bare = annotate(frame, [track], trails, OverlayOptions(False, False, False, False))
    assert bare.max() == 0


class PacedLiveSource:
    """A live feed: frames arrive in real time and cannot be waited for."""

    name = "live"

    def __init__(self, fps: float, frames: int) -> None:
        self.info = VideoInfo(fps=fps, width=32, height=24, frame_count=None)
        self._next, self._frames, self._start = 0, frames, time.monotonic()

    def read(self) -> FramePacket | None:
        if self._next >= self._frames:
            return None
        due = self._start + self._next / self.info.fps
        time.sleep(max(0.0, due - time.monotonic()))
        packet = FramePacket(
            self._next, self._next / self.info.fps, np.zeros((24, 32, 3), np.uint8)
        )
        self._next += 1
        return packet

    def seek(self, index: int) -> None:
        raise AssertionError("live feeds are not sought")

    def close(self) -> None:
        pass


def test_live_feed_drops_the_oldest_frames_when_analysis_lags_and_counts_them() -> None:
    from dronewatch.live.analysis_process import WAITING, LatestFrames

    reader = LatestFrames(PacedLiveSource(fps=200, frames=100))
    seen = []
    while True:
        packet = reader.get(1.0)
        if packet is WAITING:
            continue
        if packet is None:
            break
        seen.append(packet.index)
        time.sleep(0.02)  # analysis at 50 fps against a 200 fps feed
    assert seen == sorted(seen) and seen[-1] == 99, "frames out of order or the newest lost"
    assert reader.dropped == 100 - len(seen) > 30


def test_overlays_show_a_track_from_the_frame_it_was_first_seen() -> None:
    index = TrackIndex()
    box = (10.0, 10.0, 20.0, 20.0)
    now = TrackState(4, (16.0, 10.0, 26.0, 20.0), 0.9, TargetClass.PERSON, True)
    # Confirmed in frame 7; while tentative it was seen in frames 5 and 6.
    moved = [
        (
            k,
            TrackState(
                4,
                (box[0] + 2 * (k - 5), 10.0, box[2] + 2 * (k - 5), 20.0),
                0.5,
                TargetClass.PERSON,
                True,
            ),
        )
        for k in (5, 6)
    ]
    for frame in range(7):
        index.add(frame, ())
    index.add(7, [now], moved)
    assert [t.track_id for t in index.tracks_at(5)] == [4]
    assert index.tracks_at(6)[0].xyxy == moved[1][1].xyxy
    assert index.first_frame(4) == 5
    trail = index.trails(7, 10)[4]
    assert len(trail) == 3 and trail[0][0] < trail[-1][0]  # frames 5, 6, 7, left to right


def test_a_track_keeps_the_label_it_has_had_most_often() -> None:
    """A walker's box joined to a neighbour's for a few frames looks like a vehicle's:
    the overlay keeps 'person' (the class his sighting has), and changes only once the
    other class has been seen more often."""
    index = TrackIndex()
    person, vehicle = TargetClass.PERSON, TargetClass.VEHICLE
    seen = [person] * 10 + [vehicle] * 3 + [person] * 5 + [vehicle] * 20
    for frame, cls in enumerate(seen):
        index.add(frame, [TrackState(2, (10.0, 10.0, 16.0, 30.0), 0.8, cls, True)])
    labels = [index.tracks_at(frame)[0].target_class for frame in range(len(seen))]
    assert labels[:18] == [person] * 18  # the three joined frames do not flip it
    assert labels[-1] is vehicle  # seen as a vehicle most often by the end
    assert labels.index(vehicle) == 30  # 16 vehicle frames against 15 person ones


def test_a_track_back_after_its_sighting_ended_is_labelled_afresh() -> None:
    """A live feed that drops frames can bring a track ID back after its sighting has
    ended; the new sighting counts classes anew, and so does the overlay."""
    index = TrackIndex()
    index.label_memory_frames = 37  # 1.5 s at 25 frames/s
    person, vehicle = TargetClass.PERSON, TargetClass.VEHICLE
    for frame in range(20):
        index.add(frame, [TrackState(3, (10.0, 10.0, 30.0, 20.0), 0.8, vehicle, True)])
    for frame in range(100, 105):
        index.add(frame, [TrackState(3, (10.0, 10.0, 16.0, 30.0), 0.8, person, True)])
    assert index.tracks_at(104)[0].target_class is person
    assert index.tracks_at(19)[0].target_class is vehicle


def test_a_gap_filled_in_joins_the_track_s_trail_in_frame_order() -> None:
    index = TrackIndex()
    walker = [
        TrackState(5, (10.0 + 2 * k, 10.0, 16.0 + 2 * k, 22.0), 0.9, TargetClass.PERSON, True)
        for k in range(8)
    ]
    for k in range(5):
        index.add(k, [walker[k]])
    index.add(5, ())
    index.add(6, ())
    # Seen again in frame 7, frames 5 and 6 filled in.
    index.add(7, [walker[7]], [(5, walker[5]), (6, walker[6])])
    trail = index.trails(7, 10)[5]
    assert trail[:, 0].tolist() == [13.0 + 2 * k for k in range(8)]  # every frame, in order
    assert [t.track_id for t in index.tracks_at(6)] == [5]
    index.add(7, [walker[7]], [(5, walker[5])])  # told again: no second point
    assert len(index.trails(7, 10)[5]) == 8
