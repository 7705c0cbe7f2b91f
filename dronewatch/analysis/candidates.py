"""The boxes one frame offers the tracker, with what each box is.

The detector's flags ride along with the boxes as one struct of arrays: a box found as
a warm blob, a box from a blob too small to be a target on its own (a piece), the
model's class. A new flag is a new field here, not a new argument on every function
between the detector and the trackers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Candidates:
    """N boxes in work-image pixels and their flags, all arrays of N rows."""

    xyxy: np.ndarray  # (N, 4) float32
    confidence: np.ndarray  # (N,) float32
    class_id: np.ndarray  # (N,) int16: 0 for a motion blob (no class), else the model's
    hot: np.ndarray  # (N,) bool: found as a warm blob rather than a mover
    # (N,) bool: from a blob under ``detector.piece_area`` px: a part of a target for
    # the tracker, never a target of its own (see MotionDetectorConfig.piece_area)
    piece: np.ndarray

    @classmethod
    def of(
        cls,
        xyxy: np.ndarray,
        confidence: np.ndarray | None = None,
        *,
        class_id: np.ndarray | None = None,
        hot: np.ndarray | None = None,
        piece: np.ndarray | None = None,
    ) -> Candidates:
        """Boxes with the flags not given at their defaults: confidence 1, no class,
        not warm, not pieces."""
        boxes = np.asarray(xyxy, np.float32).reshape(-1, 4)
        n = len(boxes)
        return cls(
            boxes,
            np.ones(n, np.float32) if confidence is None else np.asarray(confidence, np.float32),
            np.zeros(n, np.int16) if class_id is None else np.asarray(class_id, np.int16),
            np.zeros(n, bool) if hot is None else np.asarray(hot, bool),
            np.zeros(n, bool) if piece is None else np.asarray(piece, bool),
        )

    @classmethod
    def empty(cls) -> Candidates:
        return cls.of(np.zeros((0, 4), np.float32))

    def __len__(self) -> int:
        return len(self.xyxy)

    def select(self, keep: np.ndarray) -> Candidates:
        """The rows where the bool mask ``keep`` is set."""
        return Candidates(
            self.xyxy[keep],
            self.confidence[keep],
            self.class_id[keep],
            self.hot[keep],
            self.piece[keep],
        )

    def plus(self, other: Candidates) -> Candidates:
        """These rows, then ``other``'s."""
        return Candidates(
            np.concatenate([self.xyxy, other.xyxy]).astype(np.float32),
            np.concatenate([self.confidence, other.confidence]).astype(np.float32),
            np.concatenate([self.class_id, other.class_id]).astype(np.int16),
            np.concatenate([self.hot, other.hot]),
            np.concatenate([self.piece, other.piece]),
        )

    def with_confidence(self, confidence: np.ndarray) -> Candidates:
        return Candidates(self.xyxy, confidence, self.class_id, self.hot, self.piece)
