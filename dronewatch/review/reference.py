"""Ground truth (MOTChallenge files) as a clip's reference layer.

Reference boxes are kept apart from sightings (table ``reference_boxes``): they are what
someone else says was there, drawn beside our tracks in their own colour, never counted
as sightings. The GUI gets them for a whole clip in one query
(:meth:`~dronewatch.store.SightingsReader.reference_points`, the layout of
``clip_track_points``) and can hold them in a ``TrackIndex`` of their own.

Rows are ``frame,id,x,y,w,h[,conf[,class[,visibility]]][,...]`` with 1-based frames.
Rows with ``conf`` 0 are "ignore" regions in MOTChallenge ground truth and are skipped.
Class numbers are named from the simulator's scenario file (``NAME.json`` beside
``NAME.gt.txt``) when there is one; otherwise they stay numbers and the class unknown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from dronewatch.analysis.types import TargetClass
from dronewatch.errors import DroneWatchError
from dronewatch.review.log_import import clip_of_video
from dronewatch.review.log_parse import LogFormatError
from dronewatch.sources.video_file import VIDEO_SUFFIXES
from dronewatch.store import ReferenceRow, Store


@dataclass(frozen=True, slots=True)
class ReferenceImport:
    path: Path
    clip_id: int
    boxes: int
    ignored_rows: int
    tracks: int


def looks_like_mot(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)[0].strip()
    cells = first.split(b",")
    if len(cells) < 6:
        return False
    try:
        [float(c) for c in cells[:6]]
    except ValueError:
        return False
    return True


def class_names(gt_path: Path) -> dict[int, TargetClass]:
    """Class numbers of the simulator's scenario file next to ``NAME.gt.txt``, if any."""
    name = gt_path.name.removesuffix(".txt").removesuffix(".gt")
    scenario = gt_path.with_name(f"{name}.json")
    try:
        ids = json.loads(scenario.read_text(encoding="utf-8")).get("class_ids", {})
        return {int(k): TargetClass(v) for k, v in ids.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def video_beside(gt_path: Path) -> Path | None:
    """``NAME.mp4`` (or another video) beside ``NAME.gt.txt``."""
    name = gt_path.name.removesuffix(".txt").removesuffix(".gt")
    for suffix in sorted(VIDEO_SUFFIXES):
        candidate = gt_path.with_name(name + suffix)
        if candidate.is_file():
            return candidate
    return None


def parse_mot(path: Path, data: bytes) -> tuple[list[ReferenceRow], int]:
    """The rows of a MOT file and how many ``conf 0`` rows were skipped."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LogFormatError(path, line, "not a MOTChallenge text file (non-ASCII bytes)") from None
    names = class_names(path)
    rows: list[ReferenceRow] = []
    seen: set[tuple[int, int]] = set()
    ignored = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 6:
            raise LogFormatError(path, number, f"expected at least 6 fields, found {len(cells)}")
        try:
            values = [float(c) for c in cells[:9]]
        except ValueError:
            bad = next(c for c in cells[:9] if not _is_number(c))
            raise LogFormatError(path, number, f"{bad!r} is not a number") from None
        if not all(math.isfinite(v) for v in values):
            raise LogFormatError(path, number, "numbers must be finite")
        frame, track, x, y, w, h = values[:6]
        if frame != int(frame) or frame < 1:
            raise LogFormatError(path, number, f"frame must be a whole number >= 1, got {cells[0]}")
        if track != int(track):
            raise LogFormatError(path, number, f"id must be a whole number, got {cells[1]}")
        if w < 0 or h < 0:
            raise LogFormatError(path, number, f"width and height must be >= 0, got {w:g}, {h:g}")
        conf = values[6] if len(values) > 6 else 1.0
        if conf == 0:
            ignored += 1
            continue
        class_id = int(values[7]) if len(values) > 7 else -1
        if (int(frame), int(track)) in seen:
            raise LogFormatError(path, number, f"id {int(track)} twice in frame {int(frame)}")
        seen.add((int(frame), int(track)))
        rows.append(
            ReferenceRow(
                frame=int(frame) - 1,
                track_id=int(track),
                x1=x,
                y1=y,
                x2=x + w,
                y2=y + h,
                score=conf,
                class_id=class_id,
                target_class=names.get(class_id, TargetClass.UNKNOWN),
                visibility=values[8] if len(values) > 8 else -1.0,
            )
        )
    return rows, ignored


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def import_reference(
    store: Store, path: str | Path, operator: str, video: str | Path | None = None
) -> ReferenceImport:
    """Set the reference layer of ``video``'s clip (default: the video beside the file)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DroneWatchError(f"{path}: cannot read ({exc.strerror or exc})") from None
    rows, ignored = parse_mot(path, data)
    target = Path(video) if video else video_beside(path)
    if target is None:
        raise DroneWatchError(
            f"{path}: which video is this ground truth for? pass --feed VIDEO (nothing imported)"
        )
    clip_id = clip_of_video(store, target)
    count = store.set_reference_boxes(clip_id, rows, str(path), operator)
    return ReferenceImport(path, clip_id, count, ignored, len({r.track_id for r in rows}))
