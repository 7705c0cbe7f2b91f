"""Small targets on an empty sky keep their faint rims (dronewatch.analysis.faint_edges)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from dronewatch.analysis.blobs import PeakSplit
from dronewatch.analysis.candidates import Candidates
from dronewatch.analysis.config import AnalysisConfig, MotionDetectorConfig
from dronewatch.analysis.faint_edges import FaintEdges
from dronewatch.analysis.pipeline import FeedAnalyzer, _merge_model
from dronewatch.analysis.types import Detections
from dronewatch.analysis.window_refiner import BoxRefiner, Refined, RefinerInputs, looked_at
from dronewatch.evaluation import load_frame_csv_gt
from dronewatch.frames import FramePacket, VideoInfo
from tests.clips import REALDATA

W, H = 320, 180
SKY = 120
CORE = (140, 80, 160, 88)  # x1, y1, x2, y2 of the bright airframe
GLOW = 5  # px of faint glow around it


def _grower(
    cur: np.ndarray,
    ref: np.ndarray,
    foreground: np.ndarray | None = None,
    *,
    warm_only: bool = False,
    valid: np.ndarray | None = None,
) -> FaintEdges:
    if foreground is None:
        foreground = np.zeros(cur.shape, np.uint8)
        x1, y1, x2, y2 = CORE
        foreground[y1:y2, x1:x2] = 255
    texture = cv2.morphologyEx(ref, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    valid = np.full(cur.shape, 255, np.uint8) if valid is None else valid
    return FaintEdges.of(
        MotionDetectorConfig(), cur, ref, texture, valid, foreground, warm_only=warm_only
    )


def _drone(ground: np.ndarray, glow: int = GLOW, glow_level: int = 7) -> np.ndarray:
    img = ground.copy()
    x1, y1, x2, y2 = CORE
    rim = (slice(y1 - glow, y2 + glow), slice(x1 - glow, x2 + glow))
    img[rim] = np.clip(img[rim].astype(int) + glow_level, 0, 255).astype(np.uint8)
    img[y1:y2, x1:x2] = 250
    return img


def _grow(grower: FaintEdges) -> tuple[list[float], bool]:
    out, grown, _ = grower.grow(np.array([CORE], np.float32))
    return out[0].tolist(), bool(grown[0])


def test_a_small_target_on_an_empty_sky_takes_in_its_faint_glow() -> None:
    sky = np.full((H, W), SKY, np.uint8)
    box, grown = _grow(_grower(_drone(sky), sky))
    x1, y1, x2, y2 = CORE
    assert grown and box == [x1 - GLOW, y1 - GLOW, x2 + GLOW, y2 + GLOW]


def test_on_textured_ground_the_box_stays_as_it_was() -> None:
    """Ground with texture: faint differences there are not to be trusted."""
    rng = np.random.default_rng(0)
    ground = (SKY + rng.integers(-12, 13, (H, W))).astype(np.uint8)
    box, grown = _grow(_grower(_drone(ground), ground))
    assert not grown and box == list(CORE)


def test_where_the_ground_changes_around_it_the_box_stays() -> None:
    """An empty background, but the frame differs from it all around (noise, a
    shimmer): the rim cannot be told from the rest."""
    sky = np.full((H, W), SKY, np.uint8)
    noisy = np.clip(sky + np.random.default_rng(1).normal(0, 4, (H, W)), 0, 255).astype(np.uint8)
    _, grown = _grow(_grower(_drone(noisy), sky))
    assert not grown


def test_a_blur_fringe_is_not_a_rim() -> None:
    """Every target has a pixel or two of optical blur, which the threshold cuts alike
    everywhere; only a rim that reaches further is taken."""
    sky = np.full((H, W), SKY, np.uint8)
    _, grown = _grow(_grower(_drone(sky, glow=2), sky))
    assert not grown


def test_a_box_on_an_empty_sky_is_reported_as_such_whether_it_grows_or_not() -> None:
    """The window refiner keeps such boxes as drawn (``refiner_keep_empty_ground``):
    its model learnt targets on textured ground."""
    sky = np.full((H, W), SKY, np.uint8)
    rng = np.random.default_rng(0)
    ground = (SKY + rng.integers(-12, 13, (H, W))).astype(np.uint8)
    core = np.array([CORE], np.float32)
    for img, ref, grows, empty in [
        (_drone(sky), sky, True, True),
        (_drone(sky, glow=2), sky, False, True),  # a blur fringe only
        (_drone(ground), ground, False, False),
    ]:
        _, grown, on_empty = _grower(img, ref).grow(core)
        assert (bool(grown[0]), bool(on_empty[0])) == (grows, empty)


def test_two_targets_whose_glows_meet_keep_their_own_boxes() -> None:
    sky = np.full((H, W), SKY, np.uint8)
    img = _drone(sky)
    x1, y1, x2, y2 = CORE
    img[y1 - GLOW : y2 + GLOW, x2 + GLOW : x2 + 30] = SKY + 7  # the other's glow
    img[y1:y2, x2 + 8 : x2 + 22] = 250  # the other airframe, a blob of its own
    fg = np.zeros((H, W), np.uint8)
    fg[y1:y2, x1:x2] = 255
    fg[y1:y2, x2 + 8 : x2 + 22] = 255
    box, grown = _grow(_grower(img, sky, fg))
    assert not grown and box == list(CORE)


def test_a_thin_part_inside_the_rim_does_not_stop_it() -> None:
    """A drone's arm or rotor that came out as a blob of its own lies inside the rim."""
    sky = np.full((H, W), SKY, np.uint8)
    img = _drone(sky)
    x1, y1, x2, y2 = CORE
    fg = np.zeros((H, W), np.uint8)
    fg[y1:y2, x1:x2] = 255
    fg[y1 - 3 : y1 - 1, x1 - 3 : x1] = 255  # a rotor, parted from the body in the mask
    _, grown = _grow(_grower(img, sky, fg))
    assert grown


