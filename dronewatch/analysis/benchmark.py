"""Throughput of the analysis engine on one clip, decode and analysis measured together.

Both passes decode through the same :func:`dronewatch.sources.open_source`, so the
ratio analysis/decode says how much of the decoder's rate the analysis keeps.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.errors import DroneWatchError


@dataclass(frozen=True, slots=True)
class AnalyzeBenchResult:
    clip: str
    width: int
    height: int
    fps: float
    frames: int
    decode_fps: float
    analysis_fps: float  # decode + analysis, whole process
    analysis_over_decode: float
    realtime_factor: float  # analysis_fps / clip fps
    analysis_ms_per_frame: float  # analysis alone (decode time subtracted)
    peak_rss_mb: float
    model: str | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_analyze(
    clip: str | Path,
    max_frames: int | None = None,
    config: AnalysisConfig | None = None,
    model_path: Path | None = None,
) -> AnalyzeBenchResult:
    """Decode the clip once alone, then decode + analyse it; report both rates."""
    from dronewatch.sources import open_source

    source = open_source(clip)
    info = source.info
    try:
        n_decode = 0
        t0 = time.perf_counter()
        while max_frames is None or n_decode < max_frames:
            if source.read() is None:
                break
            n_decode += 1
        t_decode = time.perf_counter() - t0
    finally:
        source.close()
    if n_decode == 0:
        raise DroneWatchError(f"{clip}: no frames could be decoded")

    source = open_source(clip)
    try:
        analyzer = FeedAnalyzer(source.info, config, model_path)
        n = 0
        t0 = time.perf_counter()
        while n < n_decode:
            packet = source.read()
            if packet is None:
                break
            analyzer.process(packet)
            n += 1
        t_total = time.perf_counter() - t0
    finally:
        source.close()
    decode_fps = n_decode / max(t_decode, 1e-9)
    analysis_fps = n / max(t_total, 1e-9)
    per_frame_decode = t_decode / n_decode
    return AnalyzeBenchResult(
        clip=str(clip),
        width=info.width,
        height=info.height,
        fps=info.fps,
        frames=n,
        decode_fps=round(decode_fps, 1),
        analysis_fps=round(analysis_fps, 1),
        analysis_over_decode=round(analysis_fps / decode_fps, 3),
        realtime_factor=round(analysis_fps / info.fps, 2) if info.fps else 0.0,
        analysis_ms_per_frame=round(max(t_total / max(n, 1) - per_frame_decode, 0.0) * 1e3, 3),
        peak_rss_mb=round(_peak_rss_mb(), 1),
        model=str(model_path) if model_path else None,
    )
