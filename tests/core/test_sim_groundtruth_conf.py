"""Simulator ground truth: conf 0 ("don't care") until a target has moved 1 m."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from dronewatch.sim import SAMPLES, GTBox, Renderer, SampleSpec, generate, make_scenario, read_mot
from dronewatch.sim.groundtruth import MOVED_M, moved_by_frame, with_motion_conf
from dronewatch.sources.simulated import SimulatedSource

NAN = np.nan


@pytest.mark.parametrize(
    ("xy", "first", "expected"),
    [
        ([[5, 5]] * 4, 0, [0, 0, 0, 0]),  # parked: never moves
        ([[0, 0], [0.5, 0], [1.0, 0], [0.2, 0], [0, 0]], 0, [0, 0, 1, 1, 1]),  # stops: stays
        ([[NAN, NAN], [0, 0], [0, 0.99], [0, 1.01]], 1, [0, 0, 0, 1]),  # enters the world
        ([[-5, 0], [-3, 0], [0, 0], [0, 0]], 2, [1, 1, 1, 1]),  # moved before it was seen
        ([[0, 0], [0, 0], [0, 0.4], [0, 0]], 1, [0, 0, 0, 0]),  # jitter below 1 m
    ],
)
def test_moved_by_frame(xy: list, first: int, expected: list[int]) -> None:
    moved = moved_by_frame(np.array(xy, dtype=float), first)
    assert moved.tolist() == [bool(v) for v in expected]


def test_with_motion_conf_uses_the_first_box_frame() -> None:
    xy = np.array([[0, 0], [0, 0], [0.6, 0], [1.2, 0], [1.2, 0]], dtype=float)
    boxes = [GTBox(f, 3, 1, 10, 10, 5, 5, 1.0) for f in (2, 3, 4, 5)]
    assert [b.conf for b in with_motion_conf(boxes, {3: xy})] == [0, 0, 1, 1]
    # first seen in frame 3 (at x = 0.6): nothing is 1 m from there
    assert [b.conf for b in with_motion_conf(boxes[1:], {3: xy})] == [0, 0, 0]
    assert [b.conf for b in with_motion_conf(boxes[1:], {3: xy}, {3: 2})] == [0, 1, 1]
    assert MOVED_M == 1.0


def test_conf_round_trips_through_the_mot_text(tmp_path: Path) -> None:
    from dronewatch.sim import write_mot

    rows = [GTBox(1, 1, 2, 1, 2, 3, 4, 1.0, conf=0), GTBox(2, 1, 2, 1, 2, 3, 4, 0.5)]
    write_mot(tmp_path / "gt.txt", rows)
    assert (tmp_path / "gt.txt").read_text().splitlines() == [
        "1,1,1.00,2.00,3.00,4.00,0,2,1.000",
        "2,1,1.00,2.00,3.00,4.00,1,2,0.500",
    ]
    assert read_mot(tmp_path / "gt.txt") == rows


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Renderer]:
    out = tmp_path_factory.mktemp("conf")
    scenario = make_scenario("busy", seed=11, seconds=2.0, fps=25, size=(320, 180))
    generate(scenario, out, "busy")
    return out / "busy.gt.txt", Renderer(scenario)


def test_generated_conf_follows_motion(busy: tuple[Path, Renderer]) -> None:
    path, renderer = busy
    boxes = read_mot(path)
    motion = {t.id: t.motion for t in renderer.targets}
    by_id: dict[int, list[int]] = defaultdict(list)
    for b in boxes:
        by_id[b.id].append(b.conf)
    assert {c for cs in by_id.values() for c in cs} == {0, 1}
    parked = [i for i in by_id if motion[i] == "parked"]
    assert parked and all(set(by_id[i]) == {0} for i in parked)
    for confs in by_id.values():  # once counted, always counted
        assert confs == sorted(confs)


def test_simulated_source_ground_truth_agrees_with_the_file(busy: tuple[Path, Renderer]) -> None:
    path, _renderer = busy
    source = SimulatedSource("busy", seed=11, seconds=2.0, fps=25, size=(320, 180))
    by_frame: dict[int, list[GTBox]] = defaultdict(list)
    for b in read_mot(path):
        by_frame[b.frame].append(b)
    for index in (30, 5, 49):  # out of order on purpose
        got = [(b.id, b.conf, b.to_mot_row()) for b in source.ground_truth(index)]
        want = [(b.id, b.conf, b.to_mot_row()) for b in by_frame[index + 1]]
        assert got == want


@pytest.mark.parametrize("spec", SAMPLES, ids=lambda s: s.name)
def test_bundled_sample_ground_truth_is_reproduced(spec: SampleSpec) -> None:
    """The bundled ``NAME.gt.txt`` is what the simulator writes today, byte for byte
    (boxes alone: ``dronewatch simulate --samples`` writes the same rows)."""
    folder = Path(__file__).resolve().parents[2] / "sample_videos"
    scenario = make_scenario(
        spec.preset, seed=spec.seed, seconds=spec.seconds, fps=spec.fps, size=spec.size
    )
    renderer = Renderer(scenario)
    boxes = [b for i in range(renderer.frame_count) for b in renderer.boxes(i)]
    rows = with_motion_conf(boxes, renderer.tracks)
    text = "".join(b.to_mot_row() + "\n" for b in sorted(rows, key=lambda b: (b.frame, b.id)))
    assert text == (folder / f"{spec.name}.gt.txt").read_text(encoding="ascii")
