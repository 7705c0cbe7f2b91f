"""One scenario to files: ``NAME.mp4``, ``NAME.gt.txt`` (MOTChallenge) and ``NAME.json``."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dronewatch.errors import DroneWatchError
from dronewatch.sim.clip import ClipWriter
from dronewatch.sim.groundtruth import MOVED_M, GTBox, with_motion_conf, write_mot
from dronewatch.sim.render import Renderer
from dronewatch.sim.scenario import Scenario

if TYPE_CHECKING:
    from dronewatch.sim.telemetry import GeoOrigin

GENERATOR_VERSION = 1


@dataclass(frozen=True, slots=True)
class GenerationReport:
    name: str
    video: Path
    ground_truth: Path
    scenario_json: Path
    frames: int
    targets_seen: int
    gt_rows: int
    elapsed_s: float
    video_seconds: float

    @property
    def speed(self) -> float:
        """Multiple of real time (rendered + encoded seconds of video per second)."""
        return self.video_seconds / max(self.elapsed_s, 1e-9)

    def summary(self) -> str:
        size_mb = self.video.stat().st_size / 1e6
        return (
            f"{self.name}: {self.frames} frames, {self.targets_seen} targets, "
            f"{self.video_seconds:.1f} s of video in {self.elapsed_s:.1f} s "
            f"({self.speed:.1f}x real time), {size_mb:.2f} MB -> {self.video}"
        )


def scenario_document(scenario: Scenario, renderer: Renderer, name: str) -> dict[str, object]:
    doc: dict[str, object] = {
        "generator": "dronewatch.sim",
        "generator_version": GENERATOR_VERSION,
        "name": name,
        **scenario.to_dict(),
        "files": {"video": f"{name}.mp4", "ground_truth": f"{name}.gt.txt"},
        "ground_truth_format": "frame,id,x,y,w,h,conf,class,visibility (MOTChallenge, frames"
        " 1-based, boxes clipped to the image, visibility = fraction of the box inside the"
        f" frame; conf 0 = don't care: the target has not yet moved {MOVED_M:g} m from where"
        " it was in its first frame with a box, e.g. parked vehicles; once moved, conf 1)",
        "camera": renderer.camera.describe(),
        "world": renderer.world.meta,
        "sun": {
            "azimuth_deg": round(float(renderer.world.sun_azimuth) * 57.29578, 2),
            "elevation_deg": round(float(renderer.world.sun_elevation) * 57.29578, 2),
        },
        "targets": [t.summary() for t in renderer.targets],
    }
    return doc


def generate(
    scenario: Scenario,
    out_dir: Path,
    name: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    klv: GeoOrigin | None = None,
) -> GenerationReport:
    """Render every frame, encode it, and write the three files (atomically renamed).

    With ``klv`` (the scene's place on Earth), also ``NAME.ts`` (the frames with MISB
    ST 0601 telemetry) and ``NAME.gt.geo.csv`` (see :mod:`dronewatch.sim.telemetry`)."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DroneWatchError(f"{out_dir}: cannot create output directory ({exc})") from None
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise DroneWatchError(f"bad name {name!r}: must be a plain file name")
    video = out_dir / f"{name}.mp4"
    gt_path = out_dir / f"{name}.gt.txt"
    json_path = out_dir / f"{name}.json"
    start = time.perf_counter()
    renderer = Renderer(scenario)
    boxes: list[GTBox] = []
    tmp_video = out_dir / f".{name}.tmp.mp4"
    recorder = None
    if klv is not None:
        from dronewatch.sim.telemetry import KlvRecorder

        recorder = KlvRecorder(renderer, klv, out_dir, name)
    try:
        with ClipWriter(tmp_video, scenario.width, scenario.height, scenario.fps) as writer:
            for i in range(scenario.frame_count):
                frame = renderer.render(i)
                writer.write(frame.image)
                if recorder is not None:
                    recorder.add(frame)
                boxes.extend(frame.boxes)
                if progress is not None:
                    progress(i + 1, scenario.frame_count)
        os.replace(tmp_video, video)
        if recorder is not None:
            recorder.finish()
    finally:
        tmp_video.unlink(missing_ok=True)
        if recorder is not None:
            recorder.abort()
    elapsed = time.perf_counter() - start
    rows = write_mot(gt_path, with_motion_conf(boxes, renderer.tracks))
    doc = scenario_document(scenario, renderer, name)
    doc["gt_rows"] = rows
    if recorder is not None:
        doc["telemetry"] = recorder.describe()
    json_path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return GenerationReport(
        name=name,
        video=video,
        ground_truth=gt_path,
        scenario_json=json_path,
        frames=scenario.frame_count,
        targets_seen=len({b.id for b in boxes}),
        gt_rows=rows,
        elapsed_s=elapsed,
        video_seconds=scenario.seconds,
    )
