"""Evaluation on hand-made ground truth and predictions with known scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dronewatch.cli import main
from dronewatch.errors import DroneWatchError
from dronewatch.evaluation import (
    MotRows,
    evaluate_files,
    load_mot,
    load_single_target_gt,
    single_target_hit_rate,
)


def _write(path: Path, rows: list[tuple]) -> Path:
    path.write_text("".join(",".join(str(v) for v in r) + "\n" for r in rows))
    return path


def _gt9(frames: int = 10) -> list[tuple]:
    """Two targets in every frame, simulator layout (9 columns)."""
    rows = []
    for f in range(1, frames + 1):
        rows.append((f, 1, 10 + f, 20, 10, 10, 1, 1, 1.0))
        rows.append((f, 2, 100, 50 + f, 8, 12, 1, 2, 1.0))
    return rows


def _pred_from(gt: list[tuple], ids: dict[int, int] | None = None) -> list[tuple]:
    ids = ids or {1: 7, 2: 8}
    return [(r[0], ids[r[1]], *r[2:6], 1, -1, -1, -1) for r in gt]


def test_perfect_prediction(tmp_path: Path) -> None:
    gt = _gt9()
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", _pred_from(gt)))
    assert (s.mota, s.idf1, s.hota, s.precision, s.recall) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert s.id_switches == 0 and s.gt_ids == 2 and s.predicted_ids == 2


def test_missing_target_and_false_positive(tmp_path: Path) -> None:
    gt = _gt9()
    pred = [r for r in _pred_from(gt) if r[1] == 7]  # target 2 never found
    pred += [(f, 9, 300, 300, 10, 10, 1, -1, -1, -1) for f in range(1, 6)]  # 5 false boxes
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert s.true_positives == 10 and s.false_negatives == 10 and s.false_positives == 5
    assert s.mota == pytest.approx((20 - 10 - 5) / 20)
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(10 / 15)


def test_id_switch_counts(tmp_path: Path) -> None:
    gt = _gt9()
    pred = _pred_from(gt)
    pred = [(r[0], 17 if (r[1] == 7 and r[0] > 5) else r[1], *r[2:]) for r in pred]
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert s.id_switches == 1
    assert s.mota == pytest.approx((20 - 1) / 20)
    assert s.idf1 == pytest.approx(2 * 15 / (20 + 20))


def test_iou_threshold_decides_a_match(tmp_path: Path) -> None:
    gt = [(1, 1, 0, 0, 10, 10, 1, 1, 1.0)]
    pred = [(1, 1, 4, 0, 10, 10, 1, -1, -1, -1)]  # IoU = 60 / 140 = 0.43
    g, p = _write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred)
    assert evaluate_files(g, p, 0.3).mota == 1.0
    assert evaluate_files(g, p, 0.5).mota == -1.0  # one miss and one false box


def test_ten_column_motchallenge_and_ignored_rows(tmp_path: Path) -> None:
    gt = [(1, 1, 0, 0, 10, 10, 1, -1, -1, -1), (1, 2, 50, 50, 10, 10, 0, -1, -1, -1)]
    pred = [(1, 3, 0, 0, 10, 10, 1, -1, -1, -1), (1, -1, 50, 50, 10, 10, 1, -1, -1, -1)]
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert s.gt_ids == 1 and s.mota == 1.0  # conf-0 GT row and id -1 prediction ignored


def _with_dont_care(frames: int = 10) -> list[tuple]:
    """Target 1 counted, target 2 a don't-care (conf 0) row in every frame."""
    return [r if r[1] == 1 else (*r[:6], 0, *r[7:]) for r in _gt9(frames)]


def test_load_mot_keeps_dont_care_rows_apart(tmp_path: Path) -> None:
    gt = load_mot(_write(tmp_path / "gt.txt", _with_dont_care()), ground_truth=True)
    assert set(gt.ids.tolist()) == {1} and len(gt.frame) == 10
    assert gt.ignored is not None and set(gt.ignored.ids.tolist()) == {2}
    assert len(gt.ignored.frame) == 10 and not gt.ignored.conf.any()
    assert load_mot(tmp_path / "gt.txt").ignored is None  # predictions: no such split


def test_prediction_on_dont_care_row_is_neither_fp_nor_tp(tmp_path: Path) -> None:
    gt = _with_dont_care()
    pred = _pred_from(_gt9())  # exactly on both targets, as tracks 7 and 8
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert (s.true_positives, s.false_positives, s.false_negatives) == (10, 0, 0)
    assert (s.mota, s.precision, s.recall) == (1.0, 1.0, 1.0)
    assert s.gt_ids == 1 and s.predicted_ids == 1


def test_dont_care_row_without_prediction_is_no_miss(tmp_path: Path) -> None:
    gt = _with_dont_care()
    pred = [r for r in _pred_from(_gt9()) if r[1] == 7]
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert (s.true_positives, s.false_positives, s.false_negatives) == (10, 0, 0)
    assert s.mota == 1.0


