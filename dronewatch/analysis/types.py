"""Values the analysis engine hands to the sightings builder, the store and the views."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class TargetClass(StrEnum):
    VEHICLE = "vehicle"
    PERSON = "person"
    UNKNOWN = "unknown"


def _check_rows(name: str, arr: np.ndarray, n: int, shape_tail: tuple[int, ...]) -> None:
    if arr.shape != (n, *shape_tail):
        raise ValueError(f"Detections.{name}: expected shape {(n, *shape_tail)}, got {arr.shape}")


@dataclass(frozen=True, slots=True)
class Detections:
    """Struct of arrays for N boxes in one frame, pixel coordinates of the full frame
    (of the work image inside the tracker's
    :class:`~dronewatch.analysis.candidates.Candidates`).

    ``xyxy`` (N,4) float32, ``confidence`` (N,) float32, ``class_id`` (N,) int16 indexing
    ``TARGET_CLASSES``.
    """

    xyxy: np.ndarray
    confidence: np.ndarray
    class_id: np.ndarray

    def __post_init__(self) -> None:
        if self.xyxy.ndim != 2 or self.xyxy.shape[1:] != (4,):
            raise ValueError(f"Detections.xyxy: expected shape (N, 4), got {self.xyxy.shape}")
        n = self.xyxy.shape[0]
        _check_rows("confidence", self.confidence, n, ())
        _check_rows("class_id", self.class_id, n, ())

    @classmethod
    def empty(cls) -> Detections:
        return cls(
            np.zeros((0, 4), np.float32), np.zeros((0,), np.float32), np.zeros((0,), np.int16)
        )

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    def __getitem__(self, mask: np.ndarray | slice) -> Detections:
        return Detections(self.xyxy[mask], self.confidence[mask], self.class_id[mask])

    @classmethod
    def merge(cls, parts: list[Detections]) -> Detections:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.xyxy for p in parts]).astype(np.float32),
            np.concatenate([p.confidence for p in parts]).astype(np.float32),
            np.concatenate([p.class_id for p in parts]).astype(np.int16),
        )


TARGET_CLASSES: tuple[TargetClass, ...] = (
    TargetClass.UNKNOWN,
    TargetClass.VEHICLE,
    TargetClass.PERSON,
)


@dataclass(frozen=True, slots=True)
class TrackState:
    """One track as seen in one frame."""

    track_id: int
    xyxy: tuple[float, float, float, float]
    score: float
    target_class: TargetClass
    confirmed: bool


@dataclass(frozen=True, slots=True)
class EarlierBox:
    """Where a track reported in this frame was in a frame before it that it was not
    reported in: while the tracker was not yet sure of it (offline outputs, MOT rows
    and sightings, start the track there, where the target was first seen), or while a
    short gap kept it from being seen (they fill the gap)."""

    track_id: int
    index: int
    time_s: float
    xyxy: tuple[float, float, float, float]
    score: float


@dataclass(frozen=True, slots=True)
class FrameAnalysis:
    """Everything the analyser found in one frame.

    ``camera_motion`` is the 3x3 homography mapping the previous frame's pixels to this
    frame's (identity for the first frame), so consumers need not estimate it again.
    """

    index: int
    time_s: float
    detections: Detections
    tracks: tuple[TrackState, ...]
    camera_motion: np.ndarray = field(default_factory=lambda: np.eye(3))
    earlier: tuple[EarlierBox, ...] = ()

    @property
    def confirmed_tracks(self) -> tuple[TrackState, ...]:
        return tuple(t for t in self.tracks if t.confirmed)
