"""``dronewatch evaluate GT PRED``: tracking accuracy of a MOTChallenge prediction file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="score tracks against ground truth (MOTA, IDF1, HOTA...)",
        description="Score a MOTChallenge track file against ground truth. GT rows may have "
        "9 columns (frame,id,x,y,w,h,conf,class,visibility: the simulator) or 10 "
        "(MOTChallenge). GT rows with conf 0 are don't care: never a miss, and one prediction "
        "on each (IoU >= --iou, not matched to a counted box) is left out rather than "
        "counted as a false positive; a second one is. Prediction rows with id < 0 are "
        "ignored.",
    )
    p.add_argument("gt", type=Path, metavar="GT", help="ground-truth MOT file")
    p.add_argument("pred", type=Path, metavar="PRED", help="predicted MOT file")
    p.add_argument("--iou", type=float, default=0.5, help="IoU for a match (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dronewatch.errors import DroneWatchError
    from dronewatch.evaluation import evaluate_files

    if not 0.0 < args.iou <= 1.0:
        raise DroneWatchError(f"--iou must be in (0, 1], got {args.iou}")
    scores = evaluate_files(args.gt, args.pred, args.iou)
    if args.json:
        print(json.dumps(scores.as_dict(), indent=2))
        return 0
    rows = [
        ("MOTA", f"{scores.mota:.3f}"),
        ("IDF1", f"{scores.idf1:.3f}"),
        ("HOTA", f"{scores.hota:.3f}"),
        ("precision", f"{scores.precision:.3f}"),
        ("recall", f"{scores.recall:.3f}"),
        ("ID switches", str(scores.id_switches)),
        (
            "TP / FP / FN",
            f"{scores.true_positives} / {scores.false_positives} / {scores.false_negatives}",
        ),
        ("GT / predicted IDs", f"{scores.gt_ids} / {scores.predicted_ids}"),
    ]
    print(f"IoU threshold {args.iou:g}")
    for name, value in rows:
        print(f"  {name:<20} {value}")
    return 0
