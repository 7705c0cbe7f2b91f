"""``dronewatch bench``: performance benchmarks, one sub-command each.

``bench analyze CLIP`` is defined here. Other benchmarks plug in without touching this
file: a module ``dronewatch/cli/bench_<name>.py`` defining ``register(subparsers)``
(the ``bench`` sub-parsers) is discovered like the top-level ``cmd_*`` modules.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
from pathlib import Path

import dronewatch.cli as cli_package
from dronewatch.config_overrides import add_set_option, analysis_config, overrides_of


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bench",
        help="performance benchmarks (prints JSON)",
        description="Performance benchmarks; each prints one JSON object.",
    )
    bench = p.add_subparsers(dest="bench_command", metavar="BENCHMARK")
    p.set_defaults(func=lambda args: _missing(p))
    _register_analyze(bench)
    for module in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"{cli_package.__name__}.{module.name}").register(bench)


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _register_analyze(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "analyze",
        help="decode-only vs full-analysis frame rate of a clip",
        description="Decode CLIP once, then decode and analyse it, in the same process; "
        "print decode fps, analysis fps, their ratio, the real-time factor and peak memory.",
    )
    p.add_argument("clip", metavar="CLIP", help="video file (or any feed spec)")
    p.add_argument("--frames", type=int, help="stop after this many frames")
    p.add_argument("--model", type=Path, help="ONNX detection model to run as well")
    add_set_option(p)
    p.set_defaults(func=_run_analyze)


def _run_analyze(args: argparse.Namespace) -> int:
    from dronewatch.analysis.benchmark import bench_analyze

    overrides = overrides_of(args)
    config = analysis_config(overrides) if overrides else None
    result = bench_analyze(args.clip, args.frames, config, args.model, settings=dict(overrides))
    print(json.dumps(result.as_dict(), indent=2))
    return 0
