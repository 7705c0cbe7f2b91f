"""FeedAnalyzer contract, the optional ONNX model, and an accuracy floor on a sim clip."""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.types import Detections, FrameAnalysis, TargetClass, TrackState
from dronewatch.errors import DroneWatchError
from dronewatch.evaluation import load_single_target_gt
from dronewatch.frames import FramePacket, VideoInfo
from tests.clips import REALDATA
from tests.core.test_analysis_scenes import Mover, Scene, iou

YOLOX = REALDATA / "yolox-nano-onnx" / "yolox_nano.onnx"


def test_contract_types_and_full_frame_coordinates() -> None:
    """A 2x downscaled analysis still reports full-frame boxes."""
    walker = Mover(x=250, y=120, vx=0.9, vy=0.3, size=6, value=225)
    scene = Scene(movers=[walker])
    big = VideoInfo(fps=scene.info.fps, width=640, height=360, frame_count=None)
    analyzer = FeedAnalyzer(big, AnalysisConfig(work_width=320))
    last: FrameAnalysis | None = None
    for i in range(60):
        img = cv2.resize(scene.frame(i), (640, 360), interpolation=cv2.INTER_LINEAR)
        last = analyzer.process(FramePacket(i, i / 25.0, img))
        assert isinstance(last, FrameAnalysis) and isinstance(last.detections, Detections)
        assert last.camera_motion.shape == (3, 3)
    assert last is not None and last.confirmed_tracks
    track = last.confirmed_tracks[0]
    assert isinstance(track, TrackState) and isinstance(track.target_class, TargetClass)
    x1, y1, x2, y2 = scene.box_in_image(walker, 59)
    cx, cy = (track.xyxy[0] + track.xyxy[2]) / 2, (track.xyxy[1] + track.xyxy[3]) / 2
    assert abs(cx - (x1 + x2)) < 4 and abs(cy - (y1 + y2)) < 4  # image doubled in size


def test_config_overrides_by_dotted_name() -> None:
    cfg = AnalysisConfig().with_overrides({"tracker.max_age_s": 3.0, "work_width": 480})
    assert cfg.tracker.max_age_s == 3.0 and cfg.work_width == 480
    with pytest.raises(KeyError):
        AnalysisConfig().with_overrides({"tracker.nope": 1})


