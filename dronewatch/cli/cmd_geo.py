"""``dronewatch geo``: ground positions for an analysed clip from its KLV telemetry."""

from __future__ import annotations

import argparse
from pathlib import Path

from dronewatch.paths import default_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "geo",
        help="geo-reference an analysed clip from its KLV telemetry",
        description="Read the clip's MISB ST 0601 telemetry (its KLV data stream, or "
        "--klv FILE; a .ts of the same name beside the clip is used when the clip has "
        "none), compute each frame's ground footprint and the ground position of every "
        "stored box (its bottom centre), and store them for the geojson, kml and cot "
        "exports.",
    )
    p.add_argument("clip", type=Path, help="the analysed video file")
    p.add_argument("--db", type=Path, help=f"sightings database (default: {default_db_path()})")
    p.add_argument("--klv", type=Path, metavar="FILE", help="read the telemetry from FILE")
    p.add_argument(
        "--max-age",
        type=float,
        default=1.0,
        metavar="S",
        help="ignore telemetry older than S seconds at a frame (default: 1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dronewatch.geo import georeference_clip

    summary = georeference_clip(args.db or default_db_path(), args.clip, args.klv, args.max_age)
    print(summary.text())
    return 0 if summary.frames_located else 1
