"""The drone-footage simulator: determinism, ground truth on the drawn targets, the clip."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.sim import (
    PERSON,
    PRESETS,
    SAMPLES,
    VEHICLE,
    Renderer,
    generate,
    make_scenario,
    parse_size,
    read_mot,
)

SMALL = (320, 180)


@pytest.fixture(scope="module")
def day_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    scenario = make_scenario("day-pan", seed=7, seconds=2.0, fps=25, size=(640, 360))
    generate(scenario, out, "day")
    return out


@pytest.fixture(scope="module")
def thermal() -> Renderer:
    return Renderer(make_scenario("thermal-night", seed=4, seconds=2.0, size=(640, 360)))


def test_writes_three_files(day_clip: Path) -> None:
    assert {p.name for p in day_clip.iterdir()} == {"day.mp4", "day.gt.txt", "day.json"}
    doc = json.loads((day_clip / "day.json").read_text())
    assert doc["preset"] == "day-pan"
    assert doc["seed"] == 7
    assert doc["fps"] == 25
    assert doc["size"] == "640x360"
    assert doc["frame_count"] == 50
    assert doc["class_ids"] == {"1": "vehicle", "2": "person"}


def test_mp4_opens_with_opencv(day_clip: Path) -> None:
    cap = cv2.VideoCapture(str(day_clip / "day.mp4"))
    try:
        assert cap.isOpened()
        assert int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 640
        assert int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == 360
        assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(25.0, abs=0.01)
        frames = 0
        while True:
            ok, _img = cap.read()
            if not ok:
                break
            frames += 1
        assert frames == 50
    finally:
        cap.release()


def test_gt_rows_are_mot_and_inside_image(day_clip: Path) -> None:
    boxes = read_mot(day_clip / "day.gt.txt")
    assert boxes, "a 2 s day-pan clip should show targets"
    assert {b.cls for b in boxes} <= {VEHICLE, PERSON}
    for b in boxes:
        assert 1 <= b.frame <= 50
        assert b.x >= 0 and b.y >= 0 and b.w > 0 and b.h > 0
        assert b.x + b.w <= 640 + 1e-6 and b.y + b.h <= 360 + 1e-6
        assert 0 < b.visibility <= 1
    line = (day_clip / "day.gt.txt").read_text().splitlines()[0].split(",")
    assert len(line) == 9 and line[6] in ("0", "1")


def test_same_seed_same_ground_truth_bytes(tmp_path: Path) -> None:
    def gt_bytes(seed: int, sub: str) -> bytes:
        scenario = make_scenario("busy", seed=seed, seconds=0.6, size=SMALL)
        generate(scenario, tmp_path / sub, "clip")
        return (tmp_path / sub / "clip.gt.txt").read_bytes()

    first = gt_bytes(11, "a")
    assert first
    assert gt_bytes(11, "b") == first
    assert gt_bytes(12, "c") != first


def test_different_seed_different_scenario() -> None:
    a = Renderer(make_scenario("day-pan", seed=1, seconds=1.0, size=SMALL))
    b = Renderer(make_scenario("day-pan", seed=2, seconds=1.0, size=SMALL))
    assert not np.array_equal(a.background(0), b.background(0))
    assert [t.summary() for t in a.targets] != [t.summary() for t in b.targets]


@pytest.mark.parametrize("preset", ["day-pan", "thermal-night", "fog", "busy"])
def test_gt_boxes_sit_on_drawn_targets(preset: str) -> None:
    renderer = Renderer(make_scenario(preset, seed=3, seconds=2.0))
    w, h = 640, 360
    checked = 0
    for index in (0, 24, 49):
        with_targets = renderer.render(index, effects=False)
        clean = renderer.render(index, targets=False, effects=False)
        assert [b.id for b in clean.boxes] == [b.id for b in with_targets.boxes]
        diff = np.abs(with_targets.image.astype(int) - clean.image.astype(int)).max(axis=2)
        changed = diff > 0
        inside = np.zeros((h, w), bool)
        for b in with_targets.boxes:
            assert b.x >= 0 and b.y >= 0 and b.x + b.w <= w and b.y + b.h <= h
            x0, y0 = int(b.x), int(b.y)
            x1, y1 = int(np.ceil(b.x + b.w)), int(np.ceil(b.y + b.h))
            inside[max(y0 - 1, 0) : y1 + 1, max(x0 - 1, 0) : x1 + 1] = True
            if b.visibility < 0.5:  # slivers at the border: nothing much to check
                continue
            frac = changed[y0:y1, x0:x1].mean()
            assert frac > 0.2, f"box of target {b.id} in frame {index} is {frac:.0%} target"
            checked += 1
        if preset == "thermal-night":  # no shadows: every changed pixel is in a box
            # (faint anti-aliasing fringes aside)
            strong = diff > 12
            assert strong[~inside].sum() <= 0.01 * max(strong.sum(), 1)
    assert checked >= 3


def test_target_sizes_and_speeds_are_realistic() -> None:
    renderer = Renderer(make_scenario("busy", seed=5, seconds=4.0))
    sizes: dict[int, list[float]] = {VEHICLE: [], PERSON: []}
    for index in range(0, renderer.frame_count, 10):
        for b in renderer.render(index, effects=False).boxes:
            if b.visibility == 1.0:
                sizes[b.cls].append(max(b.w, b.h))
    assert 4 <= np.median(sizes[PERSON]) <= 20
    assert 10 <= np.median(sizes[VEHICLE]) <= 60
    px_per_m = renderer.scenario.preset.px_per_m
    people = [t for t in renderer.targets if t.cls == PERSON]
    speeds = [t.track.speed_px(px_per_m, 25.0) for t in people]
    assert np.median(speeds) < 1.0  # people drift less than a pixel a frame
    stops = [np.sum(np.linalg.norm(np.diff(t.track.xy, axis=0), axis=1) < 1e-3) for t in people]
    assert max(stops) >= 25, "some people should stand still for a second or more"
    assert any(t.group for t in people), "some people walk in groups"
    movers = [t for t in renderer.targets if t.cls == VEHICLE and t.motion == "road"]
    assert movers and np.median([t.track.speed_px(px_per_m, 25.0) for t in movers]) > 1.0


def test_thermal_targets_are_warm(thermal: Renderer) -> None:
    warm = 0
    for index in (0, 25):
        frame = thermal.render(index)
        img = frame.image
        assert np.array_equal(img[..., 0], img[..., 1])  # white-hot grey
        grey = img[..., 0].astype(float)
        for b in frame.boxes:
            if b.cls != PERSON or b.visibility < 1:
                continue
            x0, y0, x1, y1 = int(b.x), int(b.y), int(b.x + b.w) + 1, int(b.y + b.h) + 1
            ring = grey[max(y0 - 8, 0) : y1 + 8, max(x0 - 8, 0) : x1 + 8]
            assert grey[y0:y1, x0:x1].max() > np.median(ring) + 40
            warm += 1
    assert warm >= 2
    # The ground is mostly cool: the median pixel is dark.
    assert np.median(thermal.render(0).image) < 130


def test_frames_are_independent_of_order(thermal: Renderer) -> None:
    later = thermal.render(30).image
    thermal.render(3)
    assert np.array_equal(thermal.render(30).image, later)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("640x360", True),
        ("1280X720", True),
        ("640", False),
        ("641x360", False),
        ("axb", False),
        ("10x10", False),
        ("", False),
    ],
)
def test_parse_size(text: str, ok: bool) -> None:
    if ok:
        assert parse_size(text)[0] > 0
    else:
        with pytest.raises(DroneWatchError):
            parse_size(text)


def test_bad_preset_raises() -> None:
    with pytest.raises(DroneWatchError, match="unknown preset"):
        make_scenario("sunny-beach")


@pytest.mark.parametrize(
    "argv",
    [["--preset", "sunny-beach"], ["--size", "641x360"], ["--size", "big"], ["--seconds", "0"]],
)
def test_cli_errors_are_one_line(argv: list[str], tmp_path: Path, capsys) -> None:
    assert main(["simulate", "--out", str(tmp_path), *argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("dronewatch: error:") and "\n" not in err
    assert not list(tmp_path.iterdir())


def test_cli_end_to_end(tmp_path: Path, capsys) -> None:
    rc = main(
        [
            "simulate",
            "--preset",
            "rain",
            "--seed",
            "9",
            "--seconds",
            "1",
            "--fps",
            "10",
            "--size",
            "320x180",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("rain: 10 frames") and "x real time" in out
    assert (tmp_path / "rain.mp4").stat().st_size > 0
    doc = json.loads((tmp_path / "rain.json").read_text())
    assert (doc["preset"], doc["seed"], doc["fps"], doc["frame_count"]) == ("rain", 9, 10, 10)


def test_cli_lists_presets(capsys) -> None:
    assert main(["simulate", "--list-presets"]) == 0
    out = capsys.readouterr().out
    for name in ("day-pan", "day-orbit", "thermal-night", "fog", "rain", "overcast", "busy"):
        assert name in out
    assert set(PRESETS) >= {"day-pan", "busy"}


def test_bundled_samples_match_the_sample_set() -> None:
    folder = Path(__file__).resolve().parents[2] / "sample_videos"
    assert len(SAMPLES) >= 4
    for spec in SAMPLES:
        video = folder / f"{spec.name}.mp4"
        assert video.is_file(), f"{video} missing: run dronewatch simulate --samples"
        assert video.stat().st_size < 3_000_000
        assert (folder / f"{spec.name}.gt.txt").stat().st_size > 0
        doc = json.loads((folder / f"{spec.name}.json").read_text())
        assert (doc["preset"], doc["seed"], doc["frame_count"]) == (spec.preset, spec.seed, 500)
    assert "dronewatch simulate --samples --out sample_videos" in (folder / "README.md").read_text()


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_clip_shorter_than_half_a_second_renders(preset: str, tmp_path: Path, capsys) -> None:
    # Walkers ease in and out of stops over 0.4-0.5 s; a shorter clip used to crash the
    # simulator with a NumPy broadcasting error instead of rendering.
    argv = ["simulate", "--preset", preset, "--seconds", "0.2", "--size", "160x90"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{preset}.mp4").stat().st_size > 0
