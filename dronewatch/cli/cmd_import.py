"""``dronewatch import``: a sightings log (csv, json) or MOT ground truth into the db."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dronewatch.paths import default_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import",
        help="import a sightings log (csv, json) or MOT ground truth",
        description="Import a DroneWatch sightings log (the csv or json that export writes) "
        "as sightings of source 'import', or a MOTChallenge file (frame,id,x,y,w,h,...) as "
        "the reference layer of a clip. A malformed file imports nothing.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="log (.csv, .json) or MOT (.txt)")
    p.add_argument("--db", type=Path, help=f"sightings database (default: {default_db_path()})")
    p.add_argument(
        "--feed",
        type=Path,
        metavar="CLIP",
        help="the video the file describes (MOT: default NAME.mp4 beside NAME.gt.txt; "
        "logs: needed when the database does not know the feed yet)",
    )
    p.add_argument("--operator", help="name recorded in the edit log (default: login name)")
    p.set_defaults(func=run)


def _operator(name: str | None) -> str:
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def run(args: argparse.Namespace) -> int:
    from dronewatch.errors import DroneWatchError
    from dronewatch.review.log_import import import_log
    from dronewatch.review.reference import import_reference, looks_like_mot
    from dronewatch.store import Store

    path: Path = args.file
    if not path.is_file():
        raise DroneWatchError(f"{path}: file not found")
    is_log = path.suffix.lower() in (".csv", ".json")
    is_mot = not is_log and looks_like_mot(path.read_bytes()[:4096])
    if not is_log and not is_mot:
        raise DroneWatchError(
            f"{path}: not a sightings log (.csv, .json) nor MOTChallenge rows (frame,id,x,y,w,h)"
        )
    operator = _operator(args.operator)
    with Store(args.db or default_db_path()) as store:
        if is_mot:
            ref = import_reference(store, path, operator, args.feed)
            print(
                f"{ref.boxes} reference boxes of {ref.tracks} targets imported as the reference "
                f"layer of clip {ref.clip_id}"
                + (f" ({ref.ignored_rows} ignore rows skipped)" if ref.ignored_rows else ""),
                file=sys.stderr,
            )
            return 0
        result = import_log(store, path, operator, args.feed)
    extra = []
    if result.skipped_duplicates:
        extra.append(f"{result.skipped_duplicates} already present, skipped")
    if result.renumbered_tracks:
        extra.append(f"{result.renumbered_tracks} given new track IDs")
    print(
        f"{result.imported} sightings of {len(result.feeds)} feed(s) imported"
        + (f" ({'; '.join(extra)})" if extra else ""),
        file=sys.stderr,
    )
    return 0