def test_thermal_takes_a_warm_glow_but_not_a_cold_trail() -> None:
    """On thermal feeds only what is warmer than the background is the target's: the
    trail a slow warm target leaves where the background learnt some of it is colder."""
    sky = np.full((H, W), SKY, np.uint8)
    assert _grow(_grower(_drone(sky), sky, warm_only=True))[1]
    cold = _drone(sky, glow_level=-7)
    assert not _grow(_grower(cold, sky, warm_only=True))[1]
    assert _grow(_grower(cold, sky, warm_only=False))[1]


def test_a_faint_patch_apart_from_the_target_is_not_its_rim() -> None:
    sky = np.full((H, W), SKY, np.uint8)
    img = _drone(sky, glow=0)
    x1, y1 = CORE[:2]
    img[y1 - 4 : y1 - 2, x1 + 2 : x1 + 8] = SKY + 7  # a wisp of cloud above, not touching
    box, grown = _grow(_grower(img, sky))
    assert not grown and box == list(CORE)


def test_a_rim_on_ground_the_backgrounds_have_not_seen_is_not_taken() -> None:
    """A camera that turned: part of the rim lies where the backgrounds hold nothing yet.
    Unseen ground further out (the view's border) does not stop it."""
    sky = np.full((H, W), SKY, np.uint8)
    x1 = CORE[0]
    valid = np.full((H, W), 255, np.uint8)
    valid[:, : x1 - 2] = 0
    assert not _grow(_grower(_drone(sky), sky, valid=valid))[1]
    valid = np.full((H, W), 255, np.uint8)
    valid[:, : x1 - 12] = 0  # beyond the reach (a margin of 10 px)
    assert _grow(_grower(_drone(sky), sky, valid=valid))[1]


@pytest.mark.parametrize(
    "box", [(10, 10, 10, 20), (-3, -3, 4, 4), (W - 3, H - 3, W + 2, H + 2), (0, 0, 1, 1)]
)
def test_degenerate_and_border_boxes_are_left_alone(box: tuple[int, int, int, int]) -> None:
    sky = np.full((H, W), SKY, np.uint8)
    out, grown, _ = _grower(_drone(sky), sky).grow(np.array([box], np.float32))
    assert out[0].tolist() == list(box) and not grown[0]


def _two_hills(dip: float) -> tuple[np.ndarray, np.ndarray]:
    """A blob of two warm hills 8 px apart whose signal dips to ``dip`` of their height
    between them (a drone's two rotors, or two walkers side by side)."""
    signal = np.zeros((H, W), np.float32)
    x1, y1, x2, y2 = CORE
    signal[y1:y2, x1:x2] = 100 * dip
    signal[y1:y2, x1 : x1 + 5] = 100
    signal[y1:y2, x2 - 5 : x2] = 100
    mask = np.zeros((y2 - y1, x2 - x1), np.uint8)
    mask[:] = 255
    return signal, mask


