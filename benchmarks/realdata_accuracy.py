"""Our pipeline vs the textbook baseline (OpenCV MOG2 + Roboflow ByteTrack) on real clips.

    .venv/bin/python benchmarks/realdata_accuracy.py \
        [--model ../shared/realdata/yolox-nano-onnx/yolox_nano.onnx]

* ``pets09-s2l1``: elevated fixed camera, 19 pedestrians: MOTA / IDF1 / HOTA at IoU 0.5.
* ``uav123-person12_1``, ``uav123-boat1``: one target per frame from a drone: hit rate
  (share of frames where some confirmed track overlaps the target with IoU >= 0.5; also
  at 0.3).
* ``counter-drone`` ``IR_DRONE_001`` (thermal) and ``V_DRONE_001`` (visible): a drone
  seen from the ground, hit rate likewise. The IR clip's boxes carry about 5 px of sky
  on every side, so IoU 0.5 is out of reach for a box on the drone (benchmarks/README.md).

``--grey`` runs ours on every clip made grey as well: a grey picture is first taken
for thermal, and the visible clips must be told from it by their movers.

Both pipelines run in the same process on the same decoded frames.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import (
    REALDATA,
    checked_config,
    run_mog2_bytetrack,
    run_ours,
)
from dronewatch.evaluation import (
    evaluate_rows,
    load_frame_csv_gt,
    load_mot,
    load_single_target_gt,
    single_target_hit_rate,
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realdata", type=Path, default=REALDATA)
    ap.add_argument("--model", type=Path, help="also run our pipeline with this ONNX model")
    ap.add_argument("--set", nargs="*", default=[], help="config overrides key=value (JSON)")
    ap.add_argument("--no-baseline", action="store_true", help="skip MOG2 + ByteTrack")
    ap.add_argument(
        "--grey",
        action="store_true",
        help="our pipeline also on every clip made grey (a monochrome visible camera)",
    )
    args = ap.parse_args()
    config = checked_config(args.set)
    root: Path = args.realdata
    if not root.is_dir():
        print(f"{root}: not found; nothing to do")
        return 0
    runners = [("ours", lambda p: run_ours(p, config))]
    if args.model:
        runners.append(("ours+model", lambda p: run_ours(p, config, model=args.model)))
    if args.grey:
        runners.append(("ours, grey", lambda p: run_ours(p, config, grey=True)))
    if not args.no_baseline:
        runners.append(("mog2+bytetrack", run_mog2_bytetrack))

    clip = root / "pets09-s2l1" / "vtest_derived_h264.mp4"
    gt = load_mot(root / "pets09-s2l1" / "gt_mot.txt", ground_truth=True)
    print("pets09-s2l1 (IoU 0.5)")
    head = ("pipeline", "MOTA", "IDF1", "HOTA", "Prec", "Rec", "IDSW", "fps")
    print("  {:16} {:>7} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6}".format(*head))
    for name, run in runners:
        pred, fps = run(clip)
        s = evaluate_rows(gt, pred, 0.5)
        print(
            f"  {name:16} {s.mota:7.3f} {s.idf1:6.3f} {s.hota:6.3f} {s.precision:6.3f} "
            f"{s.recall:6.3f} {s.id_switches:5d} {fps:6.0f}",
            flush=True,
        )

    single = [
        ("uav123-person12_1", "person12_1_derived_10fps.mp4", "groundtruth_rect.txt"),
        ("uav123-boat1", "boat1_derived_10fps.mp4", "groundtruth_rect.txt"),
        ("counter-drone", "IR_DRONE_001.mp4", "IR_DRONE_001_gt.csv"),
        ("counter-drone", "V_DRONE_001.mp4", "V_DRONE_001_gt.csv"),
    ]
    for folder, video, truth_file in single:
        if truth_file.endswith(".csv"):
            truth = load_frame_csv_gt(root / folder / truth_file)
        else:
            truth = load_single_target_gt(root / folder / truth_file)
        print(f"{folder} {Path(video).stem} (single target, hit rate)")
        print(f"  {'pipeline':16} {'hit@0.5':>8} {'hit@0.3':>8} {'fps':>6}")
        for name, run in runners:
            pred, fps = run(root / folder / video)
            h5 = single_target_hit_rate(truth, pred, 0.5)
            h3 = single_target_hit_rate(truth, pred, 0.3)
            print(f"  {name:16} {h5:8.3f} {h3:8.3f} {fps:6.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
