"""The median reference: no trails behind slow targets, ghosts forgotten, exact medians."""

from __future__ import annotations

import numpy as np
import pytest

from dronewatch.analysis.config import AnalysisConfig, MotionDetectorConfig
from dronewatch.analysis.median_background import MedianBackground, median_of
from dronewatch.analysis.pipeline import FeedAnalyzer
from tests.core.test_analysis_scenes import Mover, Scene, iou


@pytest.mark.parametrize("n", [1, 3, 5, 9])
def test_median_of_matches_numpy(n: int) -> None:
    rng = np.random.default_rng(n)
    images = [rng.integers(0, 256, (37, 53), dtype=np.uint8) for _ in range(n)]
    before = [im.copy() for im in images]
    assert np.array_equal(median_of(images), np.median(np.stack(images), axis=0).astype(np.uint8))
    assert all(np.array_equal(a, b) for a, b in zip(images, before, strict=True)), "inputs changed"


def test_ghost_leaves_the_median_after_half_the_window() -> None:
    cfg = MotionDetectorConfig(median_samples=5, median_interval_s=0.2)
    fps = 25.0  # a sample every 5 frames, 5 samples
    ground = np.full((40, 60), 100, np.uint8)
    with_target = ground.copy()
    with_target[10:16, 20:26] = 220  # a target there when the model starts, then gone
    median = MedianBackground(cfg, fps)
    median.restart(with_target)
    view = np.full(ground.shape, 255, np.uint8)
    for _ in range(10):  # two samples of bare ground: the target still holds 3 of 5
        median.learn(ground, view)
    assert median.image is not None and median.image[12, 22] == 220
    for _ in range(5):  # the third sample: bare ground is the majority
        median.learn(ground, view)
    assert median.image[12, 22] == 100


def test_targets_in_the_restart_frame_leave_the_median_within_a_second() -> None:
    # Every sample starts as the restart frame. Sampled only every 0.75 s, a car seen
    # there stayed in the median for 3.75 s: a ghost, and a false mover where it left.
    cfg = MotionDetectorConfig(median_samples=9, median_interval_s=0.75)
    ground = np.full((40, 60), 100, np.uint8)
    with_car = ground.copy()
    with_car[10:20, 20:40] = 30
    median = MedianBackground(cfg, 25.0)
    median.restart(with_car)
    view = np.full(ground.shape, 255, np.uint8)
    for _ in range(25):
        median.learn(ground, view)
    assert median.image is not None and median.image[15, 30] == 100


def test_new_ground_is_filled_into_every_sample() -> None:
    cfg = MotionDetectorConfig(median_samples=5, median_interval_s=0.2)
    median = MedianBackground(cfg, 25.0)
    left = np.zeros((20, 40), np.uint8)
    left[:, :20] = 255
    median.restart(np.full((20, 40), 50, np.uint8), left)
    frame = np.full((20, 40), 90, np.uint8)
    median.learn(frame, np.full((20, 40), 255, np.uint8))  # the right half comes into view
    assert median.image is not None
    assert (median.image[:, 20:] == 90).all(), "new ground takes the frame that shows it"
    assert (median.image[:, :20] == 50).all(), "seen ground waits for its samples"


def _widths_and_hits(scene: Scene, movers: list[Mover], config: AnalysisConfig) -> tuple:
    analyzer = FeedAnalyzer(scene.info, config)
    widths, separate = [], []
    for i in range(120):
        result = analyzer.process(scene.packet(i))
        if i < 40:
            continue
        boxes = [tuple(b) for b in result.detections.xyxy]
        for m in movers:
            truth = scene.box_in_image(m, i)
            best = max(boxes, key=lambda b: iou(b, truth), default=None)
            if best is not None and iou(best, truth) > 0:
                widths.append(best[2] - best[0])
        separate.append(
            all(any(iou(b, scene.box_in_image(m, i)) >= 0.5 for b in boxes) for m in movers)
        )
    return widths, separate


def test_slow_even_coloured_target_leaves_no_trail() -> None:
    # A 16 px target of one grey level at 0.5 px/frame: its inside looks still for 30
    # frames, the running average learns it, and without the median reference its box
    # stretched up to 7 px behind it.
    target = Mover(x=200, y=150, vx=0.5, vy=0.0, size=16, value=200)
    # The motion box itself (the window refiner redraws a box it knows the target of).
    motion_only = AnalysisConfig().with_overrides({"detector.refine_windows": False})
    widths, _ = _widths_and_hits(Scene(movers=[target]), [target], motion_only)
    assert widths and max(widths) <= 16 + 3, f"box widths up to {max(widths):.0f} px"


def test_walkers_one_behind_the_other_stay_two_boxes() -> None:
    # Two 6 px walkers 4 px apart at 0.4 px/frame: the trail of the first used to join
    # it to the second in one frame in eight.
    front = Mover(x=200, y=150, vx=0.4, vy=0.0, size=6, value=200)
    back = Mover(x=190, y=150, vx=0.4, vy=0.0, size=6, value=200)
    # This is about trails, so the threshold is fixed: on this busy texture the scene
    # term would raise it to 30 and cut the walkers' boxes short instead.
    # The motion boxes themselves, without the window refiner.
    fixed = AnalysisConfig(
        detector=MotionDetectorConfig(threshold_min=15, threshold_scene_max=0, refine_windows=False)
    )
    _, separate = _widths_and_hits(Scene(movers=[front, back]), [front, back], fixed)
    assert np.mean(separate) >= 0.97, f"two boxes in {np.mean(separate):.0%} of frames"


def test_the_median_settles_once_its_samples_are_newer_than_a_restart_or_a_jump() -> None:
    # The window refiner takes proposals from the median only once it has settled:
    # a median still holding the ground from before a brightness jump reads the
    # texture left after remapping it as movers everywhere.
    cfg = MotionDetectorConfig(median_samples=5, median_interval_s=0.2)
    median = MedianBackground(cfg, 25.0)  # a sample every 5 frames
    ground = np.full((20, 30), 100, np.uint8)
    view = np.full(ground.shape, 255, np.uint8)
    median.restart(ground)
    assert not median.settled
    for _ in range(4 * 5):
        median.learn(ground, view)
    assert median.settled  # the restart frame and four samples after it
    median.unsettle()
    for _ in range(4 * 5):
        median.learn(ground, view)
    assert not median.settled
    for _ in range(5):
        median.learn(ground, view)
    assert median.settled
