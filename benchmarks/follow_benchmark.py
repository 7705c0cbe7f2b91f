"""Single-object followers for operator marks: ours (template) vs OpenCV MIL.

    .venv/bin/python benchmarks/follow_benchmark.py [--seeds 1 2 3] [--per-clip 4]

Simulated clips (rendered into --clips, reused when already there): every follower is
started on a ground-truth target's first box that is wholly inside the image,
among targets visible for at least --min-visible s after it, and run for up to
--run-seconds s. Per follower, over the frames where the target is in the ground truth:

* success: share of frames with IoU >= 0.3 and the follower not reporting "lost";
* centre error: mean distance (px) between box centres, over frames not reported lost;
* frames followed: updates before the first "lost" (the whole run when never lost);
* ms/update: wall time of ``update()`` alone, all followers timed in the same run.

``ours@2x`` is ours fed every second frame with ``frames_elapsed=2`` (fast playback),
scored on the frames it was shown. The UAV123 clips in ../shared/realdata are run whole,
from the first box, when that folder exists.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dronewatch.evaluation import load_single_target_gt
from dronewatch.review.follow import BoxXYXY, Follower, iou
from dronewatch.review.follow_mil import MilFollower, mil_available
from dronewatch.review.follow_template import TemplateFollower
from dronewatch.sim.groundtruth import read_mot

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"
PRESETS = ("day-pan", "day-orbit", "thermal-night", "fog")
UAV_CLIPS = ("uav123-person12_1", "uav123-boat1")


@dataclass(frozen=True, slots=True)
class FollowerSpec:
    name: str
    make: Callable[[], Follower]
    step: int = 1  # feed every step-th frame with frames_elapsed=step


@dataclass
class Score:
    """Accumulated over many runs of one follower."""

    hits: int = 0
    scored: int = 0
    center_err: list[float] = field(default_factory=list)
    followed: list[int] = field(default_factory=list)
    lost_runs: int = 0
    runs: int = 0
    seconds: float = 0.0
    updates: int = 0

    def add(self, other: Score) -> None:
        self.hits += other.hits
        self.scored += other.scored
        self.center_err += other.center_err
        self.followed += other.followed
        self.lost_runs += other.lost_runs
        self.runs += other.runs
        self.seconds += other.seconds
        self.updates += other.updates

    @property
    def success(self) -> float:
        return self.hits / self.scored if self.scored else float("nan")

    @property
    def mean_err(self) -> float:
        return float(np.mean(self.center_err)) if self.center_err else float("nan")

    @property
    def mean_followed(self) -> float:
        return float(np.mean(self.followed)) if self.followed else float("nan")

    @property
    def ms(self) -> float:
        return 1000 * self.seconds / self.updates if self.updates else float("nan")


def run_one(
    spec: FollowerSpec,
    images: list[np.ndarray],
    gt: dict[int, BoxXYXY],
    start: int,
    stop: int,
) -> Score:
    """Start on ``gt[start]`` in ``images[start]`` and update to ``stop`` (exclusive)."""
    score = Score()
    follower = spec.make()
    follower.start(images[start], gt[start])
    lost_at: int | None = None
    updates = 0
    for i in range(start + spec.step, stop, spec.step):
        t0 = time.perf_counter()
        result = follower.update(images[i], spec.step)
        score.seconds += time.perf_counter() - t0
        score.updates += 1
        updates += 1
        if result.lost and lost_at is None:
            lost_at = updates - 1
        truth = gt.get(i)
        if truth is None:
            continue
        score.scored += 1
        if not result.lost:
            score.hits += iou(result.xyxy, truth) >= 0.3
            (ax, ay), (bx, by) = result.center, _center(truth)
            score.center_err.append(math.hypot(ax - bx, ay - by))
    score.runs += 1
    score.lost_runs += lost_at is not None
    score.followed.append((lost_at if lost_at is not None else updates) * spec.step)
    return score


def _center(b: BoxXYXY) -> tuple[float, float]:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def read_frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SystemExit(f"{path}: cannot open")
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        out.append(img)
    cap.release()
    return out


def sim_clip(clips: Path, preset: str, seed: int, seconds: float) -> Path:
    name = f"{preset}-s{seed}-{seconds:g}s"
    mp4 = clips / f"{name}.mp4"
    if not mp4.exists():
        exe = Path(sys.executable).with_name("dronewatch")
        cmd = [str(exe), "simulate", "--preset", preset, "--seed", str(seed)]
        cmd += ["--seconds", str(seconds), "--out", str(clips), "--name", name, "--quiet"]
        subprocess.run(cmd, check=True)
    return mp4


def pick_targets(
    gt_path: Path, fps: float, min_visible_s: float, per_clip: int
) -> list[tuple[int, dict[int, BoxXYXY]]]:
    """(0-based start frame, 0-based frame -> box) for up to ``per_clip`` targets,
    spread over sizes so that small people and vehicles are both represented."""
    by_id: dict[int, dict[int, BoxXYXY]] = defaultdict(dict)
    first: dict[int, int] = {}
    for b in read_mot(gt_path):
        f = b.frame - 1
        by_id[b.id][f] = (b.x, b.y, b.x + b.w, b.y + b.h)
        if b.visibility >= 0.9 and (b.id not in first or f < first[b.id]):
            first[b.id] = f
    need = round(min_visible_s * fps)
    cands = []
    for tid, start in first.items():
        boxes = by_id[tid]
        if sum(1 for f in boxes if f >= start) >= need:
            b = boxes[start]
            cands.append((max(b[2] - b[0], b[3] - b[1]), tid, start))
    cands.sort()
    if len(cands) > per_clip:
        idx = np.linspace(0, len(cands) - 1, per_clip).round().astype(int)
        cands = [cands[i] for i in idx]
    return [(start, by_id[tid]) for _, tid, start in cands]


def uav_gt(path: Path) -> dict[int, BoxXYXY]:
    """Frame index (0-based) -> the target's box, for frames where it is in view."""
    out = {}
    for i, (x, y, w, h) in enumerate(load_single_target_gt(path)):
        if all(math.isfinite(v) for v in (x, y, w, h)) and w > 0 and h > 0:
            out[i] = (float(x), float(y), float(x + w), float(y + h))
    return out