def test_counted_rows_are_matched_before_dont_care_rows(tmp_path: Path) -> None:
    # A counted box and a don't-care box on the same spot: the one prediction there is
    # the counted target's true positive; a second one is absorbed by the don't-care box.
    gt = [(1, 1, 0, 0, 10, 10, 1, 1, 1.0), (1, 2, 1, 0, 10, 10, 0, 1, 1.0)]
    g = _write(tmp_path / "gt.txt", gt)
    one = [(1, 7, 0, 0, 10, 10, 1, -1, -1, -1)]
    s = evaluate_files(g, _write(tmp_path / "p1.txt", one))
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 0, 0)
    two = [*one, (1, 8, 1, 0, 10, 10, 1, -1, -1, -1)]
    s = evaluate_files(g, _write(tmp_path / "p2.txt", two))
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 0, 0)


def test_one_dont_care_box_absorbs_one_prediction(tmp_path: Path) -> None:
    # Two boxes on one parked car (a don't-care row): one is forgiven, the second is
    # a false positive, as MOTChallenge matches predictions to distractors one to one.
    gt = [(1, 1, 0, 0, 10, 10, 1, 1, 1.0), (1, 2, 50, 50, 10, 10, 0, 1, 1.0)]
    pred = [
        (1, 7, 0, 0, 10, 10, 1, -1, -1, -1),
        (1, 8, 50, 50, 10, 10, 1, -1, -1, -1),
        (1, 9, 51, 50, 10, 10, 1, -1, -1, -1),
    ]
    s = evaluate_files(_write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred))
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 1, 0)


def test_prediction_off_a_dont_care_box_is_still_a_false_positive(tmp_path: Path) -> None:
    gt = [(1, 1, 0, 0, 10, 10, 1, 1, 1.0), (1, 2, 50, 50, 10, 10, 0, 1, 1.0)]
    pred = [(1, 7, 0, 0, 10, 10, 1, -1, -1, -1), (1, 8, 54, 50, 10, 10, 1, -1, -1, -1)]
    g, p = _write(tmp_path / "gt.txt", gt), _write(tmp_path / "p.txt", pred)
    assert evaluate_files(g, p, 0.5).false_positives == 1  # IoU 0.43 with the don't-care box
    assert evaluate_files(g, p, 0.3).false_positives == 0


def test_bad_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DroneWatchError, match="no such file"):
        evaluate_files(tmp_path / "missing.txt", tmp_path / "missing2.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("1,2,3\n")
    with pytest.raises(DroneWatchError, match="at least 6 columns"):
        load_mot(bad)


def test_rows_from_boxes_are_the_rows_of_the_same_file(tmp_path: Path) -> None:
    records = [(1, 7, 10.5, 20, 4, 8), (3, 2, 0, 0, 1, 1)]
    rows = MotRows.from_boxes(records)
    read = load_mot(_write(tmp_path / "p.txt", records))
    for built, loaded in zip(
        (rows.frame, rows.ids, rows.xywh, rows.conf),
        (read.frame, read.ids, read.xywh, read.conf),
        strict=True,
    ):
        assert built.dtype == loaded.dtype and np.array_equal(built, loaded)
    with_conf = MotRows.from_boxes([(*records[0], 0.25)])
    assert with_conf.conf.tolist() == [0.25]
    empty = MotRows.from_boxes([])
    assert empty.xywh.shape == (0, 4) and len(empty.frame) == len(empty.conf) == 0
    with pytest.raises(ValueError, match="6 or 7 columns"):
        MotRows.from_boxes([(1, 2, 3)])


def test_single_target_hit_rate() -> None:
    gt = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [np.nan, np.nan, np.nan, np.nan]])
    pred = MotRows.from_boxes([(1, 1, 0, 0, 10, 10), (2, 1, 30, 30, 5, 5)])
    assert single_target_hit_rate(gt, pred, 0.5) == 0.5


def test_cli_prints_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gt = _gt9()
    g = _write(tmp_path / "gt.txt", gt)
    p = _write(tmp_path / "p.txt", _pred_from(gt))
    assert main(["evaluate", str(g), str(p), "--iou", "0.5"]) == 0
    out = capsys.readouterr().out
    for name in ("MOTA", "IDF1", "HOTA", "precision", "recall", "ID switches"):
        assert name in out
    assert main(["evaluate", str(tmp_path / "nope.txt"), str(p)]) == 1


def test_single_target_ground_truth_in_every_spelling(tmp_path: Path) -> None:
    # UAV123 files use commas, some tabs; NaN while the target is out of view.
    path = tmp_path / "groundtruth_rect.txt"
    path.write_text("10,20,30,40\n11\t21\t31\t41\nNaN,NaN,NaN,NaN\nnot a box\n12 22 32 42\n")
    truth = load_single_target_gt(path)
    assert truth.shape == (5, 4)
    boxes = [[10, 20, 30, 40], [11, 21, 31, 41], [12, 22, 32, 42]]
    np.testing.assert_array_equal(truth[[0, 1, 4]], boxes)
    assert np.isnan(truth[2]).all() and np.isnan(truth[3]).all()
