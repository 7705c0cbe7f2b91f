"""Accuracy of the analysis engine on simulated moving-camera clips (MOTA/IDF1 @ IoU 0.3).

    .venv/bin/python benchmarks/sim_accuracy.py --presets day-pan fog --seeds 1 2 --seconds 12

Clips are rendered into --work (default a temporary folder, reused when present).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import checked_config, run_ours
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.evaluation import evaluate_rows, load_mot

PRESETS = ["day-pan", "day-orbit", "thermal-night", "fog", "rain"]


def render(preset: str, seed: int, seconds: float, work: Path, size: str) -> Path:
    name = f"{preset}-s{seed}-{int(seconds)}s-{size}"
    video = work / f"{name}.mp4"
    if not video.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dronewatch",
                "simulate",
                "--preset",
                preset,
                "--seed",
                str(seed),
                "--seconds",
                str(seconds),
                "--size",
                size,
                "--out",
                str(work),
                "--name",
                name,
                "--quiet",
            ],
            check=True,
        )
    return video


def parse_sim_arguments(
    description: str, seeds: list[int]
) -> tuple[argparse.Namespace, AnalysisConfig]:
    """The options every simulator benchmark takes, parsed; and the config they set."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--presets", nargs="+", default=PRESETS)
    ap.add_argument("--seeds", nargs="+", type=int, default=seeds)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--iou", type=float, default=0.3)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dw-sim-bench")
    ap.add_argument("--set", nargs="*", default=[], help="config overrides key=value (JSON)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    return args, checked_config(args.set)


def main() -> int:
    args, config = parse_sim_arguments(__doc__.splitlines()[0], seeds=[1, 2])
    head = ("clip", "MOTA", "IDF1", "HOTA", "Prec", "Rec", "IDSW", "fps")
    print("{:34} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6}".format(*head))
    for preset in args.presets:
        for seed in args.seeds:
            video = render(preset, seed, args.seconds, args.work, args.size)
            gt = load_mot(video.with_suffix("").with_suffix(".gt.txt"), ground_truth=True)
            pred, fps = run_ours(video, config)
            s = evaluate_rows(gt, pred, args.iou)
            print(
                f"{video.stem:34} {s.mota:6.3f} {s.idf1:6.3f} {s.hota:6.3f} {s.precision:6.3f} "
                f"{s.recall:6.3f} {s.id_switches:5d} {fps:6.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
