"""Coarse class of a track without a model: size, shape and which way it moves."""

from __future__ import annotations

import numpy as np
import pytest

from dronewatch.analysis.classify import WalkerSize, classify_track
from dronewatch.analysis.config import ClassifierConfig
from dronewatch.analysis.tracker import Track
from dronewatch.analysis.types import TARGET_CLASSES, TargetClass

FRAME_AREA = 640.0 * 480.0
FPS = 25.0  # the speeds below are per frame at this rate


def _track(
    w: float,
    h: float,
    moved: tuple[float, float],
    velocity: tuple[float, float],
    pace: float | None = None,
) -> Track:
    """A track of box ``w`` x ``h`` that started ``moved`` px away, moving at ``velocity``
    (px a frame at 25 fps); ``pace``: its mean speed so far in its own lengths a frame
    (by default its current speed)."""
    t = Track(cx=300.0, cy=200.0, w=w, h=h, vx=velocity[0], vy=velocity[1])
    t.ox, t.oy = t.cx - moved[0], t.cy - moved[1]
    t.speed = float(np.hypot(*velocity))
    t.pace_sum = t.speed / max(w, h) if pace is None else pace
    t.pace_n = 1
    return t


@pytest.mark.parametrize(
    ("track", "expected"),
    [
        # An upright walker seen from a mast (pets09: 30x75 px) crossing the picture:
        # tall and large like a vehicle driving up the picture, but it moves sideways.
        (_track(30, 75, moved=(60, 8), velocity=(2.5, 0.3)), TargetClass.PERSON),
        (_track(30, 75, moved=(-45, -30), velocity=(-2.0, -1.4)), TargetClass.PERSON),
        # Vehicles drive along their length, whichever way the picture shows them.
        (_track(20, 45, moved=(2, 80), velocity=(0.2, 6.0)), TargetClass.VEHICLE),
        (_track(45, 20, moved=(90, 3), velocity=(7.0, 0.1)), TargetClass.VEHICLE),
        # One that drove up the picture and turned right: its way since the start is
        # mostly vertical, but it now moves along its (now horizontal) length.
        (_track(45, 20, moved=(15, 80), velocity=(6.0, 0.5)), TargetClass.VEHICLE),
        # A large wide target moving up the picture keeps the size rule.
        (_track(120, 60, moved=(2, 60), velocity=(0.1, 4.0)), TargetClass.VEHICLE),
        # A walker coming towards the mast: tall and moving up the picture like a
        # vehicle, but at 0.33 of its height a second, where vehicles cover their
        # length in a second or less.
        (_track(30, 75, moved=(3, 60), velocity=(0.1, 1.0)), TargetClass.PERSON),
        # A car that drove up the picture and has now stopped at a junction.
        (_track(20, 45, moved=(2, 150), velocity=(0.0, 0.0), pace=0.1), TargetClass.VEHICLE),
        # A tall target of vehicle size that has hardly moved yet has not shown its
        # heading: a vehicle driving up the picture or a walker seen from a mast.
        (_track(30, 75, moved=(10, 1), velocity=(2.5, 0.3)), TargetClass.UNKNOWN),
        # Part of a car (a square 16 px box: its roof, or its warm engine at night)
        # driving at 2 of its lengths a second: no shape rule names it, its pace does.
        (_track(16, 16, moved=(40, 5), velocity=(1.3, 0.0)), TargetClass.VEHICLE),
        # Two walkers in one square box, as large, at a walker's 0.5 lengths a second.
        (_track(16, 16, moved=(12, 2), velocity=(0.32, 0.0)), TargetClass.UNKNOWN),
        # The same car part before it has shown its heading.
        (_track(16, 16, moved=(4, 0), velocity=(1.3, 0.0)), TargetClass.UNKNOWN),
    ],
)
def test_class_from_shape_and_heading(track: Track, expected: TargetClass) -> None:
    assert classify_track(track, ClassifierConfig(), FRAME_AREA, 1.0, FPS) is expected


def test_a_tall_target_before_its_heading_is_a_vehicle_with_the_rule_off() -> None:
    track = _track(30, 75, moved=(10, 1), velocity=(2.5, 0.3))
    config = ClassifierConfig(tall_unknown_until_heading=False)
    assert classify_track(track, config, FRAME_AREA, 1.0, FPS) is TargetClass.VEHICLE


def test_a_model_vote_wins() -> None:
    track = _track(30, 75, moved=(60, 8), velocity=(2.5, 0.3))
    track.class_votes[TARGET_CLASSES.index(TargetClass.VEHICLE)] = 1.0
    assert classify_track(track, ClassifierConfig(), FRAME_AREA, 1.0, FPS) is TargetClass.VEHICLE


def _walkers_seen_for(frames: int) -> WalkerSize:
    """A feed's walkers (4 x 8 px, 110 m up: the day-pan sample) crossing the picture."""
    size = WalkerSize(memory_frames=250)
    walkers = [_track(4, 8, moved=(6, 1), velocity=(0.3, 0.05)) for _ in range(3)]
    for k, w in enumerate(walkers):
        w.confirmed, w.track_id = True, k + 1
    for _ in range(frames):
        size.see(walkers, ClassifierConfig())
    return size


def test_a_car_driving_slowly_up_the_picture_is_no_walker_beside_walkers_a_sixth_its_size() -> None:
    # The day-pan sample's car 4: 12 x 21 px, driving up the picture at 0.4 of its
    # length a second, as tall and as slow as a walker coming towards the camera.
    car = _track(12, 21, moved=(1, 20), velocity=(0.05, 0.3), pace=0.016)
    config = ClassifierConfig()
    assert classify_track(car, config, FRAME_AREA, 1.0, FPS) is TargetClass.PERSON
    size = _walkers_seen_for(10)
    assert size.area == 32.0
    assert classify_track(car, config, FRAME_AREA, 1.0, FPS, size.area) is TargetClass.VEHICLE
    # A walker twice as big as the others (nearer a mast) is still a walker.
    near = _track(6, 11, moved=(1, 20), velocity=(0.05, 0.3), pace=0.03)
    assert classify_track(near, config, FRAME_AREA, 1.0, FPS, size.area) is TargetClass.PERSON


def test_the_walkers_size_needs_three_walkers_and_forgets_them() -> None:
    size = WalkerSize(memory_frames=5)
    one = _track(4, 8, moved=(6, 1), velocity=(0.3, 0.05))
    one.confirmed, one.track_id = True, 1
    size.see([one], ClassifierConfig())
    assert size.area is None  # one walker says little about the feed's scale
    size = _walkers_seen_for(1)
    for _ in range(300):
        size.see([], ClassifierConfig())
    assert size.area is None  # the camera may have zoomed since
