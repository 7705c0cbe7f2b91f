"""How far the simulator's scores could go with parts of the engine replaced by what
the simulator knows (a ceiling, for planning).

    .venv/bin/python benchmarks/ceiling.py --presets day-pan --seeds 1

Each clip is analysed four ways, and for each the MOTA / IDF1 at the benchmark's IoU
and the ``loss_stages.py`` columns per class are printed:

- ``ours``: the engine as it is;
- ``true ground``: both backgrounds replaced, every frame, by the true ground (the
  renderer's frame drawn without its targets, effects and all), and no stable-pixel
  learning. The effects include the frame's own noise and rain streaks, so this is
  above what any background model could do;
- ``no shadows`` and ``no shadows, true ground``: the same two on the clip rendered
  again without cast shadows.

The true ground is injected through the detector's private state: this is a
diagnostic, not an interface. Rendered clips are kept in ``--work`` like the other
scripts' (the shadowless ones with a ``-noshadow`` suffix).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loss_stages import CLASS_NAMES, STAGES, stage_counts
from benchmarks.sim_accuracy import parse_sim_arguments, render
from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.prepare import PreparedFrame
from dronewatch.evaluation import MotRows, evaluate_rows, load_mot
from dronewatch.frames import VideoInfo
from dronewatch.sim.clip import ClipWriter
from dronewatch.sim.render import Renderer
from dronewatch.sim.scenario import make_scenario


class TrueGroundAnalyzer(FeedAnalyzer):
    """Our pipeline with the true ground as both backgrounds and no stable-pixel
    learning (see the module docstring)."""

    def __init__(
        self, info: VideoInfo, config: AnalysisConfig, ground: Callable[[int], np.ndarray]
    ) -> None:
        super().__init__(info, config)
        self._ground = ground
        bg = self._detector._bg
        bg.stable = lambda frame, thr: np.zeros(frame.shape, np.uint8)  # type: ignore[method-assign]

    def analyse(self, frame: PreparedFrame) -> object:  # type: ignore[override]
        det = self._detector
        if det._bg.ready and frame.motion.ok:
            # The true ground as the detector sees a frame: smoothed, in key-frame
            # coordinates.
            ground = self._preparer.work_copy(self._ground(frame.packet.index))
            truth = det.register(ground, frame.motion).cur
            assert det._bg.mean is not None
            det._bg.mean[...] = truth
            if det._median is not None:
                det._median.image = truth.copy()
        return super().analyse(frame)


def _renderer(preset: str, seed: int, seconds: float, size: str, shadows: bool) -> Renderer:
    renderer = Renderer(make_scenario(preset, seed=seed, seconds=seconds, size=size))
    if not shadows:
        renderer.shadow_strength = 0.0
    return renderer


def render_without_shadows(video: Path, preset: str, seed: int, seconds: float, size: str) -> Path:
    """``video`` rendered again without cast shadows (same targets, same ground truth)."""
    out = video.with_name(video.stem + "-noshadow.mp4")
    if not out.exists():
        renderer = _renderer(preset, seed, seconds, size, shadows=False)
        s = renderer.scenario
        with ClipWriter(out, s.width, s.height, s.fps) as writer:
            for i in range(s.frame_count):
                writer.write(renderer.render(i).image)
        shutil.copy(video.with_suffix(".gt.txt"), out.with_suffix(".gt.txt"))
        shutil.copy(video.with_suffix(".json"), out.with_suffix(".json"))
    return out


def true_ground(preset: str, seed: int, seconds: float, size: str) -> Callable[[int], np.ndarray]:
    """Frame ``i`` of the clip without its targets. Frames are asked for in order, as
    the effects' noise is drawn in order."""
    renderer = _renderer(preset, seed, seconds, size, shadows=True)
    return lambda i: renderer.render(i, targets=False).image


def _on_true_ground(
    ground: Callable[[int], np.ndarray],
) -> Callable[[VideoInfo, AnalysisConfig], FeedAnalyzer]:
    return lambda info, cfg: TrueGroundAnalyzer(info, cfg, ground)


def main() -> int:
    args, config = parse_sim_arguments(__doc__.splitlines()[0], seeds=[1])
    head = f"{'clip':30} {'variant':26} {'MOTA':>6} {'IDF1':>6} {'class':8} "
    print(head + " ".join(f"{s:>9}" for s in STAGES))
    for preset in args.presets:
        for seed in args.seeds:
            video = render(preset, seed, args.seconds, args.work, args.size)
            shadowless = render_without_shadows(video, preset, seed, args.seconds, args.size)
            gt = load_mot(video.with_suffix(".gt.txt"), ground_truth=True)
            for name, clip, truth in (
                ("ours", video, False),
                ("true ground", video, True),
                ("no shadows", shadowless, False),
                ("no shadows, true ground", shadowless, True),
            ):
                make = (
                    _on_true_ground(true_ground(preset, seed, args.seconds, args.size))
                    if truth
                    else FeedAnalyzer
                )
                records: list[tuple[int, int, float, float, float, float]] = []
                counts = stage_counts(clip, config, args.iou, make, records)
                score = evaluate_rows(gt, MotRows.from_boxes(records), args.iou)
                for cls, c in sorted(counts.items()):
                    shares = " ".join(f"{v / max(c[0], 1):9.2f}" for v in c[1:])
                    print(
                        f"{video.stem:30} {name:26} {score.mota:6.3f} {score.idf1:6.3f} "
                        f"{CLASS_NAMES.get(cls, str(cls)):8} {shares}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
