"""Trainee marks: "I see a target here, now", read from a CSV file.

The file has a header row naming the columns ``time`` (seconds from the clip start),
``x`` and ``y`` (pixels in the frame) and optionally ``feed``; other columns are ignored.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from dronewatch.errors import DroneWatchError

REQUIRED_COLUMNS = ("time", "x", "y")


@dataclass(frozen=True, slots=True)
class Mark:
    """One click. ``line`` is the CSV line it came from (None when made in code).

    >>> Mark(1.5, 320.0, 180.0).frame_index(fps=25)
    38
    """

    time_s: float
    x: float
    y: float
    feed: str | None = None
    line: int | None = None

    def frame_index(self, fps: float) -> int:
        """The 0-based frame nearest the mark's time (halves round up; the 1e-9 keeps a
        decimal half such as 0.58 s at 25 fps, 14.499999... in binary, rounding up)."""
        return math.floor(self.time_s * fps + 0.5 + 1e-9)


def _number(path: Path, line: int, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DroneWatchError(f"{path}:{line}: {name} is not a number: {text!r}") from None
    if not math.isfinite(value):
        raise DroneWatchError(f"{path}:{line}: {name} is not finite: {text!r}")
    if value < 0:
        raise DroneWatchError(f"{path}:{line}: {name} must not be negative: {text!r}")
    return value


def read_marks(path: str | Path) -> list[Mark]:
    """All marks of a CSV file, in file order.

    Raises DroneWatchError ``FILE:LINE: reason`` for a missing header, a missing column,
    a wrong number of fields, or a time or coordinate that is not a non-negative number.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DroneWatchError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DroneWatchError(f"{path}: cannot read ({exc})") from None
    rows = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), 1) if any(row)]
    if not rows:
        raise DroneWatchError(f"{path}: empty file (a header row time,x,y[,feed] is required)")
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise DroneWatchError(
            f"{path}:{header_line}: header must name the columns time,x,y[,feed]; "
            f"missing {', '.join(missing)} in {','.join(header)!r}"
        )
    col = {name: names.index(name) for name in (*REQUIRED_COLUMNS, "feed") if name in names}
    marks: list[Mark] = []
    for n, row in rows[1:]:
        if len(row) != len(names):
            raise DroneWatchError(
                f"{path}:{n}: expected {len(names)} fields as in the header, got {len(row)}"
            )
        t, x, y = (_number(path, n, c, row[col[c]].strip()) for c in REQUIRED_COLUMNS)
        feed = (row[col["feed"]].strip() or None) if "feed" in col else None
        marks.append(Mark(t, x, y, feed, n))
    return marks
