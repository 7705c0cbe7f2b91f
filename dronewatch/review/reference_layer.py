"""A clip's reference (ground truth) boxes by frame, and how exported clips draw them.

The layer loads in one query into a :class:`~dronewatch.live.track_index.TrackIndex` of
its own, so a view asks ``index.tracks_at(frame)`` for the reference boxes exactly as it
does for tracks. Reference boxes are drawn dashed, in one colour whatever the class, so
they never read as our own detections.

Example::

    with SightingsReader(db) as reader:
        reference = load_reference_index(reader, clip.id)
    if reference is not None:
        draw_reference_boxes(image, reference.tracks_at(frame))
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from dronewatch.analysis.types import TrackState
from dronewatch.live.track_index import TrackIndex
from dronewatch.store import SightingsReader

REFERENCE_COLOR = (255, 255, 0)  # BGR cyan: apart from every class colour
DASH_PX = 6


def load_reference_index(reader: SightingsReader, clip_id: int) -> TrackIndex | None:
    """The clip's reference boxes by frame, or None when it has no reference layer."""
    points, classes = reader.reference_points(clip_id)
    if not len(points):
        return None
    index = TrackIndex()
    index.load_points(points, classes)
    return index


def _dashed_line(
    img: np.ndarray, a: tuple[int, int], b: tuple[int, int], color, thick: int
) -> None:
    length = max(abs(b[0] - a[0]), abs(b[1] - a[1]))
    for start in range(0, length + 1, 2 * DASH_PX):
        end = min(start + DASH_PX, length)
        p = (
            a[0] + (b[0] - a[0]) * start // max(length, 1),
            a[1] + (b[1] - a[1]) * start // max(length, 1),
        )
        q = (
            a[0] + (b[0] - a[0]) * end // max(length, 1),
            a[1] + (b[1] - a[1]) * end // max(length, 1),
        )
        cv2.line(img, p, q, color, thick, cv2.LINE_AA)


def draw_reference_boxes(
    img: np.ndarray, boxes: Sequence[TrackState], scale: float | None = None
) -> None:
    """Dashed boxes with a small ``GT id`` label, drawn in place on ``img``."""
    scale = scale or max(0.6, img.shape[0] / 480.0)
    thick = max(1, round(scale))
    for box in boxes:
        x1, y1, x2, y2 = (round(v) for v in box.xyxy)
        for a, b in (
            ((x1, y1), (x2, y1)),
            ((x2, y1), (x2, y2)),
            ((x2, y2), (x1, y2)),
            ((x1, y2), (x1, y1)),
        ):
            _dashed_line(img, a, b, REFERENCE_COLOR, thick)
        cv2.putText(
            img,
            f"GT {box.track_id}",
            (x1, y2 + round(12 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.35 * scale,
            REFERENCE_COLOR,
            thick,
            cv2.LINE_AA,
        )
