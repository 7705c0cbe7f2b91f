"""MOTChallenge text output of confirmed tracks.

One row per confirmed track per frame: ``frame,id,x,y,w,h,score,-1,-1,-1`` with 1-based
frames and top-left/width/height boxes in pixels, the form MOT evaluation tools read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from dronewatch.analysis.types import FrameAnalysis, TrackState
from dronewatch.errors import DroneWatchError


def mot_row(frame_index: int, track: TrackState) -> str:
    """The MOT line for ``track`` in the 0-based frame ``frame_index`` (with newline)."""
    x1, y1, x2, y2 = track.xyxy
    return (
        f"{frame_index + 1},{track.track_id},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},"
        f"{track.score:.4f},-1,-1,-1\n"
    )


class MotWriter:
    """Writes one clip's confirmed tracks to ``path`` as frames are analysed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh: TextIO = self.path.open("w", encoding="ascii", newline="\n")
        except OSError as exc:
            raise DroneWatchError(
                f"{self.path}: cannot write MOT file ({exc.strerror or exc})"
            ) from None

    def write(self, analysis: FrameAnalysis) -> None:
        tracks = analysis.confirmed_tracks
        if tracks:
            try:
                self._fh.write("".join(mot_row(analysis.index, t) for t in tracks))
            except OSError as exc:
                raise DroneWatchError(
                    f"{self.path}: cannot write MOT file ({exc.strerror or exc})"
                ) from None
            self.rows += len(tracks)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> MotWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
