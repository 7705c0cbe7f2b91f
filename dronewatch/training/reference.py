"""Ground truth for scoring: which target is where in each frame, and for how long.

Reads MOTChallenge rows ``frame,id,x,y,w,h[,conf,class,visibility]`` (frames 1-based),
as written by ``dronewatch simulate``. Rows with visibility 0 are left out: a target is
in a frame exactly when it has a row there.

Rows with conf 0 are MOTChallenge's "don't care" (our simulator writes them for targets
that have not yet moved, such as parked vehicles): they are kept, so that a mark on one
can be recognised and left neutral, but they do not make a target one to find. A
target's first frame and frames seen count only its conf 1 rows, so a target that
starts to move part-way through is to be found from its first conf 1 frame, and one
that never moves (only conf 0 rows) is no target at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from dronewatch.errors import DroneWatchError
from dronewatch.sim.groundtruth import GTBox


@dataclass(frozen=True, slots=True, eq=False)
class GroundTruth:
    """Boxes by 1-based frame (conf 0 ones included), plus each target's first frame and
    number of frames seen, both counting conf 1 boxes only.

    >>> from dronewatch.sim.groundtruth import GTBox
    >>> gt = GroundTruth.from_boxes([GTBox(1, 7, 2, 10, 10, 5, 8, 1.0)])
    >>> gt.first_seen_s(7, fps=25), gt.visible_s(7, fps=25)
    (0.0, 0.04)
    """

    by_frame: Mapping[int, tuple[GTBox, ...]]
    first_frame: Mapping[int, int]  # target id -> first 1-based frame with a conf 1 box
    frames_seen: Mapping[int, int]  # target id -> number of frames with a conf 1 box

    @classmethod
    def from_boxes(cls, boxes: Iterable[GTBox]) -> GroundTruth:
        by_frame: dict[int, list[GTBox]] = {}
        first: dict[int, int] = {}
        seen: dict[int, set[int]] = {}
        for box in boxes:
            if not box.visibility > 0:
                continue
            by_frame.setdefault(box.frame, []).append(box)
            if box.conf == 0:
                continue
            first[box.id] = min(first.get(box.id, box.frame), box.frame)
            seen.setdefault(box.id, set()).add(box.frame)
        return cls(
            MappingProxyType(
                {f: tuple(sorted(b, key=lambda x: x.id)) for f, b in by_frame.items()}
            ),
            MappingProxyType(dict(sorted(first.items()))),
            MappingProxyType({i: len(f) for i, f in sorted(seen.items())}),
        )

    @classmethod
    def from_track_points(cls, points: np.ndarray, *, first_frame: int = 0) -> GroundTruth:
        """From (N, >=6) rows ``track_id, frame, x1, y1, x2, y2`` as the store returns
        reference boxes (``reference_points``, frames 0-based there); all visible."""
        pts = np.asarray(points, dtype=np.float64)
        if pts.size == 0:
            return cls.from_boxes([])
        return cls.from_boxes(
            GTBox(int(f) - first_frame + 1, int(t), 0, x1, y1, x2 - x1, y2 - y1, 1.0)
            for t, f, x1, y1, x2, y2 in pts[:, :6].tolist()
        )

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        """Read a MOT file; raises DroneWatchError naming the file and line on bad rows."""
        return cls.from_boxes(read_reference_rows(path))

    @property
    def target_ids(self) -> tuple[int, ...]:
        """Targets to find: those with at least one conf 1 box."""
        return tuple(self.first_frame)

    @property
    def last_frame(self) -> int:
        """The last 1-based frame with a box (0 when there are none)."""
        return max(self.by_frame, default=0)

    def boxes_at(self, frame: int) -> tuple[GTBox, ...]:
        """Boxes in the 1-based ``frame``, conf 0 ones included (empty outside the
        reference)."""
        return self.by_frame.get(frame, ())

    def first_seen_s(self, target_id: int, fps: float) -> float:
        """When the target became one to find: its first conf 1 frame index (0-based) / fps."""
        return (self.first_frame[target_id] - 1) / fps

    def visible_s(self, target_id: int, fps: float) -> float:
        """How long the target is to be found: the number of frames with a conf 1 box / fps."""
        return self.frames_seen[target_id] / fps


def read_reference_rows(path: str | Path) -> list[GTBox]:
    """MOT rows (comma separated, at least 6 columns) as GTBoxes; conf 0 rows are kept
    with ``conf`` 0, any other conf becomes 1."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DroneWatchError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DroneWatchError(f"{path}: cannot read ({exc})") from None
    boxes: list[GTBox] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 6:
            raise DroneWatchError(f"{path}:{n}: expected at least 6 columns, got {len(parts)}")
        try:
            values = [float(p) for p in parts[:9]]
        except ValueError:
            raise DroneWatchError(f"{path}:{n}: not a number in {line.strip()!r}") from None
        if not all(math.isfinite(v) for v in values):
            raise DroneWatchError(f"{path}:{n}: not a finite number in {line.strip()!r}")
        frame, target, x, y, w, h = values[:6]
        conf = values[6] if len(values) > 6 else 1.0
        cls = int(values[7]) if len(values) > 7 else 0
        vis = values[8] if len(values) > 8 else 1.0
        if frame < 1 or frame != int(frame):
            raise DroneWatchError(f"{path}:{n}: frame must be a whole number >= 1, got {frame:g}")
        if w < 0 or h < 0:
            raise DroneWatchError(f"{path}:{n}: negative box size")
        boxes.append(GTBox(int(frame), int(target), cls, x, y, w, h, vis, 0 if conf == 0 else 1))
    return boxes
