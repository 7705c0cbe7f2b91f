"""A walker's cast shadow is cut off its box: the part at the feed's shadow ratio, to
one side."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.shadow_cut import SHADOW_ALONE, ShadowCut
from dronewatch.evaluation import load_single_target_gt
from dronewatch.frames import FramePacket, VideoInfo
from tests.clips import REALDATA
from tests.core.test_analysis_scenes import iou


def _cutter() -> ShadowCut:
    return ShadowCut.from_config(AnalysisConfig().detector)


def _walker_and_shadow(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 24x12 blob: a walker (varied clothing) on the left, its shadow on the right."""
    rng = np.random.default_rng(seed)
    ref = rng.integers(140, 170, (12, 24)).astype(np.uint8)
    cur = ref.copy()
    cur[:, :9] = rng.integers(20, 230, (12, 9))  # the walker: any colour
    cur[3:10, 9:] = (ref[3:10, 9:] * 0.3).astype(np.uint8)  # the shadow: 0.3 of the ground
    own = np.zeros(ref.shape, np.uint8)
    own[:, :9] = 255
    own[3:10, 9:] = 255
    return own, cur, ref


def test_shadow_beside_a_walker_is_cut_once_the_feed_agrees_on_its_ratio() -> None:
    cut = _cutter()
    boxes = [cut.box(*_walker_and_shadow(seed), min_area=4) for seed in range(30)]
    assert boxes[0] is None, "no cut before the feed's blobs agree on a shadow ratio"
    assert cut.ratio is not None and abs(cut.ratio - 0.3) < 0.05
    x, _, w, _ = boxes[-1]
    assert x == 0 and x + w <= 10, f"the box keeps the walker only: {boxes[-1]}"


def test_dark_all_round_or_at_another_ratio_is_no_shadow() -> None:
    cut = _cutter()
    for seed in range(30):
        cut.box(*_walker_and_shadow(seed), min_area=4)
    # A dark car with a pale roof in its middle: the dark part surrounds the rest.
    rng = np.random.default_rng(99)
    ref = rng.integers(140, 170, (12, 24)).astype(np.uint8)
    cur = (ref * 0.3).astype(np.uint8)
    cur[4:8, 8:16] = 230
    own = np.full(ref.shape, 255, np.uint8)
    assert cut.box(own, cur, ref, min_area=4) is None
    # A walker with a dark part at 0.5 of the ground: not the feed's shadow ratio.
    own, cur, ref = _walker_and_shadow(100)
    cur[3:10, 9:] = (ref[3:10, 9:] * 0.5).astype(np.uint8)
    assert cut.box(own, cur, ref, min_area=4) is None


def _flat_blob(h: int, w: int, ratio: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An h x w blob darkening textured ground to ``ratio`` of it."""
    ref = np.random.default_rng(7).integers(140, 170, (h, w)).astype(np.uint8)
    cur = (ref * ratio).astype(np.uint8)
    return np.full((h, w), 255, np.uint8), cur, ref


def test_a_small_blob_that_is_only_shadow_is_dropped() -> None:
    cut = _cutter()
    assert cut.box(*_flat_blob(3, 8, 0.3), min_area=4) is None, "no ratio agreed yet"
    for seed in range(30):
        cut.box(*_walker_and_shadow(seed), min_area=4)
    assert cut.box(*_flat_blob(3, 8, 0.3), min_area=4) == SHADOW_ALONE
    assert cut.box(*_flat_blob(3, 8, 0.45), min_area=4) == SHADOW_ALONE, "a soft tip"
    # Not a shadow: much darker than the feed's shadows (a walker in black) ...
    assert cut.box(*_flat_blob(3, 8, 0.1), min_area=4) != SHADOW_ALONE
    # ... a pixel brighter than the ground (a walker beside the shadow) ...
    own, cur, ref = _flat_blob(3, 8, 0.3)
    cur[1, 0] = 250
    assert cut.box(own, cur, ref, min_area=4) != SHADOW_ALONE
    # ... or as large as a car.
    assert cut.box(*_flat_blob(6, 12, 0.3), min_area=4) != SHADOW_ALONE


def test_dropping_lone_shadows_can_be_turned_off() -> None:
    config = AnalysisConfig().with_overrides({"detector.shadow_alone_max_area": 0})
    cut = ShadowCut.from_config(config.detector)
    for seed in range(30):
        cut.box(*_walker_and_shadow(seed), min_area=4)
    assert cut.box(*_flat_blob(3, 8, 0.3), min_area=4) is None


PERSON12 = REALDATA / "uav123-person12_1"


def _walker_detected(shadow_cut: bool) -> float:
    """Share of frames with a detection on the walker at IoU 0.5 (UAV123 person12_1:
    a low drone over a sunny plaza; her shadow is as large as she is)."""
    cap = cv2.VideoCapture(str(PERSON12 / "person12_1_derived_10fps.mp4"))
    truth = load_single_target_gt(PERSON12 / "groundtruth_rect.txt")
    info = VideoInfo(fps=10.0, width=int(cap.get(3)), height=int(cap.get(4)), frame_count=None)
    config = AnalysisConfig().with_overrides({"detector.shadow_cut": shadow_cut})
    analyzer = FeedAnalyzer(info, config)
    hits = frames = 0
    for i in range(len(truth)):
        ok, frame = cap.read()
        if not ok:
            break
        result = analyzer.process(FramePacket(i, i / 10.0, frame))
        x, y, w, h = truth[i]
        if not (np.isfinite(x) and w > 0 and h > 0):
            continue
        frames += 1
        gt = (x, y, x + w, y + h)
        hits += any(iou(tuple(b), gt) >= 0.5 for b in result.detections.xyxy)
    cap.release()
    return hits / max(frames, 1)


@pytest.mark.realdata
@pytest.mark.skipif(not PERSON12.exists(), reason=f"{PERSON12} absent (shared real data not here)")
def test_a_walkers_box_on_real_footage_leaves_out_her_shadow() -> None:
    # Measured: 0.18 of the frames without the cut, 0.34 with it.
    without, with_cut = _walker_detected(shadow_cut=False), _walker_detected(shadow_cut=True)
    assert with_cut >= 0.28
    assert with_cut >= without + 0.1
