"""MOTChallenge rows of one clip: ``frame,id,x,y,w,h,score,-1,-1,-1``.

Frames are 1-based, boxes top-left plus width and height in pixels, rows ordered by frame
then track ID: the form MOT evaluation tools (and ``dronewatch evaluate``) read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dronewatch.exports.model import ExportRow


def render_clip(paths: Sequence[tuple[ExportRow, np.ndarray]]) -> bytes:
    """``paths``: each sighting with its boxes (N, 7) ``PATH_COLUMNS``."""
    lines: list[tuple[int, int, str]] = []
    for row, path in paths:
        for frame, _t, x1, y1, x2, y2, score in path.tolist():
            f = int(frame) + 1
            lines.append(
                (
                    f,
                    row.track,
                    f"{f},{row.track},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},"
                    f"{score:.4f},-1,-1,-1\n",
                )
            )
    lines.sort(key=lambda item: (item[0], item[1]))
    return "".join(text for _, _, text in lines).encode("ascii")
