"""``dronewatch render``: a clip (or one still) with the stored tracks burnt in."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dronewatch.errors import DroneWatchError
from dronewatch.paths import default_db_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "render",
        help="write an annotated clip (or a PNG still) from stored tracks",
        description="Burn the overlays of the live view (boxes, IDs, trails, HUD) into a "
        "stretch of FEED, from the tracks stored for it in the database. Writes H.264 MP4 "
        "(or MPEG-4 when this FFmpeg has no H.264 encoder). With --at and a .png --out, "
        "writes one frame instead.",
    )
    p.add_argument("feed", type=Path, metavar="FEED", help="the video file")
    p.add_argument("--db", type=Path, help=f"sightings database (default: {default_db_path()})")
    p.add_argument("--out", "-o", type=Path, required=True, help="clip.mp4 (or still.png)")
    p.add_argument("--from", dest="from_t", metavar="T", help="start (s or MM:SS; default 0)")
    p.add_argument("--to", dest="to_t", metavar="T", help="end (s or MM:SS; default: the end)")
    p.add_argument("--at", metavar="T", help="write the frame at T as a PNG still")
    for what in ("boxes", "ids", "trails", "hud"):
        p.add_argument(f"--no-{what}", action="store_true", help=f"leave out the {what}")
    p.add_argument("--with-dismissed", action="store_true", help="also draw dismissed sightings")
    p.add_argument(
        "--reference",
        action="store_true",
        help="also draw the imported ground truth (dashed cyan boxes)",
    )
    p.set_defaults(func=run)


class _Progress:
    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.tty and (now - self._drawn > 0.1 or done == total):
            self._drawn = now
            sys.stderr.write(f"\rrendering frame {done}/{total}")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from dronewatch.annotate import OverlayOptions
    from dronewatch.exports.clip import render_clip, write_snapshot
    from dronewatch.exports.model import parse_time

    db = args.db or default_db_path()
    options = OverlayOptions(
        boxes=not args.no_boxes, ids=not args.no_ids, trails=not args.no_trails, hud=not args.no_hud
    )
    if args.at is not None:
        if args.out.suffix.lower() != ".png":
            raise DroneWatchError(f"{args.out}: a still is written as PNG; name it .png")
        path = write_snapshot(
            args.feed, db, parse_time(args.at), args.out, options, reference=args.reference
        )
        print(f"still written to {path}", file=sys.stderr)
        return 0
    progress = _Progress()
    result = render_clip(
        args.feed,
        db,
        args.out,
        parse_time(args.from_t) if args.from_t else None,
        parse_time(args.to_t) if args.to_t else None,
        options,
        include_dismissed=args.with_dismissed,
        reference=args.reference,
        progress=progress,
    )
    if progress.tty:
        sys.stderr.write("\n")
    if result.note:
        print(f"dronewatch: note: {result.note}", file=sys.stderr)
    print(
        f"{result.frames} frames ({result.width}x{result.height}, {result.codec}) written to "
        f"{result.path}",
        file=sys.stderr,
    )
    return 0
