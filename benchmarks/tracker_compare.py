"""Our tracker vs Roboflow ``trackers`` ByteTrack on the same detections.

    .venv/bin/python benchmarks/tracker_compare.py --seeds 1 2 --seconds 12

Both run behind the same camera-motion stage and motion detector (ByteTrack gets its
tracklets warped by our homography every frame); only ``tracker.kind`` differs. Prints
MOTA / IDF1 at IoU 0.3 per simulator clip and the mean, and pets09 at IoU 0.5.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REALDATA, run_ours
from benchmarks.sim_accuracy import PRESETS, render
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.evaluation import evaluate_rows, load_mot

KINDS = ("own", "bytetrack")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=PRESETS)
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dw-sim-bench")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    configs = {k: AnalysisConfig().with_overrides({"tracker.kind": k}) for k in KINDS}
    scores: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    print(f"{'clip (IoU 0.3)':34} " + " ".join(f"{k + ' MOTA/IDF1':>20}" for k in KINDS))
    for preset in args.presets:
        for seed in args.seeds:
            video = render(preset, seed, args.seconds, args.work, "640x360")
            gt = load_mot(video.with_suffix("").with_suffix(".gt.txt"), ground_truth=True)
            cells = []
            for kind in KINDS:
                s = evaluate_rows(gt, run_ours(video, configs[kind])[0], 0.3)
                scores[kind].append((s.mota, s.idf1))
                cells.append(f"{s.mota:+.3f} / {s.idf1:.3f}")
            print(f"{video.stem:34} " + " ".join(f"{c:>20}" for c in cells), flush=True)
    means = [np.mean(scores[k], axis=0) for k in KINDS]
    print(f"{'mean':34} " + " ".join(f"{m[0]:+.3f} / {m[1]:.3f}".rjust(20) for m in means))
    pets = REALDATA / "pets09-s2l1"
    if pets.is_dir():
        gt = load_mot(pets / "gt_mot.txt", ground_truth=True)
        cells = []
        for kind in KINDS:
            s = evaluate_rows(gt, run_ours(pets / "vtest_derived_h264.mp4", configs[kind])[0], 0.5)
            cells.append(f"{s.mota:+.3f} / {s.idf1:.3f}")
        print(f"{'pets09-s2l1 (IoU 0.5)':34} " + " ".join(f"{c:>20}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
