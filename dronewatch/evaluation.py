"""Tracking accuracy against MOTChallenge-style ground truth (CLEAR, Identity, HOTA).

The metric arithmetic is Roboflow ``trackers.eval`` (a TrackEval port that works on
numpy 2); loading is ours because its loader scores only MOT17 pedestrians (class 1)
and our files carry other classes: the simulator writes 9 columns
``frame,id,x,y,w,h,conf,class,visibility`` and MOTChallenge 10.

Ground-truth rows with ``conf == 0`` are "don't care", as in MOTChallenge (MOT16/17 mark
static people and distractors so; our simulator marks targets that have not yet moved):
they are not targets to find, so leaving them unreported is no miss, and a prediction
on one is no false positive. Per frame, predictions are first matched to the counted
boxes (Hungarian, IoU >= the threshold); the remaining predictions whose IoU with some
don't-care box reaches the threshold are dropped before scoring. Unlike TrackEval's
one-to-one matching against distractors, a don't-care box absorbs every leftover
prediction on it.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from dronewatch.errors import DroneWatchError


@dataclass(frozen=True, slots=True)
class MotRows:
    """Rows of one MOT file: 1-based frame, id, box x,y,w,h, conf. Ground truth keeps its
    don't-care (conf 0) rows apart in ``ignored``."""

    frame: np.ndarray
    ids: np.ndarray
    xywh: np.ndarray
    conf: np.ndarray
    ignored: MotRows | None = None

    @classmethod
    def empty(cls) -> MotRows:
        return cls(np.zeros(0, int), np.zeros(0, int), np.zeros((0, 4)), np.zeros(0))

    @classmethod
    def from_boxes(cls, records: Sequence[Sequence[float]] | np.ndarray) -> MotRows:
        """Rows from one ``(frame, id, x, y, w, h)`` record per box (1-based frame; the
        box's top-left corner and size in pixels, as a MOT file has them), such as each
        frame's track boxes. conf is 1, or a seventh column when the records have one.

        >>> MotRows.from_boxes([(1, 7, 10.0, 20.0, 4.0, 8.0)]).xywh.tolist()
        [[10.0, 20.0, 4.0, 8.0]]
        """
        arr = np.asarray(records, np.float64)
        if arr.size == 0:
            return cls.empty()
        if arr.ndim != 2 or arr.shape[1] not in (6, 7):
            raise ValueError(f"MotRows.from_boxes: expected 6 or 7 columns, got shape {arr.shape}")
        conf = arr[:, 6] if arr.shape[1] == 7 else np.ones(len(arr))
        return cls(arr[:, 0].astype(int), arr[:, 1].astype(int), arr[:, 2:6], conf)


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
    """Read a MOT text file (comma, space or tab separated; >= 6 columns). With
    ``ground_truth``, conf 0 rows go to ``ignored`` (don't care) instead."""
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
        empty = MotRows.empty()
        return replace(empty, ignored=MotRows.empty()) if ground_truth else empty
    arr = np.asarray(rows, np.float64)
    if ground_truth:
        dont_care = arr[:, 6] == 0
        counted, ignored = MotRows.from_boxes(arr[~dont_care]), MotRows.from_boxes(arr[dont_care])
        return replace(counted, ignored=ignored)
    return MotRows.from_boxes(arr[arr[:, 1] >= 0])  # unconfirmed tracks (id -1) are not scored


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


def _frame_slices(frames: np.ndarray, n_frames: int) -> list[np.ndarray]:
    """Row indices of each 1-based frame 1..n_frames."""
    order = np.argsort(frames, kind="stable")
    bounds = np.searchsorted(frames[order], np.arange(1, n_frames + 2))
    return [order[bounds[f] : bounds[f + 1]] for f in range(n_frames)]


