"""The training scenes: teams, road traffic, calm, and the command-post set of 9 feeds."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest

from dronewatch.cli import main
from dronewatch.sim import PERSON, PRESETS, VEHICLE, Renderer, generate, make_scenario, read_mot
from dronewatch.sim.command_post import command_post_feeds
from dronewatch.training import GroundTruth

SIZE = (192, 108)


def check_clip(out: Path, name: str, size: tuple[int, int] = SIZE) -> list:
    assert {p.name for p in out.glob(f"{name}.*")} == {
        f"{name}.mp4",
        f"{name}.gt.txt",
        f"{name}.json",
    }
    rows = read_mot(out / f"{name}.gt.txt")
    for b in rows:
        assert b.x >= 0 and b.y >= 0 and b.w > 0 and b.h > 0
        assert b.x + b.w <= size[0] + 1e-6 and b.y + b.h <= size[1] + 1e-6
        assert 0 < b.visibility <= 1
    GroundTruth.load(out / f"{name}.gt.txt")  # the scorer reads it
    return rows


@pytest.mark.parametrize("preset", ["teams", "road-traffic", "calm"])
def test_preset_writes_a_valid_clip(tmp_path: Path, preset: str) -> None:
    scenario = make_scenario(preset, seed=5, seconds=1.0, fps=10, size=SIZE)
    generate(scenario, tmp_path, preset)
    rows = check_clip(tmp_path, preset)
    doc = json.loads((tmp_path / f"{preset}.json").read_text())
    assert doc["preset"] == preset and doc["preset_parameters"]["targets"] != "mixed"
    if preset == "calm":
        assert rows == [] and (tmp_path / "calm.gt.txt").read_text() == ""
        assert doc["targets"] == []
    else:
        assert rows


@pytest.mark.parametrize("preset", ["teams", "road-traffic", "calm"])
def test_reproducible_by_seed(preset: str) -> None:
    def boxes(seed: int) -> list:
        r = Renderer(make_scenario(preset, seed=seed, seconds=1.0, fps=5, size=SIZE))
        return [b for i in range(r.frame_count) for b in r.render(i, effects=False).boxes]

    assert boxes(3) == boxes(3)
    if preset != "calm":
        assert boxes(3) != boxes(4)


@pytest.mark.parametrize("seed", [1, 2])
def test_teams_move_together_and_stop(seed: int) -> None:
    r = Renderer(make_scenario("teams", seed=seed, seconds=20.0, fps=10, size=SIZE))
    assert r.targets and all(t.cls == PERSON and t.group > 0 for t in r.targets)
    teams = collections.defaultdict(list)
    for t in r.targets:
        teams[t.group].append(t)
    assert len(teams) >= 2
    for members in teams.values():
        assert 2 <= len(members) <= 4
        xy = np.stack([m.track.xy for m in members])  # (members, frames, 2)
        spread = np.linalg.norm(xy - xy[0], axis=2).max()
        assert spread < 6.5  # metres: single file, a step or so apart
        speed = np.linalg.norm(np.diff(xy, axis=1), axis=2) * 10  # m/s
        still = (speed < 0.05).all(axis=0)  # every member stopped at once
        assert still.mean() > 0.1  # they halt...
        assert speed[0].max() > 0.3 and speed[0].max() < 1.2  # ...and creep slowly


def test_road_traffic_has_mixed_kinds() -> None:
    r = Renderer(make_scenario("road-traffic", seed=2, seconds=20.0, fps=5, size=SIZE))
    kinds = collections.Counter(t.kind for t in r.targets)
    assert {"car", "van", "truck", "tractor", "person"} <= set(kinds)
    assert all(t.motion == "road" for t in r.targets if t.cls == VEHICLE)


def test_listed_and_list_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert {"teams", "road-traffic", "calm"} <= set(PRESETS)
    assert main(["simulate", "--list"]) == 0
    listed = capsys.readouterr().out
    assert main(["simulate", "--list-presets"]) == 0
    assert capsys.readouterr().out == listed
    names = {line.split()[0] for line in listed.splitlines()}
    assert {"teams", "road-traffic", "calm", "command-post", "fog", "rain"} <= names


def test_command_post_feeds_are_mostly_quiet() -> None:
    feeds = command_post_feeds(seed=4)
    assert [f.name for f in feeds] == [f"command-post-{k}" for k in range(1, 10)]
    assert len({f.seed for f in feeds}) == 9
    assert sum(f.preset.targets == "none" for f in feeds) == 3
    windows = [f.preset.active for f in feeds if f.preset.active is not None]
    for t in np.linspace(0, 1, 201):
        assert sum(lo <= t < hi for lo, hi in windows) <= 2
    assert command_post_feeds(seed=4) == feeds


def test_command_post_writes_nine_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = (96, 64)
    args = ["simulate", "--preset", "command-post", "--seconds", "2", "--fps", "10"]
    assert main([*args, "--size", "96x64", "--seed", "1", "--out", str(tmp_path), "--quiet"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 9
    busy: collections.Counter[int] = collections.Counter()
    for k in range(1, 10):
        rows = check_clip(tmp_path, f"command-post-{k}", size)
        for frame in {b.frame for b in rows}:
            busy[frame] += 1
    assert max(busy.values(), default=0) <= 2  # at most 2 of 9 feeds show targets at once
