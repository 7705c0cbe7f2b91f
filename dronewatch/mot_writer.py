"""MOTChallenge text output of confirmed tracks.

One row per confirmed track per frame: ``frame,id,x,y,w,h,score,-1,-1,-1`` with 1-based
frames and top-left/width/height boxes in pixels, the form MOT evaluation tools read.
A track is written from the frame it was first seen in, before the tracker confirmed it
(:attr:`FrameAnalysis.earlier`): rows wait ``hold_frames`` frames so that those earlier
rows still go out in frame order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from dronewatch.analysis.types import EarlierBox, FrameAnalysis, TrackState
from dronewatch.errors import DroneWatchError


def mot_row(frame_index: int, track: TrackState | EarlierBox) -> str:
    """The MOT line for ``track`` in the 0-based frame ``frame_index`` (with newline)."""
    x1, y1, x2, y2 = track.xyxy
    return (
        f"{frame_index + 1},{track.track_id},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},"
        f"{track.score:.4f},-1,-1,-1\n"
    )


class MotWriter:
    """Writes one clip's confirmed tracks to ``path`` as frames are analysed.
    ``hold_frames``: how far back a newly confirmed track may reach (the tracker's
    tentative window); rows are written that many frames late, in frame order."""

    def __init__(self, path: str | Path, hold_frames: int = 0) -> None:
        self.path = Path(path)
        self.rows = 0
        self._hold = max(0, hold_frames)
        self._pending: dict[int, list[str]] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh: TextIO = self.path.open("w", encoding="ascii", newline="\n")
        except OSError as exc:
            raise DroneWatchError(
                f"{self.path}: cannot write MOT file ({exc.strerror or exc})"
            ) from None

    def write(self, analysis: FrameAnalysis) -> None:
        for e in analysis.earlier:
            self._pending.setdefault(e.index, []).append(mot_row(e.index, e))
        tracks = analysis.confirmed_tracks
        if tracks:
            rows = self._pending.setdefault(analysis.index, [])
            rows.extend(mot_row(analysis.index, t) for t in tracks)
        self._flush(analysis.index - self._hold)

    def _flush(self, up_to: int | None = None) -> None:
        """Write the pending rows of the frames up to ``up_to`` (all when None)."""
        frames = sorted(f for f in self._pending if up_to is None or f <= up_to)
        if not frames:
            return
        rows = [row for f in frames for row in self._pending.pop(f)]
        try:
            self._fh.write("".join(rows))
        except OSError as exc:
            raise DroneWatchError(
                f"{self.path}: cannot write MOT file ({exc.strerror or exc})"
            ) from None
        self.rows += len(rows)

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self._fh.close()

    def __enter__(self) -> MotWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
