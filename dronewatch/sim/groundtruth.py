"""Ground-truth boxes, the MOTChallenge text format they are written in, and which of
them count (conf 1) or are "don't care" (conf 0)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

MOVED_M = 1.0  # a target counts once it has been this far from where it was first seen


@dataclass(frozen=True, slots=True)
class GTBox:
    """A target's box in one frame, clipped to the image. ``frame`` is 1-based (MOT).
    ``conf`` is 1 for a target to find, 0 for MOTChallenge's "don't care" (see
    :func:`moved_by_frame`)."""

    frame: int
    id: int
    cls: int
    x: float
    y: float
    w: float
    h: float
    visibility: float
    conf: int = 1

    def to_mot_row(self) -> str:
        """``frame,id,x,y,w,h,conf,class,visibility`` with fixed decimals (stable bytes)."""
        return (
            f"{self.frame},{self.id},{self.x:.2f},{self.y:.2f},{self.w:.2f},{self.h:.2f},"
            f"{self.conf},{self.cls},{self.visibility:.3f}"
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


def moved_by_frame(xy: np.ndarray, first: int, min_move_m: float = MOVED_M) -> np.ndarray:
    """Whether a target has moved by each frame: some finite ground position (``xy``,
    (frames, 2) metres, NaN outside the world) at or before that frame lies at least
    ``min_move_m`` from its position at frame ``first`` (0-based, its first frame with a
    box).

    Why: DroneWatch finds targets by their motion, so a target that has not moved since
    it came into view (a parked vehicle, a person standing still) cannot be found. Its
    rows get conf 0, MOTChallenge's "don't care": neither a miss when unreported nor a
    false positive when reported. Once moved, a target stays counted when it stops again,
    because the tracker must hold targets that stop.
    """
    xy = np.asarray(xy, dtype=np.float64)
    dist = np.linalg.norm(xy - xy[first], axis=1)
    dist = np.where(np.isfinite(dist), dist, 0.0)
    return np.maximum.accumulate(dist) >= min_move_m


def with_motion_conf(
    boxes: Iterable[GTBox],
    tracks: Mapping[int, np.ndarray],
    first_frame: Mapping[int, int] | None = None,
) -> list[GTBox]:
    """``boxes`` with conf 0 where their target has not moved yet (:func:`moved_by_frame`).

    ``tracks``: target id -> its ground positions (frames, 2). ``first_frame``: target id
    -> its first 1-based frame with a box; by default the earliest frame among ``boxes``
    (right when ``boxes`` holds every frame from the start of the clip)."""
    boxes = list(boxes)
    first = dict(first_frame) if first_frame is not None else {}
    if first_frame is None:
        for b in boxes:
            first[b.id] = min(first.get(b.id, b.frame), b.frame)
    moved = {i: moved_by_frame(tracks[i], f - 1) for i, f in first.items() if i in tracks}
    return motion_conf(boxes, moved)


def motion_conf(boxes: Iterable[GTBox], moved: Mapping[int, np.ndarray]) -> list[GTBox]:
    """``boxes`` with conf from ``moved`` (target id -> :func:`moved_by_frame` of it);
    boxes of other targets are left as they are."""
    return [
        replace(b, conf=1 if bool(moved[b.id][b.frame - 1]) else 0) if b.id in moved else b
        for b in boxes
    ]


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
        f, i, x, y, w, h, conf, c, vis = line.split(",")
        out.append(
            GTBox(
                int(f),
                int(i),
                int(c),
                float(x),
                float(y),
                float(w),
                float(h),
                float(vis),
                int(float(conf)),
            )
        )
    return out
