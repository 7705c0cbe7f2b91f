"""The ``dronewatch`` command line.

Each subcommand lives in a ``cmd_<name>.py`` module of this package that defines
``register(subparsers)``; modules are discovered, so adding a command touches one file.
With no subcommand, the desktop app opens on the bundled sample feeds.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from dronewatch import __version__
from dronewatch.errors import DroneWatchError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dronewatch",
        description="Watch, replay and review drone video feeds.",
    )
    parser.add_argument("--version", action="version", version=f"dronewatch {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{module.name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or (
        args_list[0].startswith("--")
        and args_list[0]
        not in (
            "--help",
            "--version",
        )
    ):
        args_list = ["gui", *args_list]
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except DroneWatchError as exc:
        print(f"dronewatch: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
