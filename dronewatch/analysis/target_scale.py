"""Whether a feed's targets are small: the window refiner knows only small ones.

The refiner's model learnt targets of 2-32 work px. On a feed whose targets are
bigger (walkers seen from a mast, a boat filling a tenth of the view) its 40 px
windows see their parts, which it takes for small targets of their own. So the
refiner works only while the feed's confirmed tracks are mostly small: a decaying
count of small and of big confirmed track-frames over the last seconds, small
winning. A feed starts undecided, and undecided is not small: until a track is
confirmed the detector's boxes go to the tracker as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dronewatch.analysis.box_geometry import longer_sides


@dataclass(frozen=True, slots=True)
class RefineGate:
    """What the analyser tells the detector before a frame: whether to refine at all,
    and the boxes (current-frame work px) of big confirmed targets, whose parts are
    not small targets of their own."""

    on: bool
    big: np.ndarray  # (N, 4) xyxy


class SmallTargetVote:
    """Feed it each frame's confirmed boxes (work px); :attr:`small` says which won."""

    def __init__(self, max_side: float, fps: float, memory_s: float = 2.0) -> None:
        self.max_side = max_side
        self._keep = float(np.exp(-1.0 / max(memory_s * fps, 1.0)))
        self._small = 0.0
        self._big = 0.0

    def see(self, xyxy: np.ndarray) -> np.ndarray:
        """``xyxy``: (N, 4) boxes of this frame's confirmed tracks; returns the big
        ones."""
        small = longer_sides(xyxy) <= self.max_side
        n_small = float(np.count_nonzero(small))
        self._small = self._small * self._keep + n_small
        self._big = self._big * self._keep + (len(small) - n_small)
        return xyxy[~small]

    @property
    def small(self) -> bool:
        return self._small > self._big
