"""The shared clock and per-feed decoder threads keep feeds of different fps in sync."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dronewatch.playback import FeedPlayer, FeedStatus, PlaybackClock
from dronewatch.sources import open_source


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


def test_clock_advances_at_speed_and_stops_at_the_end() -> None:
    now = FakeTime()
    clock = PlaybackClock(duration=10.0, now=now)
    clock.play()
    now.now += 2.0
    assert clock.position() == pytest.approx(2.0)
    clock.speed = 4.0
    now.now += 1.0
    assert clock.position() == pytest.approx(6.0)
    now.now += 5.0
    assert clock.position() == 10.0 and not clock.playing


def test_clock_pause_seek_step_and_speed_limits() -> None:
    now = FakeTime()
    clock = PlaybackClock(duration=10.0, now=now)
    clock.seek(3.0)
    clock.play()
    now.now += 1.0
    clock.pause()
    now.now += 5.0
    assert clock.position() == pytest.approx(4.0)
    clock.step(-0.5)
    assert clock.position() == pytest.approx(3.5) and not clock.playing
    clock.seek(-3)
    assert clock.position() == 0.0
    for _ in range(10):
        clock.faster()
    assert clock.speed == 8.0
    for _ in range(10):
        clock.slower()
    assert clock.speed == 0.25
    with pytest.raises(ValueError, match="speed"):
        clock.speed = 16.0


def test_play_at_the_end_restarts_from_the_beginning() -> None:
    now = FakeTime()
    clock = PlaybackClock(duration=2.0, now=now)
    clock.seek(2.0)
    clock.play()
    assert clock.playing and clock.position() == 0.0


def start_players(paths: list[Path]) -> list[FeedPlayer]:
    players = [FeedPlayer(p.name, lambda p=p: open_source(p)) for p in paths]
    for player in players:
        player.start()
    return players


def test_feeds_of_different_fps_show_the_frame_at_the_shared_time(clip_factory) -> None:
    clips = [
        clip_factory("a25.mp4", 100, 25),
        clip_factory("b10.mp4", 40, 10),
        clip_factory("c30.mp4", 120, 30),
        clip_factory("d12.mp4", 50, 12.5),
    ]
    players = start_players(clips)
    try:
        for t in (0.0, 2.37, 3.99, 0.51, 1.0):
            for player in players:
                player.request(t)
            wait_for(lambda: all(p.settled() for p in players))
            for player in players:
                snap = player.snapshot()
                assert snap.status is FeedStatus.READY
                assert snap.packet.index == snap.info.index_at(t)
                # The frame on screen started at most one frame period before t.
                assert 0 <= t - snap.packet.time_s < 1 / snap.info.fps + 1e-9
    finally:
        assert all(p.stop(2.0) for p in players)


def test_a_feed_shorter_than_the_clock_holds_its_last_frame(clip_factory) -> None:
    (player,) = start_players([clip_factory("short.mp4", 10, 10)])
    player.request(5.0)
    wait_for(player.settled)
    assert player.snapshot().packet.index == 9
    assert player.stop(2.0)


def test_a_missing_feed_reports_its_error_and_others_play_on(clip_factory, tmp_path) -> None:
    good = clip_factory("good.mp4", 30, 10)
    players = start_players([tmp_path / "missing.mp4", good])
    for player in players:
        player.request(1.0)
    wait_for(lambda: all(p.settled() for p in players))
    bad_snap, good_snap = (p.snapshot() for p in players)
    assert bad_snap.status is FeedStatus.ERROR
    assert "missing.mp4: file not found" in bad_snap.error
    assert good_snap.packet.index == 10
    assert all(p.stop(2.0) for p in players)


def test_stop_ends_the_thread_quickly_even_while_waiting(clip_factory) -> None:
    (player,) = start_players([clip_factory("a.mp4", 10, 10)])
    player.wait_opened(5)
    started = time.monotonic()
    assert player.stop(2.0)
    assert time.monotonic() - started < 1.0
    assert not player.alive


def test_play_before_feeds_are_open_starts_once_their_length_is_known() -> None:
    now = FakeTime()
    clock = PlaybackClock(now=now)
    clock.play()
    now.now += 3.0
    assert clock.position() == 0.0 and clock.playing
    clock.duration = 10.0
    now.now += 1.0
    assert clock.position() == pytest.approx(1.0)
