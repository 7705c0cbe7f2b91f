"""``dronewatch bench archive``: archive throughput on 1, 2 and W local Dask workers."""

from __future__ import annotations

import argparse
import json

from dronewatch.config_overrides import add_set_option, overrides_of
from dronewatch.errors import DroneWatchError


def register(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "archive",
        help="footage-hours analysed per wall-hour on 1, 2 and W Dask workers",
        description="Generate N short simulated clips, analyse them on a loopback Dask "
        "LocalCluster of 1, 2 and W workers and print the throughput (footage-hours per "
        "wall-hour) and scaling efficiency as JSON.",
    )
    p.add_argument("--clips", type=int, default=8, help="clips to generate (default: 8)")
    p.add_argument("--workers", type=int, default=2, help="most workers (default: 2)")
    p.add_argument("--seconds", type=float, default=4.0, help="clip length (default: 4)")
    p.add_argument("--size", default="320x180", help="clip size (default: 320x180)")
    add_set_option(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.clips < 1 or args.workers < 1:
        raise DroneWatchError("--clips and --workers must be at least 1")
    from dronewatch.archive.bench import bench_archive

    result = bench_archive(args.clips, args.workers, args.seconds, args.size, overrides_of(args))
    print(json.dumps(result, indent=2))
    return 0