@pytest.mark.parametrize(("dip", "cut_on_sky"), [(0.85, False), (0.5, True)])
def test_on_an_empty_sky_only_deep_dips_cut_a_blob(dip: float, cut_on_sky: bool) -> None:
    """Thermal feeds cut blobs at their peaks of heat (dips under 0.9 of the lower
    peak); on an empty sky only under ``split_saddle_empty`` (0.8): a drone's warm
    rotors part at 0.83-0.89, walkers side by side at about 0.4."""
    cfg = MotionDetectorConfig()
    signal, mask = _two_hills(dip)
    sky = np.full((H, W), SKY, np.uint8)
    rng = np.random.default_rng(0)
    ground = (SKY + rng.integers(-12, 13, (H, W))).astype(np.uint8)
    x1, y1 = CORE[:2]

    def pieces(ref: np.ndarray) -> int:
        split = PeakSplit(
            signal,
            20.0,
            cfg.split_saddle,
            cfg.split_min_distance,
            cfg.split_min_area,
            cfg.split_max_area,
            _grower(_drone(ref), ref, warm_only=True),
            cfg.split_saddle_empty,
        )
        return len(split.boxes(mask, x1, y1) or [None])

    assert pieces(ground) == 2  # textured ground: cut at 0.9
    assert pieces(sky) == (2 if cut_on_sky else 1)


def test_a_model_box_does_not_replace_a_drone_boxed_to_its_rim() -> None:
    """Model boxes replace the motion boxes under them (better extents), but a box
    grown to its faint rim on an empty sky is the whole target; a ground-level model
    that boxes only a drone's hot core would shrink it. Elsewhere the model wins."""
    drone = (100.0, 50.0, 130.0, 65.0)  # grown to its rim
    walker = (200.0, 100.0, 206.0, 114.0)
    offered = Candidates.of(np.array([drone, walker]), on_empty=np.array([True, False]))
    model = Detections(
        np.array([[108, 54, 122, 61], [199, 98, 208, 116]], np.float32),
        np.array([0.5, 0.8], np.float32),
        np.array([1, 2], np.int16),
    )
    merged = _merge_model(offered, model, scale=1.0)
    assert merged.xyxy.tolist() == [list(drone), [199.0, 98.0, 208.0, 116.0]]
    assert merged.class_id.tolist() == [0, 2]


