"""Motion detection from a panning camera: finds slow small movers, stays quiet otherwise."""

from __future__ import annotations

import cv2
import numpy as np

from dronewatch.analysis.blobs import GhostEdges
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.motion_detector import MOTION_CONFIDENCE, blob_stats, percentiles
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.frames import FramePacket
from tests.core.test_analysis_scenes import FPS, H, Mover, Scene, ThermalScene, W, iou


def _run(scene: Scene, n: int) -> list:
    analyzer = FeedAnalyzer(scene.info, AnalysisConfig())
    return [analyzer.process(scene.packet(i)) for i in range(n)]


def test_finds_slow_small_mover_while_panning() -> None:
    walker = Mover(x=250, y=120, vx=0.6, vy=0.25, size=6, value=215)
    scene = Scene(movers=[walker])
    results = _run(scene, 90)
    found = 0
    for i, r in enumerate(results[30:], start=30):
        truth = scene.box_in_image(walker, i)
        if any(iou(tuple(b), truth) >= 0.3 for b in r.detections.xyxy):
            found += 1
    assert found >= 0.8 * 60, f"found the walker in {found} of 60 frames"
    tracked = [
        r
        for r in results[45:]
        if any(iou(t.xyxy, scene.box_in_image(walker, r.index)) >= 0.3 for t in r.confirmed_tracks)
    ]
    assert len(tracked) >= 0.8 * 45


def test_static_scene_pan_is_quiet() -> None:
    results = _run(Scene(cam_vx=2.0, cam_vy=-0.7), 80)
    false_boxes = sum(len(r.detections) for r in results[15:])
    assert false_boxes <= 3, f"{false_boxes} detections on an empty scene"
    assert all(not r.confirmed_tracks for r in results)


def test_brightness_jump_does_not_flood() -> None:
    walker = Mover(x=250, y=120, vx=0.8, vy=0.0, size=6, value=230)
    results = _run(Scene(movers=[walker], gain_jump_at=40), 80)
    after = [len(r.detections) for r in results[40:50]]
    # The walker plus at most a few fragments; a flood would be hundreds of boxes.
    assert max(after) <= 5, f"detections per frame after the jump: {after}"
    assert sum(len(r.confirmed_tracks) for r in results[40:80]) <= 40  # at most the walker


def test_camera_motion_reported_in_full_frame_pixels() -> None:
    scene = Scene(cam_vx=2.0, cam_vy=0.0)
    results = _run(scene, 5)
    assert np.allclose(results[0].camera_motion, np.eye(3))
    # The world moves left by 2 px/frame in the image.
    assert results[4].camera_motion[0, 2] == np.float64(results[4].camera_motion[0, 2])
    assert abs(results[4].camera_motion[0, 2] + 2.0) < 0.2


def _rainy(scene: Scene, i: int, streaks: int = 25) -> FramePacket:
    """The scene's frame with fresh rain streaks: thin bright lines, new every frame."""
    rng = np.random.default_rng(500 + i)
    lines = np.zeros((H, W), np.uint8)
    for _ in range(streaks):
        x, y = int(rng.integers(5, W - 5)), int(rng.integers(5, H - 20))
        cv2.line(lines, (x, y), (x + int(rng.integers(-2, 3)), y + 14), 100, 1)
    img = cv2.add(scene.frame(i), cv2.merge([lines, lines, lines]))  # translucent and bright
    return FramePacket(i, i / FPS, img)


def _streak_boxes_and_walker_hits(config: AnalysisConfig) -> tuple[int, int]:
    walker = Mover(x=250, y=120, vx=0.6, vy=0.25, size=6, value=215)
    scene = Scene(movers=[walker])
    analyzer = FeedAnalyzer(scene.info, config)
    streak_boxes = found = 0
    for i in range(90):
        result = analyzer.process(_rainy(scene, i))
        if i < 30:
            continue
        truth = scene.box_in_image(walker, i)
        boxes = [tuple(b) for b in result.detections.xyxy]
        found += any(iou(b, truth) >= 0.3 for b in boxes)
        # A whole streak is 15 px long; the texture breaks some into short pieces.
        streak_boxes += sum(iou(b, truth) == 0 and b[3] - b[1] >= 10 for b in boxes)
    return streak_boxes, found


def test_rain_streaks_are_not_movers_but_the_walker_is() -> None:
    # The streak rule on the motion boxes alone (the window refiner drops streaks too).
    motion_only = AnalysisConfig().with_overrides({"detector.refine_windows": False})
    kept, found = _streak_boxes_and_walker_hits(motion_only)
    off = motion_only.with_overrides({"detector.streak_width": 0})
    without_rule, found_without = _streak_boxes_and_walker_hits(off)
    assert found >= 0.8 * 60, f"found the walker in {found} of 60 frames"
    assert found >= found_without - 2, "the rule must not cost the walker"
    # 25 streaks a frame: without the rule hundreds of whole streaks are boxes; the few
    # kept lie beside another blob (a piece of themselves or of another streak).
    assert without_rule > 300, f"only {without_rule} streak boxes without the rule"
    assert kept <= 0.15 * without_rule, f"{kept} of {without_rule} streak boxes kept"


