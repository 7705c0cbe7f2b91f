"""``dronewatch bench gui``: the real window, offscreen, N feeds, analysis on."""

from __future__ import annotations

import argparse
import json

from dronewatch.errors import DroneWatchError


def register(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "gui",
        help="displayed and analysed frame rates of the real window on N feeds",
        description="Run the main window offscreen on N copies of the sample feeds, first "
        "display-only (baseline), then with analysis; print JSON per tile and for the process.",
    )
    p.add_argument("--feeds", type=int, default=4, help="number of feeds (default 4)")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds per phase (default 10)")
    p.add_argument("--no-baseline", action="store_true", help="skip the display-only phase")
    p.set_defaults(func=_run)
    r = bench.add_parser(
        "reopen",
        help="time to bring back the full timeline of a previously analysed long clip",
        description="Make a long clip and a stored analysis of it; time opening it display-only "
        "(baseline) and with its whole timeline loaded from the store.",
    )
    r.add_argument("--minutes", type=float, default=10.0, help="clip length (default 10)")
    r.set_defaults(func=_run_reopen)


def _run_reopen(args: argparse.Namespace) -> int:
    if args.minutes <= 0:
        raise DroneWatchError("--minutes must be positive")
    from ui.bench_reopen import run_bench_reopen

    print(json.dumps(run_bench_reopen(args.minutes), indent=2))
    return 0


def _run(args: argparse.Namespace) -> int:
    from dronewatch.cli.cmd_gui import bundled_samples

    if args.feeds < 1 or args.seconds <= 0:
        raise DroneWatchError("--feeds must be 1 or more and --seconds positive")
    samples = bundled_samples()
    if not samples:
        raise DroneWatchError("no sample clips to benchmark with (sample_videos/ is empty)")
    from ui.bench_gui import run_bench_gui

    result = run_bench_gui(args.feeds, args.seconds, samples, baseline=not args.no_baseline)
    print(json.dumps(result, indent=2))
    return 0
