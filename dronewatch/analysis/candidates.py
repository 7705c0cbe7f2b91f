"""The boxes one frame offers the tracker, with what each box is.

The detector's flags ride along with the boxes as one struct of arrays: a box found as
a warm blob, a box from a blob too small to be a target on its own (a piece), a box
grown to its faint rim on empty ground. The boxes
themselves (extent, confidence, the model's class) are a :class:`Detections`, which
selects and concatenates those columns; this struct only adds its flags. A new flag is
a new field here, not a new argument on every function between the detector and the
trackers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from dronewatch.analysis.types import Detections


@dataclass(frozen=True, slots=True)
class Candidates:
    """N boxes in work-image pixels and their flags, all of N rows."""

    # xyxy, confidence, and class_id: 0 for a motion blob (no class), else the model's
    boxes: Detections
    hot: np.ndarray  # (N,) bool: found as a warm blob rather than a mover
    # (N,) bool: from a blob under ``detector.piece_area`` px: a part of a target for
    # the tracker, never a target of its own (see MotionDetectorConfig.piece_area)
    piece: np.ndarray
    # (N,) bool: grown to its faint rim on empty ground (dronewatch.analysis.faint_edges):
    # a target against an empty sky, boxed to its faint edges
    on_empty: np.ndarray
    # (N,) float32: the window refiner's peak heat for a box it found (how sure its
    # model is that a target is there), 0 for every other box
    heat: np.ndarray

    @classmethod
    def of(
        cls,
        xyxy: np.ndarray,
        confidence: np.ndarray | None = None,
        *,
        class_id: np.ndarray | None = None,
        hot: np.ndarray | None = None,
        piece: np.ndarray | None = None,
        on_empty: np.ndarray | None = None,
        heat: np.ndarray | None = None,
    ) -> Candidates:
        """Boxes with the flags not given at their defaults: confidence 1, no class,
        not warm, not pieces, not on empty ground, not found by the refiner."""
        corners = np.asarray(xyxy, np.float32).reshape(-1, 4)
        n = len(corners)
        boxes = Detections(
            corners,
            np.ones(n, np.float32) if confidence is None else np.asarray(confidence, np.float32),
            np.zeros(n, np.int16) if class_id is None else np.asarray(class_id, np.int16),
        )
        return cls(
            boxes,
            np.zeros(n, bool) if hot is None else np.asarray(hot, bool),
            np.zeros(n, bool) if piece is None else np.asarray(piece, bool),
            np.zeros(n, bool) if on_empty is None else np.asarray(on_empty, bool),
            np.zeros(n, np.float32) if heat is None else np.asarray(heat, np.float32),
        )

    @classmethod
    def empty(cls) -> Candidates:
        return cls.of(np.zeros((0, 4), np.float32))

    @property
    def xyxy(self) -> np.ndarray:
        """(N, 4) float32 box corners."""
        return self.boxes.xyxy

    @property
    def confidence(self) -> np.ndarray:
        """(N,) float32."""
        return self.boxes.confidence

    @property
    def class_id(self) -> np.ndarray:
        """(N,) int16: 0 for a motion blob (no class), else the model's."""
        return self.boxes.class_id

    def __len__(self) -> int:
        return len(self.boxes)

    def select(self, keep: np.ndarray) -> Candidates:
        """The rows where the bool mask ``keep`` is set."""
        return Candidates(
            self.boxes[keep], self.hot[keep], self.piece[keep], self.on_empty[keep], self.heat[keep]
        )

    def plus(self, other: Candidates) -> Candidates:
        """These rows, then ``other``'s."""
        return Candidates(
            Detections.merge([self.boxes, other.boxes]),
            np.concatenate([self.hot, other.hot]),
            np.concatenate([self.piece, other.piece]),
            np.concatenate([self.on_empty, other.on_empty]),
            np.concatenate([self.heat, other.heat]),
        )

    def with_confidence(self, confidence: np.ndarray) -> Candidates:
        boxes = replace(self.boxes, confidence=confidence)
        return Candidates(boxes, self.hot, self.piece, self.on_empty, self.heat)
