"""Blobs over several targets are cut at the peaks of their signal (thermal groups),
or at the dip between upright figures side by side (walkers)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from dronewatch.analysis.blob_split import split_by_peaks
from dronewatch.analysis.blobs import ValleySplit
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.frames import FramePacket
from tests.core.test_analysis_scenes import FPS, Mover, ThermalScene, iou


def _hills(centres: list[tuple[int, int]], shape: tuple[int, int] = (20, 30)) -> np.ndarray:
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    img = np.zeros(shape, np.float32)
    for cx, cy in centres:
        img = np.maximum(img, 60 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * 1.5**2)))
    return img.astype(np.uint8)


def _split(signal: np.ndarray, **kw: float) -> list[tuple[int, int, int, int]] | None:
    mask = (signal > 6).astype(np.uint8) * 255
    args = {"floor": 15.0, "saddle_share": 0.9, "min_distance": 3.0} | kw
    return split_by_peaks(mask, signal, **args)


def test_two_touching_hills_become_two_boxes_around_them() -> None:
    signal = _hills([(10, 10), (17, 10)])
    assert cv2.connectedComponents((signal > 6).astype(np.uint8))[0] == 2  # one blob
    boxes = _split(signal)
    assert boxes is not None and len(boxes) == 2
    centres = sorted(((a + c) / 2, (b + d) / 2) for a, b, c, d in boxes)
    assert abs(centres[0][0] - 10.5) <= 1.5 and abs(centres[1][0] - 17.5) <= 1.5
    for a, _, c, _ in boxes:
        assert c - a <= 8, "each box covers one hill, not both"


def test_one_hill_or_a_shallow_dip_stays_one_target() -> None:
    assert _split(_hills([(12, 10)])) is None
    # Peaks 2 px apart are one target however they dip.
    assert _split(_hills([(10, 10), (12, 10)])) is None
    # Peaks whose dip stays above the saddle share are one target.
    assert _split(_hills([(10, 10), (15, 10)]), saddle_share=0.3) is None
    # Peaks below the floor do not count.
    assert _split(_hills([(10, 10), (17, 10)]), floor=70.0) is None


def _walkers_found(split: str) -> float:
    """Share of walker-frames in which a detection matches the walker at IoU 0.3, by
    the blob rules alone (the window refiner, which finds them too, off)."""
    walkers = [Mover(x=250 + 7 * k, y=120, vx=0.5, vy=0.3, size=5, value=200) for k in range(3)]
    scene = ThermalScene(movers=walkers)
    config = AnalysisConfig().with_overrides(
        {"detector.split_peaks": split, "detector.refine_windows_thermal": False}
    )
    analyzer = FeedAnalyzer(scene.info, config)
    found = total = 0
    for i in range(90):
        r = analyzer.process(FramePacket(i, i / FPS, scene.frame(i)))
        if i < 30:
            continue
        for m in walkers:
            truth = scene.box_in_image(m, i)
            total += 1
            found += any(iou(tuple(b), truth) >= 0.3 for b in r.detections.xyxy)
    return found / total


def test_warm_walkers_side_by_side_are_found_one_by_one() -> None:
    # Three warm walkers 2 px apart: one blob covers them all unless it is cut.
    assert _walkers_found("never") < 0.3
    assert _walkers_found("thermal") >= 0.9


def test_a_blob_of_noise_is_cut_into_a_handful_at_most() -> None:
    # Every 3x3 maximum of noise is a peak: only the strongest few are considered,
    # so a noisy blob neither explodes into dozens of boxes nor costs their pairs.
    rng = np.random.default_rng(0)
    signal = rng.integers(20, 60, (17, 17)).astype(np.uint8)
    mask = np.full(signal.shape, 255, np.uint8)
    boxes = split_by_peaks(mask, signal, floor=15.0, saddle_share=0.9, min_distance=3.0)
    assert boxes is not None and 2 <= len(boxes) <= 8


def _walkers(lefts: list[int], width: int = 6, height: int = 20, bridge: int = 3) -> np.ndarray:
    """Upright figures side by side, joined at the middle by a short bridge."""
    mask = np.zeros((height + 4, 40), np.uint8)
    for x in lefts:
        mask[2 : 2 + height, x : x + width] = 255
    for a, b in itertools.pairwise(lefts):
        mask[10 : 10 + bridge, a + width : b] = 255
    return mask


def test_two_upright_figures_side_by_side_are_cut_at_the_dip_between_them() -> None:
    boxes = ValleySplit(max_ratio=0.5, tall=1.2).boxes(_walkers([5, 13]), 100, 50)
    assert boxes is not None and len(boxes) == 2
    (a, b, c, d), (e, f, g, h) = sorted(boxes)
    assert a == 105 and g == 119 and c <= e, "each box is one figure (and the bridge)"
    assert c - a <= 7 and g - e <= 7
    assert b == f == 52 and d == h == 72


def test_one_figure_a_wide_vehicle_or_a_shallow_dip_stays_one_blob() -> None:
    split = ValleySplit(max_ratio=0.5, tall=1.2)
    assert split.boxes(_walkers([5]), 0, 0) is None
    car = np.zeros((12, 40), np.uint8)
    car[2:10, 2:16] = car[2:10, 18:34] = 255  # two wide halves (a cab and a trailer)
    car[5:7, 16:18] = 255
    assert split.boxes(car, 0, 0) is None, "pieces wider than tall are no walkers"
    assert split.boxes(_walkers([5, 13], bridge=14), 0, 0) is None, "the dip is too shallow"