def test_detector_masks_show_the_mover_where_it_is_in_the_frame() -> None:
    """The diagnostic images (benchmarks/loss_stages.py) mark the walker's pixels once
    warped by their key_to_cur; there are none on the first frame."""
    walker = Mover(x=250, y=120, vx=0.8, vy=0.3, size=6, value=230)
    scene = Scene(movers=[walker], cam_vx=1.5)
    analyzer = FeedAnalyzer(scene.info, AnalysisConfig())
    analyzer.process(scene.packet(0))
    assert analyzer.detector_masks is None  # the backgrounds start from this frame
    for i in range(1, 40):
        analyzer.process(scene.packet(i))
    masks = analyzer.detector_masks
    assert masks is not None and masks.threshold > 0
    h, w = masks.foreground.shape
    seen = cv2.warpPerspective(masks.seeds, masks.key_to_cur, (w, h), flags=cv2.INTER_NEAREST)
    x0, y0, x1, y1 = (round(v) for v in scene.box_in_image(walker, 39))
    inside = cv2.countNonZero(seen[max(y0, 0) : y1, max(x0, 0) : x1])
    near = cv2.countNonZero(seen[max(y0 - 6, 0) : y1 + 6, max(x0 - 6, 0) : x1 + 6])
    assert inside >= 0.5 * walker.size**2
    assert near >= 0.8 * cv2.countNonZero(seen)  # in current-frame coordinates


def _signal_at(analyzer: FeedAnalyzer, box: tuple[float, ...]) -> float:
    """The detector's difference from its backgrounds inside ``box`` (image pixels)."""
    masks = analyzer.detector_masks
    assert masks is not None
    diff = cv2.warpPerspective(masks.difference, masks.key_to_cur, (W, H))
    x0, y0, x1, y1 = (round(v) for v in box)
    return float(diff[y0:y1, x0:x1].max())


def test_target_keeps_its_contrast_over_a_long_pan() -> None:
    # Brightness normalisation once mapped each frame onto the background, which then
    # learnt the mapped frames: its contrast, and every target's difference with it,
    # shrank by a fifth over 12 s of panning with no exposure change at all.
    walker = Mover(x=150, y=120, vx=1.4, vy=0.3, size=6, value=215)
    scene = Scene(cam_vx=1.0, cam_vy=0.3, movers=[walker])
    bare = Scene(cam_vx=1.0, cam_vy=0.3)
    analyzer = FeedAnalyzer(scene.info, AnalysisConfig())
    early, late = [], []
    for i in range(300):
        analyzer.process(scene.packet(i))
        if 30 <= i < 60 or i >= 270:
            box = scene.box_in_image(walker, i)
            x0, y0, x1, y1 = (round(v) for v in box)
            ground = cv2.cvtColor(bare.frame(i), cv2.COLOR_BGR2GRAY)[y0:y1, x0:x1]
            share = _signal_at(analyzer, box) / (215 - float(ground.mean()))
            (early if i < 60 else late).append(share)
    assert np.median(late) >= 0.9 * np.median(early), f"{np.median(early)} -> {np.median(late)}"


def test_faint_walker_in_haze_is_found() -> None:
    # Haze dims targets and ground texture alike; the threshold follows the scene's
    # contrast down, so a walker 20 grey levels above hazy ground is seen in most
    # frames (a fixed threshold of 15 found it in 24 of 60; the misregistration
    # window takes about half the ground's local range off its difference).
    scene = Scene()
    scene.texture = cv2.convertScaleAbs(scene.texture, alpha=0.3, beta=140)
    ground = float(np.median(scene.texture))
    walker = Mover(x=250, y=120, vx=1.2, vy=0.4, size=6, value=int(ground) + 20)
    scene.movers.append(walker)
    results = _run(scene, 90)
    found = sum(
        any(iou(tuple(b), scene.box_in_image(walker, i)) >= 0.3 for b in r.detections.xyxy)
        for i, r in enumerate(results[30:], start=30)
    )
    assert found >= 0.7 * 60, f"found the walker in {found} of 60 frames"