def _flying_drone_frames(
    n: int, arms: bool = True
) -> tuple[list[np.ndarray], list[tuple[int, int, int, int]]]:
    """A dark drone with faint thin arms (or none) crossing an empty sky above wooded
    hills (in colour, so not taken for thermal), and the boxes of its whole extent."""
    frames, truth = [], []
    rng = np.random.default_rng(3)
    hills = rng.integers(40, 140, (H // 3 // 4, W // 4, 3)).astype(np.uint8)
    hills = cv2.resize(hills, (W, H // 3), interpolation=cv2.INTER_CUBIC)
    for i in range(n):
        sky = np.zeros((H, W, 3), np.uint8)
        sky[:] = (200, 190, 170)  # a pale blue-grey sky
        sky[H - H // 3 :] = hills
        x, y = 60 + 2 * i, 70 + round(0.3 * i)
        body = (x + 8, y + 3, x + 20, y + 9)
        if arms:
            sky[y + 5 : y + 7, x : x + 28] = (188, 178, 158)  # faint, 12 levels darker
        sky[body[1] : body[3], body[0] : body[2]] = (60, 60, 60)
        noise = rng.normal(0, 0.6, sky.shape)
        frames.append(np.clip(sky + noise, 0, 255).astype(np.uint8))
        truth.append((x, y + 3, x + 28, y + 9) if arms else body)
    return frames, truth


def _track_ious(
    config: AnalysisConfig, arms: bool = True, refiner: BoxRefiner | None = None
) -> list[float]:
    frames, truth = _flying_drone_frames(60, arms)
    analyzer = FeedAnalyzer(VideoInfo(fps=25.0, width=W, height=H, frame_count=None), config)
    if refiner is not None:
        analyzer._detector.refiner = refiner  # a stand-in for the model (see below)
    ious = []
    for i, (img, gt) in enumerate(zip(frames, truth, strict=True)):
        result = analyzer.process(FramePacket(i, i / 25.0, img))
        if i >= 30:
            ious.append(max((_iou(t.xyxy, gt) for t in result.confirmed_tracks), default=0.0))
    return ious


def test_a_drone_on_an_empty_sky_is_boxed_arms_and_all() -> None:
    """The arms differ from the sky by 12 levels, under the detector's threshold; the
    box takes them in (and without the rule it is the body's alone)."""
    ious = _track_ious(AnalysisConfig())
    assert min(ious) >= 0.7, f"IoU with the whole drone {min(ious):.2f}"
    cfg = AnalysisConfig()
    off = replace(cfg, detector=replace(cfg.detector, faint_edge_max_px=0))
    assert max(_track_ious(off)) < 0.5


class _Narrowing:
    """A refiner that redraws every box it looks at half as wide about its centre,
    as the bundled model (trained on walkers on textured ground) draws a drone in
    the sky."""

    def refine(self, images: RefinerInputs, boxes: np.ndarray, keep: np.ndarray) -> Refined:
        look = looked_at(boxes, keep, 32.0)
        out = boxes.copy()
        quarter = (out[look, 2] - out[look, 0]) / 4
        out[look, 0] += quarter
        out[look, 2] -= quarter
        return Refined(
            out, np.arange(len(boxes)), np.zeros(0, np.intp), np.zeros(len(out), np.float32)
        )


def test_the_refiner_keeps_a_box_on_an_empty_sky_as_drawn() -> None:
    """A drone body with no faint rim: its box does not grow, but it lies on empty
    ground, where the model's learnt targets are not to be expected. (The box takes a
    pixel of blur on each side of the 12 x 6 body: IoU 0.66-0.70 as drawn.)"""
    ious = _track_ious(AnalysisConfig(), arms=False, refiner=_Narrowing())
    assert min(ious) >= 0.63, f"IoU with the drone {min(ious):.2f}"
    cfg = AnalysisConfig()
    off = replace(cfg, detector=replace(cfg.detector, refiner_keep_empty_ground=False))
    assert max(_track_ious(off, arms=False, refiner=_Narrowing())) < 0.6


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


COUNTER_DRONE = REALDATA / "counter-drone"


@pytest.mark.realdata
@pytest.mark.skipif(
    not COUNTER_DRONE.exists(), reason=f"{COUNTER_DRONE} absent (shared real data not here)"
)
@pytest.mark.parametrize(("clip", "floor"), [("IR_DRONE_001", 0.6), ("V_DRONE_001", 0.6)])
def test_a_real_drone_against_the_sky_is_boxed_as_annotated(clip: str, floor: float) -> None:
    """Ground-to-air clips: the annotators' boxes take in the drone's faint glow (IR)
    and thin arms (visible). Hit rate at IoU 0.5 over the clip, from the confirmed
    tracks: IR 0.000 and visible 0.571 before the rule (MOG2 + ByteTrack: 0.591 and
    0.585 in benchmarks/realdata_accuracy.py)."""
    cap = cv2.VideoCapture(str(COUNTER_DRONE / f"{clip}.mp4"))
    truth = load_frame_csv_gt(COUNTER_DRONE / f"{clip}_gt.csv")
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    analyzer: FeedAnalyzer | None = None
    hits = frames = i = 0
    while True:
        ok, img = cap.read()
        if not ok:
            break
        if analyzer is None:
            h, w = img.shape[:2]
            analyzer = FeedAnalyzer(VideoInfo(fps=fps, width=w, height=h, frame_count=None))
        result = analyzer.process(FramePacket(i, i / fps, img))
        if i < len(truth) and not np.isnan(truth[i]).any():
            x, y, bw, bh = truth[i]
            frames += 1
            gt = (x, y, x + bw, y + bh)
            hits += any(_iou(t.xyxy, gt) >= 0.5 for t in result.confirmed_tracks)
        i += 1
    cap.release()
    assert frames > 200 and hits >= floor * frames, f"hit@0.5 {hits / frames:.3f}"


def test_the_first_test_passes_small_boxes_on_empty_ground_only() -> None:
    """``_flat_windows``, the cheap test every box meets before its rim is looked for:
    a box of at most ``faint_edge_max_px`` whose ring from one to two margins out is
    mostly empty ground passes, with its window and reach clipped to the image."""
    rng = np.random.default_rng(3)
    ground = np.full((H, W), SKY, np.uint8)
    ground[:, W // 2 :] = rng.integers(0, 255, (H, W - W // 2))
    grower = _grower(ground, ground)
    # Longer side 10: a margin of 5 px.
    assert grower._flat_windows(40, 60, 50, 70) == ((30, 50, 60, 80), (35, 55, 55, 75))
    assert grower._flat_windows(0, 0, 6, 6) == ((0, 0, 12, 12), (0, 0, 9, 9))
    assert grower._flat_windows(250, 60, 260, 70) is None  # textured ground
    assert grower._flat_windows(20, 20, 90, 30) is None  # longer side 70 > 64
