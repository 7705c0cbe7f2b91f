"""Immutable values that cross thread and module boundaries."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a feed knows about itself before the first frame is read."""

    fps: float
    width: int
    height: int
    frame_count: int | None  # None for unbounded feeds (streams)

    @property
    def duration(self) -> float | None:
        """Length in seconds, or None when unbounded."""
        if self.frame_count is None:
            return None
        return self.frame_count / self.fps

    def index_at(self, time_s: float) -> int:
        """Index of the frame on screen at ``time_s`` (the last frame that started by then)."""
        index = math.floor(time_s * self.fps + 1e-6)
        index = max(index, 0)
        if self.frame_count is not None:
            index = min(index, max(self.frame_count - 1, 0))
        return index

    def time_of(self, index: int) -> float:
        """Presentation time in seconds of frame ``index``."""
        return index / self.fps


@dataclass(frozen=True, slots=True)
class FramePacket:
    """One decoded frame: BGR uint8 image, 0-based index and presentation time."""

    index: int
    time_s: float
    image: np.ndarray

    def __post_init__(self) -> None:
        img = self.image
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(
                f"FramePacket.image must be HxWx3 uint8 BGR, got shape {img.shape} "
                f"dtype {img.dtype}"
            )