def drop_dont_care(gt: MotRows, pred: MotRows, iou_threshold: float = 0.5) -> MotRows:
    """``pred`` without the boxes that sit on a don't-care ground-truth box: those not
    matched (Hungarian on IoU, at the threshold) to a counted ground-truth box are
    matched the same way to the don't-care boxes, and the matched ones are dropped. One
    prediction per don't-care box, as MOTChallenge removes the predictions matched to
    distractors: a second box on a parked car is still a false positive."""
    from scipy.optimize import linear_sum_assignment

    ignored = gt.ignored
    if ignored is None or len(ignored.frame) == 0 or len(pred.frame) == 0:
        return pred
    n_frames = int(max(gt.frame.max(initial=0), ignored.frame.max(), pred.frame.max()))
    gt_sel = _frame_slices(gt.frame, n_frames)
    ig_sel = _frame_slices(ignored.frame, n_frames)
    pr_sel = _frame_slices(pred.frame, n_frames)
    keep = np.ones(len(pred.frame), bool)
    for g, ig, pr in zip(gt_sel, ig_sel, pr_sel, strict=True):
        if len(ig) == 0 or len(pr) == 0:
            continue
        free = np.ones(len(pr), bool)
        iou = _iou_xywh(gt.xywh[g], pred.xywh[pr])
        if iou.size:
            rows, cols = linear_sum_assignment(np.where(iou >= iou_threshold, iou, 0.0), True)
            free[cols[iou[rows, cols] >= iou_threshold]] = False
        rest = pr[free]
        iou = _iou_xywh(ignored.xywh[ig], pred.xywh[rest])
        rows, cols = linear_sum_assignment(np.where(iou >= iou_threshold, iou, 0.0), True)
        keep[rest[cols[iou[rows, cols] >= iou_threshold]]] = False
    if keep.all():
        return pred
    return MotRows(pred.frame[keep], pred.ids[keep], pred.xywh[keep], pred.conf[keep])


def _per_frame(
    rows: MotRows, n_frames: int, id_map: dict[int, int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    ids_out, boxes_out = [], []
    for sel in _frame_slices(rows.frame, n_frames):
        ids_out.append(np.array([id_map[int(i)] for i in rows.ids[sel]], dtype=np.intp))
        boxes_out.append(rows.xywh[sel])
    return ids_out, boxes_out


def evaluate_rows(gt: MotRows, pred: MotRows, iou_threshold: float = 0.5) -> TrackingScores:
    """CLEAR-MOT, IDF1 and HOTA of ``pred`` against ``gt``; predictions on ``gt``'s
    don't-care boxes are left out first (:func:`drop_dont_care`)."""
    from trackers.eval import (
        compute_clear_metrics,
        compute_hota_metrics,
        compute_identity_metrics,
    )

    pred = drop_dont_care(gt, pred, iou_threshold)
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
        ignored = 0 if gt.ignored is None else len(gt.ignored.frame)
        extra = f" (all {ignored} are conf 0, don't care)" if ignored else ""
        raise DroneWatchError(f"{gt_path}: no ground-truth rows to score{extra}")
    return evaluate_rows(gt, load_mot(pred_path), iou_threshold)


def load_single_target_gt(path: str | Path) -> np.ndarray:
    """Single-target ground truth as UAV123 gives it: one ``x,y,w,h`` line per frame
    (commas, tabs or spaces; ``NaN`` while the target is out of view). (N, 4) float64
    ``xywh``, row i = frame i+1; a line that cannot be read is a row of NaN."""
    rows = []
    for line in Path(path).read_text().splitlines():
        parts = line.replace(",", " ").replace("\t", " ").split()
        try:
            vals = [float(p) for p in parts[:4]]
        except ValueError:
            vals = []
        rows.append(vals if len(vals) == 4 else [np.nan] * 4)
    return np.asarray(rows, np.float64).reshape(-1, 4)


def load_frame_csv_gt(path: str | Path) -> np.ndarray:
    """Single-target ground truth as the counter-drone clips give it: a ``frame,x,y,w,h``
    CSV (1-based frames; x..h empty while the target is out of view). (N, 4) ``xywh``,
    row i = frame i+1, NaN where there is no target (as ``load_single_target_gt``)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    n = max((int(r["frame"]) for r in rows), default=0)
    out = np.full((n, 4), np.nan)
    for r in rows:
        if r["x"]:
            out[int(r["frame"]) - 1] = [float(r[k]) for k in "xywh"]
    return out


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
