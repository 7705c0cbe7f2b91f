"""Sighting builder lifecycle on hand-made analyser output (no analyser, no video)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from dronewatch.analysis.types import (
    Detections,
    EarlierBox,
    FrameAnalysis,
    TargetClass,
    TrackState,
)
from dronewatch.sightings import (
    SightingBuilder,
    SightingConfig,
    SightingEnded,
    SightingStarted,
    SightingUpdated,
    majority_class,
)

FPS = 10.0
V, P, U = TargetClass.VEHICLE, TargetClass.PERSON, TargetClass.UNKNOWN


def track(tid: int, x: float = 50, *, confirmed: bool = True, cls=V, score: float = 0.5):
    return TrackState(tid, (x, 40.0, x + 20, 60.0), score, cls, confirmed)


def frame(index: int, *tracks: TrackState) -> FrameAnalysis:
    return FrameAnalysis(index, index / FPS, Detections.empty(), tuple(tracks))


def blank(h: int = 120, w: int = 160) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def run(builder: SightingBuilder, frames: list[FrameAnalysis], image=None) -> list:
    events = []
    for f in frames:
        events += builder.update(f, blank() if image is None else image)
    return events


def test_no_tracks_no_sightings() -> None:
    b = SightingBuilder()
    assert run(b, [frame(i) for i in range(50)]) == []
    assert b.finish() == []


def test_tentative_track_that_never_confirms_gives_nothing() -> None:
    b = SightingBuilder()
    events = run(b, [frame(i, track(1, confirmed=False)) for i in range(30)])
    assert events + b.finish() == []


def test_starts_on_confirmation_with_tentative_history() -> None:
    b = SightingBuilder()
    frames = [frame(i, track(7, x=10 + i, confirmed=i >= 3)) for i in range(6)]
    events = run(b, frames)
    assert isinstance(events[0], SightingStarted)
    start = events[0]
    assert start.track_id == 7
    assert [p.frame for p in start.points] == [0, 1, 2, 3]  # back-filled tentative frames
    assert all(isinstance(e, SightingUpdated) for e in events[1:])
    assert [e.points[0].frame for e in events[1:]] == [4, 5]


@pytest.mark.parametrize(
    ("gap_frames", "ended"),
    [(15, False), (16, True)],  # grace 1.5 s at 10 fps: gone for > 15 frames ends it
)
def test_ends_after_grace(gap_frames: int, ended: bool) -> None:
    b = SightingBuilder(SightingConfig(grace_s=1.5))
    frames = [frame(i, track(1)) for i in range(10)]
    frames += [frame(9 + g) for g in range(1, gap_frames + 1)]
    events = run(b, frames)
    ends = [e for e in events if isinstance(e, SightingEnded)]
    assert len(ends) == int(ended)
    if ended:
        s = ends[0].sighting
        assert (s.start_frame, s.end_frame) == (0, 9)
        assert s.end_s == pytest.approx(0.9)
        assert s.point_count == 10


def test_brief_dropout_within_grace_keeps_one_sighting() -> None:
    b = SightingBuilder(SightingConfig(grace_s=1.0))
    frames = [frame(i, track(1)) if i < 5 or i > 10 else frame(i) for i in range(20)]
    events = run(b, frames) + b.finish()
    assert sum(isinstance(e, SightingStarted) for e in events) == 1
    (end,) = [e for e in events if isinstance(e, SightingEnded)]
    assert (end.sighting.start_frame, end.sighting.end_frame) == (0, 19)
    assert end.sighting.point_count == 14


def test_feed_end_closes_open_sightings() -> None:
    b = SightingBuilder()
    run(b, [frame(i, track(1), track(2, x=100)) for i in range(5)])
    assert b.open_count == 2
    ends = b.finish()
    assert {e.sighting.track_id for e in ends} == {1, 2}
    assert b.open_count == 0


def test_reused_track_id_after_end_is_a_new_sighting() -> None:
    b = SightingBuilder(SightingConfig(grace_s=0.5))
    frames = [frame(i, track(3)) if i < 5 or i >= 20 else frame(i) for i in range(25)]
    events = run(b, frames) + b.finish()
    starts = [e for e in events if isinstance(e, SightingStarted)]
    assert len({s.key for s in starts}) == 2
    assert [s.points[0].frame for s in starts] == [0, 20]


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ([V] * 6 + [P] * 4, V),
        ([P] * 3 + [V] * 2 + [U] * 4, U),
        ([U] * 3 + [P] * 3, P),  # UNKNOWN loses ties
        ([V, P], V),  # otherwise the first seen wins ties
        ([], U),
    ],
)
def test_majority_class(classes: list[TargetClass], expected: TargetClass) -> None:
    from collections import Counter

    assert majority_class(Counter(classes)) is expected


def test_sighting_class_is_majority_over_life_and_refreshed() -> None:
    b = SightingBuilder(SightingConfig(refresh_s=0.5))
    classes = [P] * 4 + [V] * 16
    events = run(b, [frame(i, track(1, cls=c)) for i, c in enumerate(classes)]) + b.finish()
    assert events[0].target_class is P
    refreshed = [e.target_class for e in events if isinstance(e, SightingUpdated)]
    assert V in refreshed
    assert events[-1].sighting.target_class is V


def test_thumbnail_is_png_crop_at_peak_score() -> None:
    b = SightingBuilder(SightingConfig(thumbnail_max_px=96))
    frames, images = [], []
    for i in range(10):
        img = np.zeros((480, 640, 3), np.uint8)
        peak = i == 6
        img[200:400, 100:400] = (0, 0, 255) if peak else (255, 0, 0)
        images.append(img)
        frames.append(
            FrameAnalysis(
                i,
                i / FPS,
                Detections.empty(),
                (TrackState(1, (100.0, 200.0, 400.0, 400.0), 0.9 if peak else 0.3, V, True),),
            )
        )
    events = []
    for f, img in zip(frames, images, strict=True):
        events += b.update(f, img)
    (end,) = b.finish()
    s = end.sighting
    assert s.peak_score == pytest.approx(0.9)
    thumb = cv2.imdecode(np.frombuffer(s.thumbnail_png, np.uint8), cv2.IMREAD_COLOR)
    assert thumb is not None and max(thumb.shape[:2]) <= 96
    centre = thumb[thumb.shape[0] // 2, thumb.shape[1] // 2]
    assert tuple(int(c) for c in centre) == (0, 0, 255)  # red: the peak frame's crop
    assert s.thumbnail_png.startswith(b"\x89PNG")


def test_thumbnail_of_tiny_box_at_frame_edge() -> None:
    b = SightingBuilder()
    edge = TrackState(1, (0.0, 0.0, 2.0, 2.0), 0.8, V, True)
    b.update(FrameAnalysis(0, 0.0, Detections.empty(), (edge,)), blank())
    (end,) = b.finish()
    thumb = cv2.imdecode(np.frombuffer(end.sighting.thumbnail_png, np.uint8), cv2.IMREAD_COLOR)
    assert thumb is not None and min(thumb.shape[:2]) >= 1


def test_one_frame_clip() -> None:
    b = SightingBuilder()
    events = b.update(frame(0, track(1)), blank()) + b.finish()
    assert [type(e) for e in events] == [SightingStarted, SightingEnded]
    s = events[1].sighting
    assert (s.start_frame, s.end_frame, s.point_count) == (0, 0, 1)


def test_a_gap_the_tracker_filled_in_joins_the_sightings_path() -> None:
    b = SightingBuilder()
    events = run(b, [frame(i, track(3, x=10 + 2 * i)) for i in range(5)])
    # Frames 5 and 6 missed; seen again in 7 with the gap's boxes handed over.
    events += run(b, [frame(5), frame(6)])
    gap = tuple(
        EarlierBox(3, i, i / FPS, (10.0 + 2 * i, 40.0, 30.0 + 2 * i, 60.0), 0.5) for i in (5, 6)
    )
    again = FrameAnalysis(7, 0.7, Detections.empty(), (track(3, x=24),), earlier=gap)
    (update,) = b.update(again, blank())
    assert isinstance(update, SightingUpdated)
    assert [p.frame for p in update.points] == [5, 6, 7]
    (ended,) = b.finish()
    assert ended.sighting.point_count == 8 and ended.sighting.end_frame == 7
