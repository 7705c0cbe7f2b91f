"""Where the simulator's targets are lost, stage by stage (vehicles, people alone and
people walking in groups apart).

    .venv/bin/python benchmarks/loss_stages.py --presets day-pan fog --seeds 1

For every ground-truth row that counts (conf > 0), in the order the engine works:

- signal:  the difference from the backgrounds exceeds the threshold somewhere in its box
- seed:    a seed pixel survives there (the ghost / stable-pixel gate)
- det:     a detection box overlaps it at all
- det@IoU: a detection box matches it at the benchmark's IoU
- big:     the best overlapping detection is under that IoU and over twice its area
           (one box over a group, or over a target and its shadow)
- track@IoU: a confirmed track matches it

A big fall from one column to the next says which stage to work on: in daylight it is
box formation (det -> det@IoU), in fog and rain the signal itself. Clips are rendered
like ``sim_accuracy.py`` and shared with it (--work).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import frames, mot_records
from benchmarks.sim_accuracy import parse_sim_arguments, render
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.evaluation import _iou_xywh
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.sim import CLASS_IDS, PERSON

STAGES = ("signal", "seed", "det", "det@IoU", "big", "track@IoU")
_IN_GROUP = 3  # the key of a person walking in a group, beside the simulator's classes
CLASS_NAMES = {**CLASS_IDS, _IN_GROUP: "group"}


def row_kinds(video: Path) -> dict[int, int]:
    """Target id -> the key its rows are counted under: its ground-truth class, or
    ``_IN_GROUP`` for a person walking in a group (the scenario JSON says which). People
    in groups walk 0.9 m apart and are the hardest rows: their blobs merge."""
    doc = json.loads(video.with_suffix("").with_suffix(".json").read_text(encoding="utf-8"))
    return {
        int(t["id"]): _IN_GROUP if t["class"] == PERSON and t.get("group") else int(t["class"])
        for t in doc["targets"]
    }


def stage_counts(
    video: Path,
    config: AnalysisConfig,
    iou: float,
    make_analyzer: Callable[[VideoInfo, AnalysisConfig], FeedAnalyzer] = FeedAnalyzer,
    records: list[tuple[int, int, float, float, float, float]] | None = None,
) -> dict[int, np.ndarray]:
    """Per kind of target (:func:`row_kinds`): [rows, then one count per stage].
    ``records``, when given, gets the confirmed tracks' MOT rows (as ``run_ours`` makes
    them)."""
    kinds = row_kinds(video)
    gt = np.loadtxt(video.with_suffix("").with_suffix(".gt.txt"), delimiter=",", ndmin=2)
    gt = gt[gt[:, 6] > 0]
    counts: dict[int, np.ndarray] = {}
    info, images = frames(video)
    analyzer = make_analyzer(info, config)
    for index, image in enumerate(images):
        result = analyzer.process(FramePacket(index, index / info.fps, image))
        if records is not None:
            records.extend(mot_records(result))
        rows = gt[gt[:, 0] == index + 1]
        masks = analyzer.detector_masks
        if masks is None or not len(rows):
            continue
        h, w = masks.difference.shape
        scale = w / info.width
        to_cur = masks.key_to_cur
        above = cv2.compare(masks.difference, masks.threshold, cv2.CMP_GT)
        signal = cv2.warpPerspective(above, to_cur, (w, h), flags=cv2.INTER_NEAREST)
        seeds = cv2.warpPerspective(masks.seeds, to_cur, (w, h), flags=cv2.INTER_NEAREST)
        dets = _xywh(result.detections.xyxy)
        tracks = _xywh(np.array([t.xyxy for t in result.confirmed_tracks]).reshape(-1, 4))
        for row in rows:
            box = row[2:6]
            x0, y0 = (max(int(v * scale), 0) for v in box[:2])
            x1 = min(int(np.ceil((box[0] + box[2]) * scale)), w)
            y1 = min(int(np.ceil((box[1] + box[3]) * scale)), h)
            if x1 <= x0 or y1 <= y0:
                continue
            kind = kinds.get(int(row[1]), int(row[7]))
            c = counts.setdefault(kind, np.zeros(len(STAGES) + 1, int))
            c[0] += 1
            c[1] += bool(signal[y0:y1, x0:x1].any())
            c[2] += bool(seeds[y0:y1, x0:x1].any())
            if len(dets):
                overlap = _iou_xywh(box[None], dets)[0]
                best = int(overlap.argmax())
                c[3] += overlap[best] > 0
                c[4] += overlap[best] >= iou
                big = dets[best, 2] * dets[best, 3] > 2 * box[2] * box[3]
                c[5] += bool(0 < overlap[best] < iou and big)
            if len(tracks):
                c[6] += _iou_xywh(box[None], tracks)[0].max() >= iou
    return counts


def _xywh(xyxy: np.ndarray) -> np.ndarray:
    return np.c_[xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]]


def main() -> int:
    args, config = parse_sim_arguments(__doc__.splitlines()[0], seeds=[1])
    print(f"{'clip':30} {'class':8} {'rows':>6} " + " ".join(f"{s:>9}" for s in STAGES))
    for preset in args.presets:
        for seed in args.seeds:
            video = render(preset, seed, args.seconds, args.work, args.size)
            for cls, c in sorted(stage_counts(video, config, args.iou).items()):
                shares = " ".join(f"{v / max(c[0], 1):9.2f}" for v in c[1:])
                name = CLASS_NAMES.get(cls, str(cls))
                print(f"{video.stem:30} {name:8} {c[0]:6d} {shares}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