def print_table(title: str, scores: dict[str, Score]) -> None:
    print(title, flush=True)
    head = ("follower", "runs", "success", "ctr err px", "frames followed", "lost", "ms/upd")
    print("  {:10} {:>5} {:>8} {:>11} {:>16} {:>5} {:>7}".format(*head))
    for name, s in scores.items():
        print(
            f"  {name:10} {s.runs:5d} {s.success:8.3f} {s.mean_err:11.2f} "
            f"{s.mean_followed:16.1f} {s.lost_runs:5d} {s.ms:7.2f}"
        )
    if "ours" in scores and "mil" in scores:
        o, m = scores["ours"], scores["mil"]
        print(
            f"  ours/MIL: success x{o.success / m.success:.2f}, "
            f"centre error x{o.mean_err / m.mean_err:.2f}, "
            f"frames followed x{o.mean_followed / m.mean_followed:.2f}, "
            f"ms/update x{o.ms / m.ms:.3f} ({m.ms / o.ms:.0f}x faster)"
        )
    print(flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=list(PRESETS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--seconds", type=float, default=8.0, help="simulated clip length")
    ap.add_argument("--run-seconds", type=float, default=5.0)
    ap.add_argument("--min-visible", type=float, default=3.0)
    ap.add_argument("--per-clip", type=int, default=4, help="targets per simulated clip")
    ap.add_argument("--clips", type=Path, default=Path("/tmp/dronewatch-follow-clips"))
    ap.add_argument("--realdata", type=Path, default=REALDATA)
    ap.add_argument("--no-mil", action="store_true", help="ours only (fast tuning runs)")
    args = ap.parse_args()

    specs = [FollowerSpec("ours", TemplateFollower), FollowerSpec("ours@2x", TemplateFollower, 2)]
    if mil_available() and not args.no_mil:
        specs.append(FollowerSpec("mil", MilFollower))
    elif not args.no_mil:
        print(f"OpenCV {cv2.__version__} has no MIL tracker: baseline skipped\n")

    args.clips.mkdir(parents=True, exist_ok=True)
    overall = {s.name: Score() for s in specs}
    for preset in args.presets:
        per_preset = {s.name: Score() for s in specs}
        for seed in args.seeds:
            mp4 = sim_clip(args.clips, preset, seed, args.seconds)
            images = read_frames(mp4)
            fps = 25.0
            gt_path = mp4.with_name(mp4.name.removesuffix(".mp4") + ".gt.txt")
            for start, boxes in pick_targets(gt_path, fps, args.min_visible, args.per_clip):
                stop = min(len(images), start + 1 + round(args.run_seconds * fps))
                for spec in specs:
                    one = run_one(spec, images, boxes, start, stop)
                    per_preset[spec.name].add(one)
                    overall[spec.name].add(one)
        print_table(f"{preset} (seeds {' '.join(map(str, args.seeds))})", per_preset)
    print_table("all simulated clips", overall)

    if not args.realdata.is_dir():
        print(f"{args.realdata}: not found; real UAV123 clips skipped")
        return 0
    for clip in UAV_CLIPS:
        folder = args.realdata / clip
        mp4s = sorted(folder.glob("*.mp4"))
        if not mp4s or not (folder / "groundtruth_rect.txt").exists():
            print(f"{folder}: no mp4 + groundtruth_rect.txt; skipped")
            continue
        images = read_frames(mp4s[0])
        gt = uav_gt(folder / "groundtruth_rect.txt")
        start = min(gt)
        scores = {s.name: Score() for s in specs}
        for spec in specs:
            scores[spec.name] = run_one(spec, images, gt, start, len(images))
        h, w = images[0].shape[:2]
        print_table(f"{clip} ({len(images)} frames, {w}x{h}, whole clip)", scores)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
