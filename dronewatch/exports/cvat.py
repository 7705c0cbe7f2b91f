"""CVAT for video 1.1 XML of one clip: one ``<track>`` of ``<box>`` elements per sighting.

Every stored box is a keyframe. Where a sighting was not seen for some frames, a box with
``outside="1"`` marks the gap, and one more closes the track after its last frame, as
CVAT expects (otherwise it would interpolate across the gap and run the track to the end
of the video).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import numpy as np

from dronewatch.analysis.types import TargetClass
from dronewatch.exports.model import ExportRow
from dronewatch.store import ClipRecord

# CVAT's own names for where a shape came from.
_CVAT_SOURCE = {"machine": "auto", "operator": "manual", "import": "file"}


def _box(
    track: ET.Element, frame: int, xyxy: tuple[float, float, float, float], outside: bool
) -> None:
    x1, y1, x2, y2 = xyxy
    ET.SubElement(
        track,
        "box",
        {
            "frame": str(frame),
            "keyframe": "1",
            "outside": "1" if outside else "0",
            "occluded": "0",
            "xtl": f"{x1:.2f}",
            "ytl": f"{y1:.2f}",
            "xbr": f"{x2:.2f}",
            "ybr": f"{y2:.2f}",
            "z_order": "0",
        },
    )


def _meta(root: ET.Element, clip: ClipRecord) -> None:
    meta = ET.SubElement(root, "meta")
    task = ET.SubElement(meta, "task")
    frames = clip.frame_count or clip.frames_analysed or 0
    for tag, text in (
        ("id", str(clip.id)),
        ("name", clip.name),
        ("size", str(frames)),
        ("mode", "interpolation"),
        ("overlap", "0"),
        ("start_frame", "0"),
        ("stop_frame", str(max(frames - 1, 0))),
        ("frame_filter", ""),
    ):
        ET.SubElement(task, tag).text = text
    labels = ET.SubElement(task, "labels")
    for cls in TargetClass:
        label = ET.SubElement(labels, "label")
        ET.SubElement(label, "name").text = cls.value
        ET.SubElement(label, "attributes")
    size = ET.SubElement(task, "original_size")
    ET.SubElement(size, "width").text = str(clip.width)
    ET.SubElement(size, "height").text = str(clip.height)
    source = ET.SubElement(task, "source")
    source.text = clip.name
    ET.SubElement(meta, "dumped").text = time.strftime("%Y-%m-%d %H:%M:%S.000000%z")


def render_clip(clip: ClipRecord, paths: Sequence[tuple[ExportRow, np.ndarray]]) -> bytes:
    root = ET.Element("annotations")
    ET.SubElement(root, "version").text = "1.1"
    _meta(root, clip)
    last_frame = (clip.frame_count or 0) - 1
    for track_no, (row, path) in enumerate(paths):
        if not len(path):
            continue
        track = ET.SubElement(
            root,
            "track",
            {
                "id": str(track_no),
                "label": row.target_class,
                "source": _CVAT_SOURCE.get(row.source, "manual"),
            },
        )
        previous: tuple[int, tuple[float, float, float, float]] | None = None
        for frame_f, _t, x1, y1, x2, y2, _score in path.tolist():
            frame = int(frame_f)
            if previous is not None and frame > previous[0] + 1:
                _box(track, previous[0] + 1, previous[1], outside=True)
            previous = (frame, (x1, y1, x2, y2))
            _box(track, frame, previous[1], outside=False)
        assert previous is not None
        if last_frame < 0 or previous[0] < last_frame:
            _box(track, previous[0] + 1, previous[1], outside=True)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")
