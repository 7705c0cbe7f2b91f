"""``dronewatch export``: the sightings log, tracks or a report, from the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dronewatch.paths import default_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    from dronewatch.exports import FORMATS

    p = subparsers.add_parser(
        "export",
        help="export sightings (csv, json, mot, cvat, geojson, kml, cot, html, pdf)",
        description="Export the sightings of the database: a log (csv, json), tracks "
        "(mot, cvat: one file per feed, in the --out folder when several feeds match), "
        "a map of ground positions (geojson, kml, cot: after dronewatch geo) "
        "or a report (html, pdf). Dismissed sightings are left out unless --status all.",
    )
    p.add_argument("--db", type=Path, help=f"sightings database (default: {default_db_path()})")
    p.add_argument("--format", "-f", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", "-o", type=Path, required=True, help="file (or folder) to write")
    p.add_argument("--feed", help="only this feed (clip name, or the video file)")
    p.add_argument("--from", dest="from_t", metavar="T", help="from this clip time (s or MM:SS)")
    p.add_argument("--to", dest="to_t", metavar="T", help="up to this clip time (s or MM:SS)")
    p.add_argument(
        "--status",
        choices=("confirmed", "all"),
        help="confirmed only, or all including dismissed (default: all but dismissed)",
    )
    p.add_argument("--title", default="Sightings report", help="title of html/pdf reports")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dronewatch.exports import ExportFilter, StatusFilter, export_sightings, parse_time

    filters = ExportFilter(
        feed=args.feed,
        from_s=parse_time(args.from_t) if args.from_t else None,
        to_s=parse_time(args.to_t) if args.to_t else None,
        status=StatusFilter(args.status) if args.status else StatusFilter.NOT_DISMISSED,
    )
    result = export_sightings(
        args.db or default_db_path(), args.format, args.out, filters, title=args.title
    )
    where = ", ".join(str(p) for p in result.paths)
    if not result.paths:
        print(f"no sightings match; nothing written to {args.out}", file=sys.stderr)
        return 0
    print(
        f"{result.sightings} sightings of {result.feeds} feed(s) exported to {where}",
        file=sys.stderr,
    )
    return 0
