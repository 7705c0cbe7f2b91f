"""Tracking accuracy against MOTChallenge-style ground truth (CLEAR, Identity, HOTA).

The metric arithmetic is Roboflow ``trackers.eval`` (a TrackEval port that works on
numpy 2); loading is ours because its loader scores only MOT17 pedestrians (class 1)
and our files carry other classes: the simulator writes 9 columns
``frame,id,x,y,w,h,conf,class,visibility`` and MOTChallenge 10. Ground-truth rows with
``conf == 0`` are ignored, as in MOTChallenge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dronewatch.errors import DroneWatchError


@dataclass(frozen=True, slots=True)
class MotRows:
    """All rows of one MOT file: 1-based frame, id, box x,y,w,h, conf."""

    frame: np.ndarray
    ids: np.ndarray
    xywh: np.ndarray
    conf: np.ndarray


@dataclass(frozen=True, slots=True)
class TrackingScores:
    mota: float
    idf1: float
    hota: float
    precision: float
    recall: float
    id_switches: int
    true_positives: int
    false_positives: int
    false_negatives: int
    gt_ids: int
    predicted_ids: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def load_mot(path: str | Path, *, ground_truth: bool = False) -> MotRows:
    """Read a MOT text file (comma, space or tab separated; >= 6 columns)."""
    path = Path(path)
    if not path.is_file():
        raise DroneWatchError(f"{path}: no such file")
    rows: list[list[float]] = []
    with path.open() as fh:
        for n, line in enumerate(fh, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            parts = [p for p in text.replace(",", " ").replace("\t", " ").split(" ") if p]
            if len(parts) < 6:
                raise DroneWatchError(f"{path}:{n}: expected at least 6 columns, got {len(parts)}")
            try:
                values = [float(p) for p in parts[:7]]
            except ValueError as exc:
                raise DroneWatchError(f"{path}:{n}: not a number ({exc})") from exc
            if len(values) < 7:
                values.append(1.0)
            rows.append(values)
    if not rows:
        return MotRows(np.zeros(0, int), np.zeros(0, int), np.zeros((0, 4)), np.zeros(0))
    arr = np.asarray(rows, np.float64)
    keep = arr[:, 6] != 0 if ground_truth else np.ones(len(arr), bool)
    if not ground_truth:
        keep &= arr[:, 1] >= 0  # unconfirmed tracks (id -1) are not scored
    arr = arr[keep]
    return MotRows(arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2:6], arr[:, 6])


def _iou_xywh(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    a2 = np.concatenate([a[:, :2], a[:, :2] + a[:, 2:]], axis=1)
    b2 = np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)
    lt = np.maximum(a2[:, None, :2], b2[None, :, :2])
    rb = np.minimum(a2[:, None, 2:], b2[None, :, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=2)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    return inter / np.maximum(union, 1e-12)


def _per_frame(
    rows: MotRows, n_frames: int, id_map: dict[int, int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    order = np.argsort(rows.frame, kind="stable")
    frames = rows.frame[order]
    bounds = np.searchsorted(frames, np.arange(1, n_frames + 2))
    ids_out, boxes_out = [], []
    for f in range(n_frames):
        sel = order[bounds[f] : bounds[f + 1]]
        ids_out.append(np.array([id_map[int(i)] for i in rows.ids[sel]], dtype=np.intp))
        boxes_out.append(rows.xywh[sel])
    return ids_out, boxes_out


def evaluate_rows(gt: MotRows, pred: MotRows, iou_threshold: float = 0.5) -> TrackingScores:
    """CLEAR-MOT, IDF1 and HOTA of ``pred`` against ``gt``."""
    from trackers.eval import (
        compute_clear_metrics,
        compute_hota_metrics,
        compute_identity_metrics,
    )

    n_frames = int(max(gt.frame.max(initial=0), pred.frame.max(initial=0)))
    gt_map = {int(v): i for i, v in enumerate(np.unique(gt.ids))}
    pr_map = {int(v): i for i, v in enumerate(np.unique(pred.ids))}
    gt_ids, gt_boxes = _per_frame(gt, n_frames, gt_map)
    pr_ids, pr_boxes = _per_frame(pred, n_frames, pr_map)
    sims = [_iou_xywh(g, p) for g, p in zip(gt_boxes, pr_boxes, strict=True)]
    if n_frames == 0:
        return TrackingScores(0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0, 0, 0)
    clear = compute_clear_metrics(gt_ids, pr_ids, sims, threshold=iou_threshold)
    ident = compute_identity_metrics(gt_ids, pr_ids, sims, threshold=iou_threshold)
    hota = compute_hota_metrics(gt_ids, pr_ids, sims)
    return TrackingScores(
        mota=float(clear["MOTA"]),
        idf1=float(ident["IDF1"]),
        hota=float(hota["HOTA"]),
        precision=float(clear["CLR_Pr"]),
        recall=float(clear["CLR_Re"]),
        id_switches=int(clear["IDSW"]),
        true_positives=int(clear["CLR_TP"]),
        false_positives=int(clear["CLR_FP"]),
        false_negatives=int(clear["CLR_FN"]),
        gt_ids=len(gt_map),
        predicted_ids=len(pr_map),
    )


def evaluate_files(
    gt_path: str | Path, pred_path: str | Path, iou_threshold: float = 0.5
) -> TrackingScores:
    """Score a MOT prediction file against a MOT ground-truth file."""
    gt = load_mot(gt_path, ground_truth=True)
    if len(gt.frame) == 0:
        raise DroneWatchError(f"{gt_path}: no ground-truth rows")
    return evaluate_rows(gt, load_mot(pred_path), iou_threshold)


def single_target_hit_rate(gt_xywh: np.ndarray, pred: MotRows, iou_threshold: float = 0.5) -> float:
    """Share of frames whose one ground-truth box (row i = frame i+1) is covered by
    some predicted box with IoU >= threshold. Frames without a target (NaN or zero
    size) are skipped."""
    hits = total = 0
    for f, box in enumerate(gt_xywh, start=1):
        if not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
            continue
        total += 1
        sel = pred.frame == f
        if sel.any() and _iou_xywh(box[None, :], pred.xywh[sel]).max() >= iou_threshold:
            hits += 1
    return hits / total if total else 0.0
