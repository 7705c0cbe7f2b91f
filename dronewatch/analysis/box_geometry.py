"""Pairwise relations between two sets of xyxy boxes, as (N, M) matrices, and the
boxes' own longer sides."""

from __future__ import annotations

import numpy as np


def longer_sides(xyxy: np.ndarray) -> np.ndarray:
    """(N,) the longer side of each (N,4) xyxy box."""
    return np.maximum(xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1])


def _intersections(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, M) intersection areas of (N,4) and (M,4) xyxy boxes, and their own areas."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter, area_a, area_b


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU between (N,4) and (M,4) xyxy boxes."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    inter, area_a, area_b = _intersections(a, b)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def overlap_of_smaller(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The share of the smaller box of each pair that the two have in common: 1 for a
    box inside another, however small (where IoU is small)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    inter, area_a, area_b = _intersections(a, b)
    return inter / np.maximum(np.minimum(area_a[:, None], area_b[None, :]), 1e-9)


def centres_inside(boxes: np.ndarray, containers: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """(N, M) bool: the centre of (N,4) xyxy ``boxes[i]`` lies in (M,4) xyxy
    ``containers[j]`` grown by ``margin`` px on every side (edges included).

    The centres are computed in ``boxes``' dtype and the grown edges in
    ``containers``'."""
    cx = (boxes[:, 0] + boxes[:, 2]) / 2
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    c = containers
    return (
        (cx[:, None] >= c[None, :, 0] - margin)
        & (cx[:, None] <= c[None, :, 2] + margin)
        & (cy[:, None] >= c[None, :, 1] - margin)
        & (cy[:, None] <= c[None, :, 3] + margin)
    )
