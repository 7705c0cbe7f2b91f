"""``dronewatch gui``: the desktop app (also what ``dronewatch`` alone opens)."""

from __future__ import annotations

import argparse
from pathlib import Path

from dronewatch.analysis_settings import AnalysisSettings
from dronewatch.config_overrides import add_set_option, overrides_of
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
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help="sightings database (default: sightings.db in the user data folder)",
    )
    parser.add_argument(
        "--no-analysis", action="store_true", help="open feeds without detection and tracking"
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        metavar="FILE",
        help="restore the open feeds, layout and overlays from FILE and save them there on exit "
        "(default: the user config folder; screenshots use none unless given)",
    )
    parser.add_argument(
        "--select-sighting",
        action="store_true",
        help="with --screenshot: select the sighting on screen at --at",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="FILE",
        help="YOLO-style ONNX detector to merge with motion detection (as in analyze)",
    )
    add_set_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    feeds = list(args.feeds) or bundled_samples()
    if not feeds and not args.feeds and args.workspace is None:
        raise DroneWatchError(f"no feeds given and no sample clips in {SAMPLES_DIR}")
    if args.at < 0:
        raise DroneWatchError(f"--at must be 0 or more seconds, got {args.at}")
    settings = analysis_settings(args)
    from dronewatch.paths import default_db_path
    from dronewatch.workspace import default_workspace_path
    from ui.app import AppOptions, run_app

    workspace = args.workspace
    if workspace is None and args.screenshot is None:
        workspace = default_workspace_path()
    return run_app(
        AppOptions(
            feeds=list(args.feeds) if args.feeds or workspace_has_feeds(workspace) else feeds,
            db_path=args.db or default_db_path(),
            screenshot=args.screenshot,
            at=args.at,
            size=args.window_size,
            play=not args.paused,
            analyse=not args.no_analysis,
            workspace=workspace,
            select_sighting=args.select_sighting,
            settings=settings,
        )
    )


def workspace_has_feeds(path: Path | None) -> bool:
    """True when a saved workspace will reopen feeds (so the samples are not needed)."""
    if path is None or not path.exists():
        return False
    from dronewatch.workspace import Workspace

    try:
        return bool(Workspace.load(path).feeds)
    except DroneWatchError:
        return False


def analysis_settings(args: argparse.Namespace) -> AnalysisSettings:
    """The analysis settings ``--model`` and ``--set`` ask for; a missing or unloadable
    model fails here, before the window opens."""
    from dronewatch.cli.cmd_analyze import check_model
    from dronewatch.sightings.clip_job import DEFAULT_ANALYZER

    overrides = overrides_of(args)
    check_model(DEFAULT_ANALYZER, args.model, overrides)
    model = str(args.model.resolve()) if args.model is not None else None
    return AnalysisSettings(DEFAULT_ANALYZER, model, overrides)
