"""``dronewatch simulate``: procedural drone footage with MOTChallenge ground truth."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dronewatch.sim import (
    DEFAULT_PRESET,
    PRESETS,
    SAMPLES,
    generate,
    make_scenario,
)
from dronewatch.sim.command_post import (
    COMMAND_POST,
    COMMAND_POST_DESCRIPTION,
    command_post_feeds,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="render a simulated drone feed (MP4 + ground truth + scenario JSON)",
        description=(
            "Render a procedural aerial scene seen by a moving drone camera. Writes "
            "NAME.mp4 (H.264), NAME.gt.txt (MOTChallenge: frame,id,x,y,w,h,conf,class,"
            "visibility; class 1 = vehicle, 2 = person; conf 0 = don't care, a target "
            "that has not yet moved 1 m, e.g. parked) and NAME.json (the scenario)."
        ),
    )
    parser.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        help=f"scene preset, or {COMMAND_POST} for a set of 9 feeds (default: {DEFAULT_PRESET})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="clip length in seconds (default: 20)"
    )
    parser.add_argument("--fps", type=float, default=25.0, help="frame rate (default: 25)")
    parser.add_argument(
        "--size", default="640x360", metavar="WxH", help="frame size (default: 640x360)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="output directory (default: .)"
    )
    parser.add_argument("--name", help="base name of the output files (default: preset name)")
    parser.add_argument(
        "--list-presets",
        "--list",
        dest="list_presets",
        action="store_true",
        help="list the presets and exit",
    )
    parser.add_argument(
        "--samples",
        action="store_true",
        help="write the bundled sample set (fixed presets and seeds) into --out",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--klv",
        action="store_true",
        help="also write NAME.ts (H.264 + MISB ST 0601 KLV, one packet per frame) and "
        "NAME.gt.geo.csv (frame,id,lat,lon of each target)",
    )
    parser.add_argument(
        "--origin",
        metavar="LAT,LON[,ALT]",
        help="with --klv: where the scene's origin is, ground altitude in metres above sea "
        "level (default: 51.2,-1.8,140); write --origin=-33.9,151.2 for a negative latitude",
    )
    parser.set_defaults(func=run)


def _klv_origin(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The GeoOrigin for --klv, or None (imported only then: the default path stays as it was)."""
    if not args.klv:
        if args.origin:
            print("dronewatch: --origin has no effect without --klv", file=sys.stderr)
        return None
    from dronewatch.sim.telemetry import GeoOrigin, parse_origin

    return parse_origin(args.origin) if args.origin else GeoOrigin()


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            end = "\n" if done == total else ""
            print(f"\r  {done}/{total} frames", end=end, file=sys.stderr, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    if args.list_presets:
        width = max(len(n) for n in (*PRESETS, COMMAND_POST))
        for name, preset in PRESETS.items():
            mark = " (default)" if name == DEFAULT_PRESET else ""
            print(f"{name:<{width}}  {preset.description}{mark}")
        print(f"{COMMAND_POST:<{width}}  {COMMAND_POST_DESCRIPTION}")
        return 0
    progress = _progress(not args.quiet)
    klv = _klv_origin(args)
    if args.samples:
        for spec in SAMPLES:
            scenario = make_scenario(
                spec.preset, seed=spec.seed, seconds=spec.seconds, fps=spec.fps, size=spec.size
            )
            print(generate(scenario, args.out, spec.name, progress=progress, klv=klv).summary())
        return 0
    if args.preset == COMMAND_POST:
        for feed in command_post_feeds(args.seed, args.name or COMMAND_POST):
            scenario = make_scenario(
                feed.preset, seed=feed.seed, seconds=args.seconds, fps=args.fps, size=args.size
            )
            print(generate(scenario, args.out, feed.name, progress=progress, klv=klv).summary())
        return 0
    scenario = make_scenario(
        args.preset, seed=args.seed, seconds=args.seconds, fps=args.fps, size=args.size
    )
    report = generate(scenario, args.out, args.name or args.preset, progress=progress, klv=klv)
    print(report.summary())
    return 0
