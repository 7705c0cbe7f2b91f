"""``dronewatch gui``: the desktop app (also what ``dronewatch`` alone opens)."""

from __future__ import annotations

import argparse
from pathlib import Path

from dronewatch.errors import DroneWatchError

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_videos"


def bundled_samples() -> list[str]:
    """The sample clips shipped in the repository, in name order."""
    if not SAMPLES_DIR.is_dir():
        return []
    return [str(p) for p in sorted(SAMPLES_DIR.glob("*.mp4"))]


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    return w, h


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop app (the default command)",
        description="Open feeds in the desktop app. With no feeds, opens the bundled samples.",
    )
    parser.add_argument(
        "feeds",
        nargs="*",
        metavar="FILE_OR_FOLDER",
        help="video files, folders (of videos, or of numbered images), or sim:PRESET specs",
    )
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="render to PNG and exit")
    parser.add_argument("--at", type=float, default=0.0, metavar="SECONDS", help="time to show")
    parser.add_argument(
        "--window-size", type=_size, default=(1280, 800), metavar="WxH", help="window size"
    )
    parser.add_argument("--paused", action="store_true", help="start paused")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    feeds = list(args.feeds) or bundled_samples()
    if not feeds:
        raise DroneWatchError(f"no feeds given and no sample clips in {SAMPLES_DIR}")
    if args.at < 0:
        raise DroneWatchError(f"--at must be 0 or more seconds, got {args.at}")
    from ui.app import run_app

    return run_app(
        feeds, screenshot=args.screenshot, at=args.at, size=args.window_size, play=not args.paused
    )
