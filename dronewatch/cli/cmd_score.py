"""``dronewatch score``: score a trainee's marks (or the detector's tracks) against
ground truth: hits, misses, false alarms, duplicates and reaction times."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dronewatch.errors import DroneWatchError
from dronewatch.training import (
    DEFAULT_MIN_VISIBLE_S,
    GROW_PX,
    GroundTruth,
    Mark,
    ScoreResult,
    detector_marks_from_mot,
    read_marks,
    score,
    vigilance_thirds,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score a trainee's marks against ground truth (hits, misses, reaction times)",
        description=(
            "Score marks against MOTChallenge ground truth. A mark (CSV with a header: "
            "time,x,y[,feed]; time in seconds from the clip start, x,y in pixels) hits a "
            f"target when it falls inside its box grown by {GROW_PX:g} px on each side in "
            "the frame nearest its time (the nearest box centre wins when several boxes "
            "hold it). The first mark on a target is the hit, later ones are duplicates, "
            "a mark on no target is a false alarm. Targets visible for less than "
            "--min-visible seconds are not counted (marks on them are 'uncounted'). "
            "Ground-truth rows with conf 0 are don't care (e.g. vehicles that never move): "
            "a target with only such rows is no target, a mark on such a box is "
            "'uncounted', and a target counts from its first conf 1 frame. "
            "Reaction time = mark time - that first time."
        ),
    )
    parser.add_argument(
        "--reference",
        required=True,
        action="append",
        metavar="[FEED=]GT.txt",
        help="ground truth (MOT rows); repeat as FEED=PATH to score marks per feed",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--marks", type=Path, metavar="MARKS.csv", help="the trainee's marks")
    source.add_argument(
        "--detector",
        type=Path,
        metavar="PRED.txt",
        help="score a MOT prediction file instead (each track marks once, where it starts)",
    )
    parser.add_argument("--fps", type=float, required=True, help="frame rate of the clip")
    parser.add_argument(
        "--min-visible",
        type=float,
        default=DEFAULT_MIN_VISIBLE_S,
        metavar="S",
        help=f"count only targets visible this long, in seconds (default: "
        f"{DEFAULT_MIN_VISIBLE_S:g})",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def _references(specs: list[str]) -> GroundTruth | dict[str, GroundTruth]:
    named = [spec.partition("=") for spec in specs]
    if len(specs) == 1 and not named[0][1]:
        return GroundTruth.load(specs[0])
    refs: dict[str, GroundTruth] = {}
    for feed, sep, path in named:
        if not sep or not feed or not path:
            raise DroneWatchError(
                f"--reference {feed}{sep}{path!s}: with several references each must be FEED=PATH"
            )
        if feed in refs:
            raise DroneWatchError(f"--reference: feed {feed!r} given twice")
        refs[feed] = GroundTruth.load(path)
    return refs


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(result: ScoreResult) -> str:
    lines = [
        f"hits {result.hits}  misses {result.misses}  false alarms {result.false_alarms}  "
        f"duplicates {result.duplicates}  uncounted {result.uncounted}",
        f"reaction time: mean {_fmt(result.mean_reaction_s)} s, "
        f"median {_fmt(result.median_reaction_s)} s",
        "",
    ]
    feed_col = any(t.feed is not None for t in result.targets)
    head = f"{'feed':<12} " if feed_col else ""
    lines.append(f"{head}{'target':>6}  {'first seen s':>12}  {'marked s':>9}  {'reaction s':>10}")
    for t in result.targets:
        feed = f"{t.feed:<12} " if feed_col else ""
        lines.append(
            f"{feed}{t.id:>6}  {t.first_seen_s:>12.2f}  {_fmt(t.marked_s):>9}  "
            f"{_fmt(t.reaction_s) if t.hit else 'missed':>10}"
        )
    lines.append("")
    lines.append(
        f"{'third':<6} {'from s':>7} {'to s':>7} {'targets':>8} {'hit rate':>9} "
        f"{'mean reaction s':>16}"
    )
    for third in vigilance_thirds(result):
        rate = "-" if third.hit_rate is None else f"{100 * third.hit_rate:.0f}%"
        lines.append(
            f"{third.index + 1:<6} {third.start_s:>7.1f} {third.end_s:>7.1f} "
            f"{third.targets:>8} {rate:>9} {_fmt(third.mean_reaction_s):>16}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    reference = _references(args.reference)
    marks: list[Mark]
    if args.marks is not None:
        marks = read_marks(args.marks)
    elif isinstance(reference, GroundTruth):
        marks = detector_marks_from_mot(args.detector, args.fps)
    else:
        raise DroneWatchError("--detector scores one feed: give a single --reference")
    result = score(reference, marks, args.fps, args.min_visible)
    if args.json:
        doc = result.to_dict()
        doc["thirds"] = [t.to_dict() for t in vigilance_thirds(result)]
        print(json.dumps(doc, indent=2))
    else:
        print(_table(result))
    return 0