@pytest.mark.parametrize(
    ("content", "match"),
    [(None, "not found"), (b"this is not an onnx model", "not a usable ONNX model")],
)
def test_bad_model_file_names_the_file(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "model.onnx"
    if content is not None:
        path.write_bytes(content)
    info = VideoInfo(fps=25.0, width=320, height=180, frame_count=None)
    with pytest.raises(DroneWatchError, match=match) as err:
        FeedAnalyzer(info, model_path=path)
    assert str(path) in str(err.value)


@pytest.mark.realdata
@pytest.mark.skipif(not YOLOX.exists(), reason=f"{YOLOX} absent (shared real data not here)")
def test_onnx_model_finds_people_on_pets09() -> None:
    from dronewatch.analysis.config import ModelConfig
    from dronewatch.analysis.onnx_detector import OnnxDetector

    clip = REALDATA / "pets09-s2l1" / "vtest_derived_h264.mp4"
    cap = cv2.VideoCapture(str(clip))
    ok, frame = cap.read()
    cap.release()
    assert ok
    found = OnnxDetector(YOLOX, ModelConfig()).detect(frame)
    people = found[found.class_id == 2]
    assert len(people) >= 3  # 6 pedestrians in the first frame
    assert np.all(people.xyxy[:, 2] <= frame.shape[1]) and np.all(people.confidence > 0)
    info = VideoInfo(fps=10.0, width=frame.shape[1], height=frame.shape[0], frame_count=None)
    result = FeedAnalyzer(info, model_path=YOLOX).process(FramePacket(0, 0.0, frame))
    assert np.count_nonzero(result.detections.class_id == 2) >= 3


BOAT = REALDATA / "uav123-boat1"


@pytest.mark.realdata
@pytest.mark.skipif(not YOLOX.exists(), reason=f"{YOLOX} absent (shared real data not here)")
def test_with_a_model_a_boat_it_does_not_know_is_still_tracked() -> None:
    """COCO's YOLOX-nano does not see this boat from above; its motion blob alone must
    start a track (after a second), not only keep one alive. IoU 0.3: the track is
    confirmed on a piece of the boat and, being confirmed, takes the boat's size over
    a few seconds (measured: 33 of 40 frames at 0.3, 26 at 0.5)."""
    cap = cv2.VideoCapture(str(BOAT / "boat1_derived_10fps.mp4"))
    truth = load_single_target_gt(BOAT / "groundtruth_rect.txt")
    info = VideoInfo(fps=10.0, width=1280, height=720, frame_count=None)
    analyzer = FeedAnalyzer(info, model_path=YOLOX)
    hits = 0
    for i in range(60):
        ok, frame = cap.read()
        assert ok
        result = analyzer.process(FramePacket(i, i / 10.0, frame))
        x, y, w, h = truth[i]
        gt = (x, y, x + w, y + h)
        if i >= 20 and any(_iou(t.xyxy, gt) >= 0.3 for t in result.confirmed_tracks):
            hits += 1
    cap.release()
    assert hits >= 0.8 * 40, f"the boat tracked in {hits} of 40 frames"


@pytest.mark.realdata
@pytest.mark.skipif(not BOAT.exists(), reason=f"{BOAT} absent (shared real data not here)")
def test_a_boat_is_followed_to_the_end_of_its_clip() -> None:
    """Motion alone. In the clip's last 6 s the boat slows over glinting water; with
    the noise term of the threshold at 2.5 x p95 it was lost there (a box at IoU 0.3
    in 23 of the last 60 frames), at 2.2 it is kept (60 of 60)."""
    cap = cv2.VideoCapture(str(BOAT / "boat1_derived_10fps.mp4"))
    truth = load_single_target_gt(BOAT / "groundtruth_rect.txt")
    info = VideoInfo(fps=10.0, width=1280, height=720, frame_count=None)
    analyzer = FeedAnalyzer(info)
    hits = frames = 0
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        result = analyzer.process(FramePacket(i, i / 10.0, frame))
        if i >= len(truth) - 60:
            x, y, w, h = truth[i]
            gt = (x, y, x + w, y + h)
            frames += 1
            hits += any(_iou(t.xyxy, gt) >= 0.3 for t in result.confirmed_tracks)
        i += 1
    cap.release()
    assert frames == 60 and hits >= 0.9 * frames, f"the boat tracked in {hits} of {frames} frames"


PETS = REALDATA / "pets09-s2l1"


def _side_by_side(gt: np.ndarray) -> list[int]:
    """Rows of one frame's walkers (x, y, w, h) with another walker beside them: 0.6 to
    1.5 widths apart, overlapping over half their height."""
    cx = gt[:, 0] + gt[:, 2] / 2
    rows = []
    for j, (_, y, w, h) in enumerate(gt):
        for k, (_, y2, _, h2) in enumerate(gt):
            apart = abs(cx[k] - cx[j])
            overlap = min(y + h, y2 + h2) - max(y, y2)
            if k != j and 0.6 * w <= apart <= 1.5 * w and overlap > 0.5 * h:
                rows.append(j)
                break
    return rows


@functools.cache
def _pets09_tracks() -> list[list[TrackState]]:
    """The confirmed tracks of each pets09 frame (run once for the tests below)."""
    cap = cv2.VideoCapture(str(PETS / "vtest_derived_h264.mp4"))
    info = VideoInfo(
        fps=cap.get(cv2.CAP_PROP_FPS),
        width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        frame_count=None,
    )
    analyzer = FeedAnalyzer(info)
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        i = len(out)
        out.append(analyzer.process(FramePacket(i, i / info.fps, frame)).confirmed_tracks)
    cap.release()
    return out


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_walkers_side_by_side_get_a_box_each() -> None:
    """pets09, seen from a high corner: two walkers side by side make one blob. Cut at
    the dip between them (detector.split_valley), each walker beside another is boxed
    at IoU 0.5 in 57% of its frames; with one box over the pair it was 23%."""
    from dronewatch.evaluation import load_mot

    gt = load_mot(PETS / "gt_mot.txt", ground_truth=True)
    beside = boxed = 0
    for i, tracks in enumerate(_pets09_tracks()):
        walkers = gt.xywh[gt.frame == i + 1]
        for j in _side_by_side(walkers):
            x, y, w, h = walkers[j]
            beside += 1
            boxed += any(_iou(t.xyxy, (x, y, x + w, y + h)) >= 0.5 for t in tracks)
    assert beside > 1000
    assert boxed >= 0.45 * beside, f"{boxed} of {beside} walkers beside another boxed"


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_walkers_coming_towards_the_camera_are_people() -> None:
    """pets09's walkers are tall and large in the picture, like a vehicle driving up
    it; those walking towards or away from the camera were labelled vehicles (18% of
    the boxed walkers' frames). At a walker's pace they are people: 94% of the frames."""
    from dronewatch.evaluation import load_mot

    gt = load_mot(PETS / "gt_mot.txt", ground_truth=True)
    boxed = people = 0
    for i, tracks in enumerate(_pets09_tracks()):
        for x, y, w, h in gt.xywh[gt.frame == i + 1]:
            best = max(tracks, key=lambda t: _iou(t.xyxy, (x, y, x + w, y + h)), default=None)
            if best is None or _iou(best.xyxy, (x, y, x + w, y + h)) < 0.5:
                continue
            boxed += 1
            people += best.target_class is TargetClass.PERSON
    assert boxed > 2500
    assert people >= 0.9 * boxed, f"{people} of {boxed} boxed walkers labelled people"


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_a_walker_who_stands_still_keeps_his_box() -> None:
    """pets09's walker 1 stands for 8 s (frames 560-616). Without the background held
    under him he was boxed in 8 of those 57 frames: his top half was learnt first, his
    box shrank, and he was gone. Held only once his track was judged still, it was luck
    whether that happened in time: 9 / 11 / 57 / 4 frames over `tracker.still_pace`
    0.1 / 0.15 / 0.2 / 0.3. Held while he moves too (he is big: `tracker.hold_big_px`),
    50 at every one of those settings."""
    from dronewatch.evaluation import load_mot

    gt = load_mot(PETS / "gt_mot.txt", ground_truth=True)
    tracks = _pets09_tracks()
    boxed = 0
    for f in range(560, 617):
        ((x, y, w, h),) = gt.xywh[(gt.frame == f) & (gt.ids == 1)]
        boxed += any(_iou(t.xyxy, (x, y, x + w, y + h)) >= 0.5 for t in tracks[f - 1])
    assert boxed >= 45, f"boxed in {boxed} of 57 frames"


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_pets09_walkers_are_tracked_at_the_benchmark_level() -> None:
    """The issue's real-footage target (0.5), as a floor: MOTA at IoU 0.5 on pets09 from
    each frame's confirmed tracks. Measured 0.634, IDF1 0.625 (0.631 and 0.569 before
    crossing walkers kept their identities; 0.531 without the background held under
    big movers, `tracker.hold_big_px` 0; the benchmark, which adds the boxes tracks
    had before they were confirmed, gives 0.638)."""
    from dronewatch.evaluation import MotRows, evaluate_rows, load_mot

    gt = load_mot(PETS / "gt_mot.txt", ground_truth=True)
    rows = [
        (i + 1, t.track_id, t.xyxy[0], t.xyxy[1], t.xyxy[2] - t.xyxy[0], t.xyxy[3] - t.xyxy[1])
        for i, tracks in enumerate(_pets09_tracks())
        for t in tracks
    ]
    scores = evaluate_rows(gt, MotRows.from_boxes(rows), 0.5)
    assert scores.mota >= 0.58, scores


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_two_walkers_side_by_side_for_long_keep_a_box_each() -> None:
    """pets09's walkers 11 and 12 walk side by side for 350 frames, often in one blob
    with no dip between them. Cut between their tracks, each is boxed at IoU 0.5 in
    92% of their frames (86% without; with `tracker.still_pace` 0.2, 93% against 67%:
    without the cut one track could take the pair's box and keep it)."""
    from dronewatch.evaluation import load_mot

    gt = load_mot(PETS / "gt_mot.txt", ground_truth=True)
    tracks = _pets09_tracks()
    rows = boxed = 0
    for f in range(1, len(tracks) + 1):
        for walker in (11, 12):
            for x, y, w, h in gt.xywh[(gt.frame == f) & (gt.ids == walker)]:
                rows += 1
                boxed += any(_iou(t.xyxy, (x, y, x + w, y + h)) >= 0.5 for t in tracks[f - 1])
    assert rows > 600
    assert boxed >= 0.89 * rows, f"{boxed} of {rows}"


@pytest.mark.realdata
@pytest.mark.skipif(not PETS.exists(), reason=f"{PETS} absent (shared real data not here)")
def test_flutter_of_barrier_tape_is_not_tracked() -> None:
    """Barrier tape flutters across the empty parking bays beyond pets09's path (x 500-
    600, y 145-180). Its 4 x 3 px blobs drift along the tape and were confirmed as
    tracks: 181 false track-frames on 13 tracks. Blobs that small are pieces
    (detector.piece_area): they start no track."""
    rows = 0
    for tracks in _pets09_tracks():
        for t in tracks:
            x1, y1, x2, y2 = t.xyxy
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            rows += 500 < cx < 600 and 145 < cy < 180 and (x2 - x1) * (y2 - y1) < 150
    assert rows <= 20, f"{rows} track-frames on the tape"


PARKING = REALDATA / "overhead-parking" / "car-detection.mp4"


@pytest.mark.realdata
@pytest.mark.skipif(not PARKING.exists(), reason=f"{PARKING} absent (shared real data not here)")
def test_a_still_camera_watching_a_car_drive_through_stays_still() -> None:
    """A fixed camera over plain asphalt; a white car drives through. The car's corners
    outnumber the ground's, and registration used to follow the car: 20-58 px of
    invented camera motion, and 15 confirmed tracks in these 12 s (specks on the
    asphalt and lane markings that seemed to move)."""
    cap = cv2.VideoCapture(str(PARKING))
    info = VideoInfo(fps=12.5, width=768, height=432, frame_count=None)
    analyzer = FeedAnalyzer(info)
    tracks: set[int] = set()
    for i in range(150):  # the first car passes between 5 and 11 s
        ok, frame = cap.read()
        assert ok
        result = analyzer.process(FramePacket(i, i / 12.5, frame))
        tracks.update(t.track_id for t in result.confirmed_tracks)
    cap.release()
    assert 1 <= len(tracks) <= 6, f"{len(tracks)} confirmed tracks for one car"


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


def test_accuracy_floor_on_a_short_simulated_clip(tmp_path: Path) -> None:
    """A regression floor (far below the benchmark targets) on 6 s of the simulator."""
    from dronewatch.evaluation import evaluate_rows, load_mot
    from dronewatch.sim.generate import generate
    from dronewatch.sim.scenario import make_scenario
    from dronewatch.sources import open_source

    report = generate(make_scenario("fog", seed=3, seconds=6.0), tmp_path, "fog")
    source = open_source(report.video)
    analyzer = FeedAnalyzer(source.info)
    rows = []
    while (packet := source.read()) is not None:
        for t in analyzer.process(packet).confirmed_tracks:
            x1, y1, x2, y2 = t.xyxy
            rows.append(f"{packet.index + 1},{t.track_id},{x1},{y1},{x2 - x1},{y2 - y1},1,-1,-1,-1")
    source.close()
    pred_path = tmp_path / "pred.txt"
    pred_path.write_text("\n".join(rows) + "\n")
    scores = evaluate_rows(
        load_mot(report.ground_truth, ground_truth=True), load_mot(pred_path), 0.3
    )
    assert scores.recall >= 0.15, scores
    assert scores.precision >= 0.4, scores
    assert scores.mota >= -0.2, scores


def _longest_phantom_run(video: Path, ground_truth: Path, config: AnalysisConfig) -> int:
    """The most frames in a row a confirmed track spent touching no ground-truth box."""
    from dronewatch.evaluation import load_mot
    from dronewatch.sources import open_source

    gt = load_mot(ground_truth, ground_truth=True)
    source = open_source(video)
    analyzer = FeedAnalyzer(source.info, config)
    run: dict[int, int] = {}
    longest = 0
    while (packet := source.read()) is not None:
        boxes = gt.xywh[gt.frame == packet.index + 1]
        for t in analyzer.process(packet).confirmed_tracks:
            x1, y1, x2, y2 = t.xyxy
            touches = np.any(
                (boxes[:, 0] < x2)
                & (boxes[:, 0] + boxes[:, 2] > x1)
                & (boxes[:, 1] < y2)
                & (boxes[:, 1] + boxes[:, 3] > y1)
            )
            run[t.track_id] = 0 if touches else run.get(t.track_id, 0) + 1
            longest = max(longest, run[t.track_id])
    source.close()
    return longest


def test_no_phantom_track_sits_on_a_kerb_a_group_has_crossed(tmp_path: Path) -> None:
    """Day-pan seed 2: a walking group's shadows cross a kerb; the background keeps
    them there, and a track on that ghost held the background under itself and stayed
    for 8 s on empty ground. The kerb's edges, in frame and background alike, hid the
    ghost from the edge ratio at 0.5; at 1.0 (``detector.ghost_edge_ratio``) what frame
    and background share cancels out."""
    from dronewatch.sim.generate import generate
    from dronewatch.sim.scenario import make_scenario

    report = generate(make_scenario("day-pan", seed=2, seconds=12.0), tmp_path, "c")
    # The motion boxes alone: the window refiner drops most ghosts' boxes on its own
    # (with it the clip's longest phantom run was 22 frames at ratio 0.5, 55 at 1.0).
    defaults = AnalysisConfig()
    config = replace(defaults, detector=replace(defaults.detector, refine_windows=False))
    without = replace(config, detector=replace(config.detector, ghost_edge_ratio=0.5))
    before = _longest_phantom_run(report.video, report.ground_truth, without)
    assert before >= 100, "the clip no longer leaves a lasting ghost: the test proves nothing"
    assert _longest_phantom_run(report.video, report.ground_truth, config) <= 50


def test_bench_analyze_prints_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from dronewatch.analysis.benchmark import DECODE_MAX_PASSES
    from dronewatch.cli import main
    from dronewatch.sim.generate import generate
    from dronewatch.sim.scenario import make_scenario

    report = generate(make_scenario("day-pan", seed=1, seconds=1.0, size=(320, 180)), tmp_path, "c")
    assert main(["bench", "analyze", str(report.video)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["frames"] == 25 and result["width"] == 320
    for key in ("decode_fps", "analysis_fps", "analysis_over_decode", "realtime_factor"):
        assert result[key] > 0
    assert result["peak_rss_mb"] > 10
    # a 1 s clip decodes in a blink: its decode-only rate is the median of several
    # passes, not one noisy one
    assert result["decode_passes"] == DECODE_MAX_PASSES


def test_bench_analyze_set_changes_the_settings_measured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import dronewatch.analysis.benchmark as benchmark
    from dronewatch.cli import main
    from dronewatch.sim.generate import generate
    from dronewatch.sim.scenario import make_scenario

    used: list[AnalysisConfig | None] = []

    class Recording(FeedAnalyzer):
        def __init__(self, info, config=None, model_path=None) -> None:  # type: ignore[no-untyped-def]
            used.append(config)
            super().__init__(info, config, model_path)

    monkeypatch.setattr(benchmark, "FeedAnalyzer", Recording)
    report = generate(make_scenario("day-pan", seed=1, seconds=0.4, size=(320, 180)), tmp_path, "c")
    args = ["bench", "analyze", str(report.video), "--set", "detector.median_reference=false"]
    assert main([*args, "--set", "tracker.max_age_s=2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings"] == {"detector.median_reference": False, "tracker.max_age_s": 2.0}
    assert used and all(c is not None and not c.detector.median_reference for c in used)
    assert all(c is not None and c.tracker.max_age_s == 2.0 for c in used)
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "analyze", str(report.video), "--set", "detector.nope=1"])
    assert exit_info.value.code == 2
    assert "detector.nope" in capsys.readouterr().err


def _stopped_walker_frames(config: AnalysisConfig) -> tuple[float, set[int]]:
    """A walker on a panning view stands still for 6 s (frames 40-190), then walks on:
    the share of the frames 20-190 of the stop in which a confirmed track boxes it, and
    the IDs of the tracks that box it from frame 20 on."""
    walker = Mover(x=338, y=120, vx=0.8, vy=0.3, size=10, value=200, stop=(40, 190))
    scene = Scene(movers=[walker])
    analyzer = FeedAnalyzer(scene.info, config)
    held = 0
    ids: set[int] = set()
    for i in range(230):
        result = analyzer.process(scene.packet(i))
        truth = scene.box_in_image(walker, i)
        on_it = [t for t in result.confirmed_tracks if iou(t.xyxy, truth) >= 0.3]
        held += 60 <= i < 190 and bool(on_it)
        if i >= 20:
            ids.update(t.track_id for t in on_it)
    return held / 130, ids


def test_a_target_that_stops_keeps_its_box_and_its_id() -> None:
    # Measured: boxed in all 130 frames with one ID; without the held background in
    # 28% of them, and it came back under a new ID.
    held, ids = _stopped_walker_frames(AnalysisConfig())
    assert held >= 0.9
    assert len(ids) == 1
    held_before, _ = _stopped_walker_frames(
        AnalysisConfig().with_overrides({"tracker.hold_background": False})
    )
    assert held_before < 0.5, "the scene no longer loses a stopped target: proves nothing"
