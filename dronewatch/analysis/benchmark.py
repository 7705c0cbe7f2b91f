"""Throughput of the analysis engine on one clip, decode and analysis measured together.

Three measurements in one process, all decoding through
:func:`dronewatch.sources.open_source`: decode only; decoding and camera motion in a
reader thread beside the rest of the analysis (how ``dronewatch analyze`` runs a clip);
decode then analysis in one thread. analysis/decode says how much of the decoder's rate
is kept.

A short clip decodes in a fraction of a second, and one such pass on a shared machine
swung by half between runs (1,900-3,000 frames/s on the 500-frame busy sample), far
more than the analysis did: the decode-only rate is the median of several passes
until they have taken ``DECODE_MIN_S`` (at most ``DECODE_MAX_PASSES``).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dronewatch.analysis.config import AnalysisConfig
from dronewatch.analysis.pipeline import FeedAnalyzer
from dronewatch.analysis.read_ahead import prepared_frames
from dronewatch.errors import DroneWatchError
from dronewatch.frames import VideoInfo

DECODE_MIN_S = 1.5
DECODE_MAX_PASSES = 7


@dataclass(frozen=True, slots=True)
class AnalyzeBenchResult:
    clip: str
    width: int
    height: int
    fps: float
    frames: int
    decode_fps: float  # median of ``decode_passes`` decode-only passes
    decode_passes: int
    analysis_fps: float  # reader thread (decode, camera motion) + analysis thread
    analysis_over_decode: float
    realtime_factor: float  # analysis_fps / clip fps
    analysis_fps_one_thread: float  # decode then analyse in one thread
    analysis_ms_per_frame: float  # analysis alone (decode time subtracted)
    peak_rss_mb: float
    model: str | None
    settings: dict[str, object]  # the analysis settings changed from their defaults

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _decode(clip: str | Path, max_frames: int | None) -> tuple[int, float, VideoInfo]:
    """Decode up to ``max_frames`` frames (all when None): (frames, seconds, the
    clip's info)."""
    from dronewatch.sources import open_source

    source = open_source(clip)
    n = 0
    t0 = time.perf_counter()
    try:
        while max_frames is None or n < max_frames:
            if source.read() is None:
                break
            n += 1
        return n, time.perf_counter() - t0, source.info
    finally:
        source.close()


def _analyse(
    clip: str | Path,
    n_frames: int,
    config: AnalysisConfig | None,
    model_path: Path | None,
    *,
    threaded: bool,
) -> tuple[int, float]:
    """Decode + analyse ``n_frames``; with ``threaded`` decoding and camera motion run
    a few frames ahead in a reader thread, as ``dronewatch analyze`` runs a clip.
    (frames, seconds)"""
    from dronewatch.sources import open_source

    source = open_source(clip)
    analyzer = FeedAnalyzer(source.info, config, model_path)
    n = 0
    t0 = time.perf_counter()
    try:
        if threaded:
            frames = prepared_frames(source, analyzer.prepare)
            try:
                for frame in frames:
                    analyzer.analyse(frame)
                    n += 1
                    if n >= n_frames:
                        break
            finally:
                frames.close()
        else:
            while n < n_frames and (packet := source.read()) is not None:
                analyzer.process(packet)
                n += 1
        elapsed = time.perf_counter() - t0
    finally:
        source.close()
    return n, elapsed


def bench_analyze(
    clip: str | Path,
    max_frames: int | None = None,
    config: AnalysisConfig | None = None,
    model_path: Path | None = None,
    settings: dict[str, object] | None = None,
) -> AnalyzeBenchResult:
    """Decode the clip alone (see the module doc), then decode + analyse it; report
    both rates. ``settings``: the overrides ``config`` was made with, echoed in the
    result."""
    n_decode, t_decode, info = _decode(clip, max_frames)
    if n_decode == 0:
        raise DroneWatchError(f"{clip}: no frames could be decoded")
    times = [t_decode]
    while sum(times) < DECODE_MIN_S and len(times) < DECODE_MAX_PASSES:
        times.append(_decode(clip, n_decode)[1])
    t_decode = statistics.median(times)

    n, t_total = _analyse(clip, n_decode, config, model_path, threaded=True)
    n1, t_single = _analyse(clip, n_decode, config, model_path, threaded=False)
    decode_fps = n_decode / max(t_decode, 1e-9)
    analysis_fps = n / max(t_total, 1e-9)
    single_fps = n1 / max(t_single, 1e-9)
    per_frame_decode = t_decode / n_decode
    return AnalyzeBenchResult(
        clip=str(clip),
        width=info.width,
        height=info.height,
        fps=info.fps,
        frames=n,
        decode_fps=round(decode_fps, 1),
        decode_passes=len(times),
        analysis_fps=round(analysis_fps, 1),
        analysis_over_decode=round(analysis_fps / decode_fps, 3),
        realtime_factor=round(analysis_fps / info.fps, 2) if info.fps else 0.0,
        analysis_fps_one_thread=round(single_fps, 1),
        analysis_ms_per_frame=round(max(t_single / max(n1, 1) - per_frame_decode, 0.0) * 1e3, 3),
        peak_rss_mb=round(_peak_rss_mb(), 1),
        model=str(model_path) if model_path else None,
        settings=dict(settings or {}),
    )