def _ghost_and_walker_frames(
    scene: Scene, walker: Mover, setting: str, value: float, start: int
) -> tuple[int, int]:
    """``walker`` stands for 4 s (long enough to be learnt) and walks off. From frame
    ``start`` on: frames with a motion box on the spot where it stood (and not on
    it), and frames with one on the walker. ``setting``: a detector setting to
    change."""
    # The motion boxes alone: the window refiner would drop most ghosts on its own.
    config = AnalysisConfig().with_overrides(
        {
            f"detector.{setting}": value,
            "detector.refine_windows": False,
            "detector.refine_windows_thermal": False,
        }
    )
    analyzer = FeedAnalyzer(scene.info, config)
    x, y = walker.at(0)
    ghost = found = 0
    for i in range(200):
        r = analyzer.process(scene.packet(i))
        if i < start:
            continue
        ox, oy = 40 + scene.cam_vx * i, 40 + scene.cam_vy * i
        spot = (x - ox, y - oy, x + walker.size - ox, y + walker.size - oy)
        truth = scene.box_in_image(walker, i)
        motion = r.detections.xyxy[r.detections.confidence >= MOTION_CONFIDENCE]
        ghost += any(iou(tuple(b), spot) >= 0.3 and iou(tuple(b), truth) < 0.1 for b in motion)
        found += any(iou(tuple(b), truth) >= 0.3 for b in motion)
    return ghost, found


def _thermal_ghost(min_warm_share: float) -> tuple[int, int]:
    walker = Mover(x=250, y=120, vx=0.7, vy=0.3, size=6, value=200, stop=(0, 100))
    scene = ThermalScene(movers=[walker])
    return _ghost_and_walker_frames(scene, walker, "thermal_min_warm_share", min_warm_share, 110)


def test_thermal_ghost_of_a_walker_that_left_is_not_reported() -> None:
    # Where the warm walker stood, the background is warmer than the ground it now
    # sees: a cold blob with nothing warm in it, in 28 of 90 frames without the rule.
    ghost_before, found_before = _thermal_ghost(0.0)
    ghost, found = _thermal_ghost(AnalysisConfig().detector.thermal_min_warm_share)
    assert ghost_before >= 10, "the scene no longer leaves a ghost: the test proves nothing"
    assert ghost == 0
    assert found >= found_before >= 0.6 * 90


def _daylight_ghost(ghost_edge_ratio: float) -> tuple[int, int]:
    walker = Mover(x=250, y=120, vx=2.0, vy=0.5, size=6, value=200, stop=(0, 100))
    scene = Scene(movers=[walker])
    scene.texture = cv2.GaussianBlur(scene.texture, (0, 0), 5)  # smooth ground
    return _ghost_and_walker_frames(scene, walker, "ghost_edge_ratio", ghost_edge_ratio, 102)


def test_ghost_of_a_walker_that_left_smooth_ground_is_not_reported() -> None:
    # The background still holds the walker: its outline is an edge there, while the
    # frame shows smooth ground. Measured: 35 of 98 frames without the rule, 0 with.
    ghost_before, found_before = _daylight_ghost(0.0)
    ghost, found = _daylight_ghost(AnalysisConfig().detector.ghost_edge_ratio)
    assert ghost_before >= 15, "the scene no longer leaves a ghost: the test proves nothing"
    assert ghost <= 6
    assert found >= found_before >= 0.8 * 98


def _edges(img: np.ndarray) -> np.ndarray:
    return cv2.morphologyEx(img, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))


def test_a_target_half_learnt_by_the_background_is_no_ghost() -> None:
    rng = np.random.default_rng(3)
    ground = cv2.GaussianBlur(rng.integers(90, 130, (40, 40)).astype(np.uint8), (0, 0), 2)
    walker = ground.copy()
    walker[15:22, 17:20] = 210
    faded = cv2.addWeighted(ground, 0.5, walker, 0.5, 0)  # learnt half-way
    contour = np.array([[[17, 15]], [[19, 15]], [[19, 21]], [[17, 21]]], np.int32)
    cfg = AnalysisConfig().detector
    for ratio in (cfg.ghost_edge_ratio, cfg.ghost_edge_ratio_thermal):
        faded_edges = _edges(faded)
        assert not GhostEdges(_edges(walker), faded_edges, ratio).is_ghost(contour, 17, 15, 3, 7)
        # The same outline where the walker has left and the background still holds it.
        assert GhostEdges(_edges(ground), _edges(walker), ratio).is_ghost(contour, 17, 15, 3, 7)


def test_percentiles_match_numpy() -> None:
    rng = np.random.default_rng(0)
    for n in (16, 17, 101, 3601):
        values = rng.integers(0, 256, n).astype(np.uint8)
        got = percentiles(values, (10.0, 75.0, 90.0, 95.0))
        assert np.allclose(got, np.percentile(values, (10, 75, 90, 95)))


def test_blob_stats_match_opencv_labels_on_a_crowded_mask() -> None:
    """16-bit labels where they cannot overflow: the same blobs as 32-bit ones, even
    when every other pixel of every other row is a blob of its own (57,600 blobs)."""
    rng = np.random.default_rng(1)
    dots = np.zeros((360, 640), np.uint8)
    dots[::2, ::2] = 255
    for mask in ((rng.random((360, 640)) < 0.3).astype(np.uint8) * 255, dots):
        _, _, expected, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        np.testing.assert_array_equal(blob_stats(mask), expected[1:])
    assert len(blob_stats(dots)) == 180 * 320
