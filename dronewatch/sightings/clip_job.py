"""Analysing one clip from its first frame to its last, reporting as it goes.

:func:`run_clip` is the unit of work of ``dronewatch analyze``: it runs in the calling
process or in a worker process, and never touches the database. It reports through an
``emit`` callback, in this order: :class:`ClipOpened` once the clip is open and
identified, :class:`ClipBatch` every ``batch_interval_s`` with the sighting events so
far, and :class:`ClipResult` last, always, even when the clip cannot be opened. All are
frozen values that pickle, so ``emit`` may put them on a process queue.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dronewatch.analysis.config import tentative_reach_frames
from dronewatch.analysis.prepare import feed_fps
from dronewatch.analysis.read_ahead import frames_and_analysis
from dronewatch.analysis.window_refiner import BUNDLED_MODEL, BUNDLED_THERMAL_MODEL
from dronewatch.clip_identity import content_hash
from dronewatch.config_overrides import Overrides, analysis_config
from dronewatch.errors import DroneWatchError
from dronewatch.frames import VideoInfo
from dronewatch.mot_writer import MotWriter
from dronewatch.sightings.builder import SightingBuilder, SightingConfig
from dronewatch.sightings.events import SightingEvent
from dronewatch.store.records import ClipInfo

log = logging.getLogger(__name__)

DEFAULT_ANALYZER = "dronewatch.analysis.pipeline:FeedAnalyzer"


@dataclass(frozen=True, slots=True)
class ClipJob:
    index: int
    path: str
    analyzer: str = DEFAULT_ANALYZER
    """``module:callable`` taking ``(info, model_path=...)`` and returning an object with
    ``process(packet) -> FrameAnalysis``; a string so it crosses process boundaries."""
    model_path: str | None = None
    mot_dir: str | None = None
    content_hash: str | None = None  # computed by the worker when not given
    overrides: Overrides = ()
    """``--set`` settings of the analysis config; passed to the analyser as ``config=``
    only when there are some, so a factory without that parameter still works."""
    sightings: SightingConfig = field(default_factory=SightingConfig)
    batch_interval_s: float = 0.2


@dataclass(frozen=True, slots=True)
class ClipOpened:
    job: int
    clip: ClipInfo


@dataclass(frozen=True, slots=True)
class ClipBatch:
    job: int
    events: tuple[SightingEvent, ...]
    frames_done: int
    frame_count: int | None


@dataclass(frozen=True, slots=True)
class ClipResult:
    job: int
    path: str
    frames: int
    frame_count: int | None
    fps: float
    tracks: int
    sightings: int
    wall_s: float
    complete: bool
    problem: str | None = None  # why the clip was not (fully) analysed, naming the file

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def video_s(self) -> float:
        return self.frames / self.fps if self.fps > 0 else 0.0

    @property
    def speed(self) -> float:
        """Seconds of video analysed per second of wall time."""
        return self.video_s / self.wall_s if self.wall_s > 0 else 0.0


ClipMessage = ClipOpened | ClipBatch | ClipResult


def load_analyzer_factory(spec: str) -> Callable[..., Any]:
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr or "FeedAnalyzer")
    except (ImportError, AttributeError) as exc:
        raise DroneWatchError(f"analyser {spec!r} cannot be loaded ({exc})") from None


def make_analyzer(
    spec: str, info: VideoInfo, model_path: Path | None, overrides: Overrides = ()
) -> Any:
    """The analyser ``spec`` names, for one clip. The config goes in as ``config=`` only
    when there are overrides, so a factory without that parameter still works."""
    factory = load_analyzer_factory(spec)
    if overrides:
        return factory(info, config=analysis_config(overrides), model_path=model_path)
    return factory(info, model_path=model_path)


def config_fingerprint(analyzer: str, model_path: str | None, overrides: Overrides = ()) -> str:
    """Identifies the analysis settings, so results of other settings can be told apart.

    The config is hashed with its overrides applied: overriding a setting with its
    default value is the same analysis as not overriding it.
    """
    config = analysis_config(overrides)
    digest = hashlib.sha256(analyzer.encode())
    digest.update(repr(config).encode())
    if model_path:
        digest.update(content_hash(model_path).encode())
    # The window refiner's models, by content: a retrained bundled model is another
    # analysis under the same settings.
    detector = config.detector
    for refiner_model in (
        detector.refiner_model or BUNDLED_MODEL,
        detector.refiner_model_thermal or BUNDLED_THERMAL_MODEL,
    ):
        if Path(refiner_model).is_file():
            digest.update(content_hash(refiner_model).encode())
    return digest.hexdigest()[:16]


def _hold_frames(job: ClipJob, info: VideoInfo) -> int:
    """How many frames back a track confirmed now may start (MOT rows wait that long)."""
    return tentative_reach_frames(analysis_config(job.overrides).tracker, feed_fps(info))


def _open_source(path: str) -> Any:
    from dronewatch.sources import open_source

    return open_source(path)


def run_clip(
    job: ClipJob,
    emit: Callable[[ClipMessage], None],
    should_stop: Callable[[], bool] = lambda: False,
) -> ClipResult:
    """Analyse every frame of ``job.path``; see the module docstring for what is emitted.

    A clip that cannot be opened gives a result with ``problem`` set; one that stops
    decoding part-way keeps what was read, ends its open sightings there and says where
    it stopped. ``KeyboardInterrupt`` is reported the same way, then re-raised.
    """
    started = time.perf_counter()
    try:
        source = _open_source(job.path)
        info: VideoInfo = source.info
    except DroneWatchError as exc:
        result = ClipResult(job.index, job.path, 0, None, 0.0, 0, 0, 0.0, False, str(exc))
        emit(result)
        return result
    interrupted = False
    frames = 0
    track_ids: set[int] = set()
    builder = SightingBuilder(job.sightings)
    problem: str | None = None
    try:
        model = Path(job.model_path) if job.model_path else None
        analyzer = make_analyzer(job.analyzer, info, model, job.overrides)
        clip = ClipInfo(
            content_hash=job.content_hash or content_hash(job.path),
            path=str(Path(job.path).resolve()),
            name=Path(job.path).name,
            fps=info.fps,
            width=info.width,
            height=info.height,
            frame_count=info.frame_count,
            config_hash=config_fingerprint(job.analyzer, job.model_path, job.overrides),
        )
        mot = (
            MotWriter(Path(job.mot_dir) / f"{Path(job.path).stem}.txt", _hold_frames(job, info))
            if job.mot_dir
            else None
        )
    except Exception as exc:
        source.close()
        text = str(exc) if isinstance(exc, DroneWatchError) else f"{job.path}: {exc!r}"
        wall = time.perf_counter() - started
        result = ClipResult(
            job.index, job.path, 0, info.frame_count, info.fps, 0, 0, wall, False, text
        )
        emit(result)
        return result
    emit(ClipOpened(job.index, clip))
    pending: list[SightingEvent] = []
    last_batch = time.perf_counter()
    items, analyse = frames_and_analysis(source, analyzer)
    try:
        while True:
            # Only the clip's own work is guarded: a failing emit (say, the database
            # disk is full) is not this clip's problem and must stop the whole run.
            try:
                if should_stop():
                    problem = f"{job.path}: stopped at frame {frames + 1} (cancelled)"
                    break
                try:
                    item = next(items, None)
                except DroneWatchError as exc:
                    problem = f"{exc}; analysed {frames} frames"
                    break
                if item is None:
                    break
                packet, analysis = analyse(item)
                frames += 1
                pending += builder.update(analysis, packet.image)
                track_ids.update(t.track_id for t in analysis.confirmed_tracks)
                if mot is not None:
                    mot.write(analysis)
            except KeyboardInterrupt:
                interrupted = True
                problem = f"{job.path}: interrupted at frame {frames + 1}"
                break
            except DroneWatchError as exc:
                problem = f"{exc}; stopped at frame {frames + 1}"
                break
            except Exception as exc:  # an analyser bug must not lose the other clips
                log.exception("analysis of %s failed", job.path)
                problem = f"{job.path}: analysis failed at frame {frames + 1} ({exc!r})"
                break
            now = time.perf_counter()
            if now - last_batch >= job.batch_interval_s:
                emit(ClipBatch(job.index, tuple(pending), frames, info.frame_count))
                pending, last_batch = [], now
    finally:
        items.close()  # stops the reader thread before its source is closed
        source.close()
        if mot is not None:
            try:
                mot.close()  # writes the rows it held back
            except DroneWatchError as exc:
                problem = problem or str(exc)
    pending += builder.finish()
    emit(ClipBatch(job.index, tuple(pending), frames, info.frame_count))
    result = ClipResult(
        job=job.index,
        path=job.path,
        frames=frames,
        frame_count=info.frame_count,
        fps=info.fps,
        tracks=len(track_ids),
        sightings=builder.started,
        wall_s=time.perf_counter() - started,
        complete=problem is None,
        problem=problem,
    )
    emit(result)
    if interrupted:
        raise KeyboardInterrupt
    return result
