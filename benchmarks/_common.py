"""Shared helpers of the benchmark scripts: run an analyser over a clip, score it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.types import FrameAnalysis
from dronewatch.evaluation import MotRows
from dronewatch.frames import FramePacket, VideoInfo

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"


def frames(path: Path, grey: bool = False) -> tuple[VideoInfo, Iterator[np.ndarray]]:
    """The clip's info and its frames; with ``grey``, each made grey (as a
    monochrome camera would show it), still three channels."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise SystemExit(f"{path}: cannot open")
    info = VideoInfo(
        fps=cap.get(cv2.CAP_PROP_FPS) or 25.0,
        width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        frame_count=int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None,
    )

    def gen() -> Iterator[np.ndarray]:
        try:
            while True:
                ok, img = cap.read()
                if not ok:
                    return
                if grey:
                    img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
                yield img
        finally:
            cap.release()

    return info, gen()


def checked_config(texts: list[str]) -> AnalysisConfig:
    """The analysis config ``--set KEY=VALUE`` texts ask for, checked like the command
    line's (a wrong key, type or word stops the benchmark with the message)."""
    from dronewatch.config_overrides import analysis_config, parse_override

    try:
        return analysis_config(tuple(parse_override(t) for t in texts))
    except ValueError as exc:
        raise SystemExit(f"--set: {exc}") from None


def mot_records(result: FrameAnalysis) -> list[tuple[int, int, float, float, float, float]]:
    """One frame's MOT rows (1-based frame, id, x, y, w, h): its confirmed tracks, and
    where the tracks confirmed in it were first seen."""
    rows = []
    for t in result.confirmed_tracks:
        x1, y1, x2, y2 = t.xyxy
        rows.append((result.index + 1, t.track_id, x1, y1, x2 - x1, y2 - y1))
    for e in result.earlier:
        x1, y1, x2, y2 = e.xyxy
        rows.append((e.index + 1, e.track_id, x1, y1, x2 - x1, y2 - y1))
    return rows


def run_ours(
    path: Path,
    config: AnalysisConfig | None = None,
    model: Path | None = None,
    grey: bool = False,
) -> tuple[MotRows, float]:
    """Our pipeline over a clip (made grey with ``grey``): MOT rows of confirmed
    tracks and frames/s."""
    info, it = frames(path, grey)
    analyzer = FeedAnalyzer(info, config, model)
    records = []
    t0 = time.perf_counter()
    n = 0
    for i, img in enumerate(it):
        records.extend(mot_records(analyzer.process(FramePacket(i, i / info.fps, img))))
        n += 1
    return MotRows.from_boxes(records), n / max(time.perf_counter() - t0, 1e-9)


def run_mog2_bytetrack(path: Path) -> tuple[MotRows, float]:
    """The textbook baseline: OpenCV MOG2 boxes tracked by Roboflow ByteTrack."""
    import supervision as sv
    from trackers import ByteTrackTracker

    info, it = frames(path)
    mog = cv2.createBackgroundSubtractorMOG2(detectShadows=False)
    tracker = ByteTrackTracker(frame_rate=info.fps)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    records = []
    t0 = time.perf_counter()
    n = 0
    for i, img in enumerate(it):
        mask = mog.apply(img)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        _, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        keep = stats[1:, cv2.CC_STAT_AREA] >= 16
        s = stats[1:][keep].astype(np.float32)
        xyxy = np.stack([s[:, 0], s[:, 1], s[:, 0] + s[:, 2], s[:, 1] + s[:, 3]], axis=1)
        dets = sv.Detections(xyxy=xyxy.reshape(-1, 4), confidence=np.ones(len(s), np.float32))
        out = tracker.update(dets)
        for box, tid in zip(out.xyxy, out.tracker_id, strict=True):
            if tid >= 0:
                records.append((i + 1, int(tid), box[0], box[1], box[2] - box[0], box[3] - box[1]))
        n += 1
    return MotRows.from_boxes(records), n / max(time.perf_counter() - t0, 1e-9)


Runner = Callable[[Path], tuple[MotRows, float]]
