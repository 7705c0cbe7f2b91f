"""Ground-truth boxes and the MOTChallenge text format they are written in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GTBox:
    """A target's box in one frame, clipped to the image. ``frame`` is 1-based (MOT)."""

    frame: int
    id: int
    cls: int
    x: float
    y: float
    w: float
    h: float
    visibility: float

    def to_mot_row(self) -> str:
        """``frame,id,x,y,w,h,1,class,visibility`` with fixed decimals (stable bytes)."""
        return (
            f"{self.frame},{self.id},{self.x:.2f},{self.y:.2f},{self.w:.2f},{self.h:.2f},"
            f"1,{self.cls},{self.visibility:.3f}"
        )


def clip_box(
    frame: int,
    target_id: int,
    cls: int,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    width: int,
    height: int,
    min_side: float = 1.0,
) -> GTBox | None:
    """Clip an unclipped box to the image; None when less than ``min_side`` px remains."""
    area = max(x1 - x0, 0.0) * max(y1 - y0, 0.0)
    cx0, cy0 = max(x0, 0.0), max(y0, 0.0)
    cx1, cy1 = min(x1, float(width)), min(y1, float(height))
    w, h = cx1 - cx0, cy1 - cy0
    if w < min_side or h < min_side or area <= 0:
        return None
    return GTBox(frame, target_id, cls, cx0, cy0, w, h, min(1.0, w * h / area))


def write_mot(path: Path, boxes: Iterable[GTBox]) -> int:
    """Write rows sorted by frame then id; returns the number of rows."""
    rows = sorted(boxes, key=lambda b: (b.frame, b.id))
    text = "".join(b.to_mot_row() + "\n" for b in rows)
    path.write_text(text, encoding="ascii", newline="\n")
    return len(rows)


def read_mot(path: Path) -> list[GTBox]:
    """Parse a file written by :func:`write_mot` (also handy in tests)."""
    out = []
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        f, i, x, y, w, h, _conf, c, vis = line.split(",")
        out.append(
            GTBox(int(f), int(i), int(c), float(x), float(y), float(w), float(h), float(vis))
        )
    return out
