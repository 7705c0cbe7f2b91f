"""``--set KEY=VALUE`` overrides of the analysis engine's tunables.

Overrides are checked against :class:`~dronewatch.analysis.config.AnalysisConfig` when
they are given, so a typo fails before any clip is analysed, and they travel to worker
processes as :data:`Overrides`: ``(dotted key, value)`` pairs of plain scalars, which
pickle, hash and print the same everywhere.
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from dataclasses import fields, is_dataclass
from typing import Any

from dronewatch.analysis.config import AnalysisConfig

Scalar = bool | int | float | str | None
Overrides = tuple[tuple[str, Scalar], ...]

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", type(None): "null"}


def parse_override(text: str) -> tuple[str, Scalar]:
    """``"tracker.max_age_s=2.5"`` -> ``("tracker.max_age_s", 2.5)``, checked.

    The value is read as JSON (``true``, ``null``, ``3``, ``"x"``), else taken as a plain
    string. Raises ValueError with a one-line message naming the key.
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key, check_override(key, value)


def check_override(key: str, value: Any) -> Scalar:
    """Return ``value`` as the setting ``key`` takes it (an int becomes a float where a
    float is expected); raise ValueError naming the key and what is valid."""
    hint = _setting_hint(key)
    if typing.get_origin(hint) is typing.Literal:
        choices = typing.get_args(hint)
        if isinstance(value, bool) or value not in choices:
            valid = ", ".join(json.dumps(c) for c in choices)
            raise ValueError(f"{key} expects one of {valid}, got {json.dumps(value)}")
        return value
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if isinstance(value, bool):
        kind: type = bool  # bool is an int to isinstance, but not a valid int setting
    elif isinstance(value, int) and int not in allowed and float in allowed:
        return float(value)
    else:
        kind = type(value)
    if kind not in allowed:
        expected = " or ".join(_TYPE_NAMES[t] for t in allowed)
        got = _TYPE_NAMES.get(kind, kind.__name__)
        raise ValueError(f"{key} expects {expected}, got {json.dumps(value)} ({got})")
    return value


def add_set_option(parser: argparse.ArgumentParser) -> None:
    """The repeatable ``--set KEY=VALUE`` option, collected in ``args.overrides``; a bad
    one is a usage error (exit 2) before anything runs."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        type=_override_argument,
        default=[],
        metavar="KEY=VALUE",
        help="change an analysis setting, e.g. tracker.max_age_s=2.5 (repeatable; VALUE is "
        "JSON, else a string)",
    )


def overrides_of(args: argparse.Namespace) -> Overrides:
    """The ``--set`` pairs of parsed ``args``; a repeated key: the last one wins."""
    return tuple(dict(args.overrides).items())


def _override_argument(text: str) -> tuple[str, Scalar]:
    try:
        return parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def analysis_config(overrides: Overrides) -> AnalysisConfig:
    """The default config with ``overrides`` applied (later pairs win)."""
    return AnalysisConfig().with_overrides(dict(overrides))


def _setting_hint(key: str) -> Any:
    """The type annotation of the setting ``key`` (a scalar type, a union of them, or a
    ``Literal`` of the words it accepts)."""
    obj: Any = AnalysisConfig()
    parts = key.split(".")
    for depth, name in enumerate(parts):
        if not is_dataclass(obj):
            raise ValueError(f"unknown setting {key!r}: {'.'.join(parts[:depth])} is a value")
        names = [f.name for f in fields(obj)]
        if name not in names:
            raise ValueError(f"unknown setting {key!r}; {_valid_names(obj, parts[:depth])}")
        hint = typing.get_type_hints(type(obj))[name]
        obj = getattr(obj, name)
    if is_dataclass(obj):
        raise ValueError(f"{key!r} is a section; {_valid_names(obj, parts)}")
    return hint


def _valid_names(section: Any, prefix: list[str]) -> str:
    leaves = [f.name for f in fields(section) if not is_dataclass(getattr(section, f.name))]
    subsections = [f.name for f in fields(section) if is_dataclass(getattr(section, f.name))]
    if not prefix:
        return f"sections: {', '.join(subsections)}; settings: {', '.join(leaves)}"
    return f"{'.'.join(prefix)} settings: {', '.join(leaves)}"
