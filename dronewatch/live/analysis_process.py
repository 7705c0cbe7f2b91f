"""Analysis of one feed in a worker process, so many feeds never starve the GUI thread.

Threads in one process share one GIL: measured here, four feeds analysed on threads cut
the window to 5 displayed frames/s with 1.5 s stalls. A worker process decodes a file
itself (no frame transport: the display decodes its own copy; decoding and camera motion
run a few frames ahead in a second thread, as in ``dronewatch analyze``) or reads a live
stream's frames from the app's player in shared memory (:mod:`dronewatch.live.shared_frames`:
a stream opens only once), runs detection, tracking and the sighting builder at a lower
CPU priority, and sends back only what is small: each frame's confirmed boxes and the
sighting events. A receiver thread in the app puts them in the track index and hands the
events to the store's single writer.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dronewatch.analysis.read_ahead import frames_and_analysis
from dronewatch.analysis.types import TargetClass, TrackState
from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings
from dronewatch.errors import DroneWatchError
from dronewatch.live.feed_analysis import AnalysisState, AnalysisStats, FeedAnalysis, _Rate
from dronewatch.live.shared_frames import FrameChannel, SharedFrameSource, SharedFrameWriter
from dronewatch.live.track_index import earlier_states
from dronewatch.store import Store

log = logging.getLogger(__name__)

_SEND_INTERVAL_S = 0.1
_WORKER_NICE = 10  # well below the GUI: a busy machine still paints every frame


@dataclass(frozen=True, slots=True)
class WorkerJob:
    spec: str
    name: str
    lead_s: float
    settings: AnalysisSettings = DEFAULT_SETTINGS
    frames: FrameChannel | None = None  # a live feed's frames, from the app's player


WAITING = object()  # a live feed sent nothing yet


class LatestFrames:
    """Reads a live feed on its own thread into two slots; when analysis falls behind
    the oldest waiting frame is dropped (and counted), so analysis stays current."""

    def __init__(self, source: Any) -> None:
        self._source = source
        self._frames: queue.Queue[Any] = queue.Queue(2)
        self.dropped = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                packet = self._source.read()
            except DroneWatchError as exc:
                packet = exc
            while True:
                try:
                    self._frames.put_nowait(packet)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        self._frames.get_nowait()
                        self.dropped += 1
            if packet is None or isinstance(packet, DroneWatchError):
                return

    def get(self, timeout: float) -> Any:
        """The oldest frame still waiting; None at the end; WAITING if none came in time."""
        try:
            item = self._frames.get(timeout=timeout)
        except queue.Empty:
            return WAITING
        if isinstance(item, DroneWatchError):
            raise item
        return item

    def stop(self) -> None:
        self._stopped.set()


def worker_main(job: WorkerJob, out: Any, playhead: Any, enabled: Any, stop: Any) -> None:
    """The worker process: decode, analyse, build sightings, send small results."""
    with contextlib.suppress(OSError):
        os.nice(_WORKER_NICE)
    from dronewatch.sightings.builder import SightingBuilder
    from dronewatch.sources import open_source

    try:
        source = (
            open_source(job.spec) if job.frames is None else SharedFrameSource(job.frames, job.name)
        )
    except DroneWatchError as exc:
        out.put(("error", str(exc)))
        return
    except Exception as exc:
        out.put(("error", f"{job.name}: cannot open ({type(exc).__name__}: {exc})"))
        return
    info = source.info
    out.put(("info", info))
    reader: LatestFrames | None = None
    items: Any = None  # a file's frames, read ahead (see frames_and_analysis)
    try:
        analyzer = job.settings.make_analyzer(info)
        builder = SightingBuilder()
        frames: list[tuple[int, tuple[tuple[Any, ...], ...]]] = []
        events: list[Any] = []
        last_send = time.monotonic()
        live = info.frame_count is None
        if live:
            # Frames are taken as they come and skipped when analysis is behind, so
            # none may be prepared ahead (the camera's key frames would run ahead).
            reader = LatestFrames(source)
        else:
            items, analyse_item = frames_and_analysis(source, analyzer)
        complete = False
        done = 0  # frames analysed so far
        while not stop.is_set():
            if not enabled.wait(0.1):
                continue
            if not live and done / info.fps > playhead.value + job.lead_s:
                if frames or events:
                    out.put(("frames", frames, events, reader.dropped if reader else 0))
                    frames, events = [], []
                time.sleep(0.02)  # far enough ahead of what the user watches
                continue
            if reader is not None:
                packet = reader.get(0.2)
                if packet is WAITING:
                    continue
                if packet is None:
                    complete = True
                    break
                analysis = analyzer.process(packet)
            else:
                item = next(items, None)
                if item is None:
                    complete = True
                    break
                packet, analysis = analyse_item(item)
            done = packet.index + 1
            frames.append(
                (
                    packet.index,
                    tuple(
                        (t.track_id, t.xyxy, t.score, t.target_class.value)
                        for t in analysis.tracks
                        if t.confirmed
                    ),
                    tuple(
                        (f, t.track_id, t.xyxy, t.score, t.target_class.value)
                        for f, t in earlier_states(analysis)
                    ),
                )
            )
            events.extend(builder.update(analysis, packet.image))
            now = time.monotonic()
            if now - last_send >= _SEND_INTERVAL_S:
                out.put(("frames", frames, events, reader.dropped if reader else 0))
                frames, events = [], []
                last_send = now
        events.extend(builder.finish())
        out.put(("frames", frames, events, reader.dropped if reader else 0))
        out.put(("end", complete))
    except DroneWatchError as exc:
        out.put(("error", str(exc)))
    except Exception as exc:
        out.put(("error", f"{job.name}: analysis failed ({type(exc).__name__}: {exc})"))
    finally:
        if reader is not None:
            reader.stop()
        if items is not None:
            items.close()  # stops its reader thread before the source is closed
        source.close()


class ProcessFeedAnalysis(FeedAnalysis):
    """:class:`FeedAnalysis` with the work in a child process; same public interface."""

    def __init__(
        self,
        name: str,
        spec: str,
        store: Store | None,
        path: Path | None = None,
        lead_s: float = 20.0,
        settings: AnalysisSettings = DEFAULT_SETTINGS,
        *,
        live_frames: bool = False,
        clip_key: str | None = None,
    ) -> None:
        """``live_frames``: the worker does not open ``spec`` but reads the frames put
        into :attr:`frame_writer` (a live stream the app's player has open: make the
        writer the player's tap). ``clip_key``: see :class:`FeedAnalysis`."""
        super().__init__(
            name,
            lambda: None,  # type: ignore[arg-type,return-value]
            store,
            path,
            lead_s=lead_s,
            settings=settings,
            clip_key=clip_key,
        )
        ctx = mp.get_context("spawn")  # never fork a process that runs Qt and threads
        self.frame_writer = SharedFrameWriter(ctx, name) if live_frames else None
        channel = None if self.frame_writer is None else self.frame_writer.channel
        self._job = WorkerJob(spec, name, lead_s, settings, channel)
        self._out = ctx.Queue()
        self._shared_playhead = ctx.Value("d", 0.0, lock=False)
        self._worker_enabled = ctx.Event()
        self._worker_enabled.set()
        self._worker_stop = ctx.Event()
        self._process = ctx.Process(
            target=worker_main,
            args=(
                self._job,
                self._out,
                self._shared_playhead,
                self._worker_enabled,
                self._worker_stop,
            ),
            name=f"analyse:{name}",
            daemon=True,
        )
        self._receiver = threading.Thread(target=self._receive, name=f"receive:{name}", daemon=True)
        self._analysis_rate = _Rate()

    def start(self) -> None:
        self._receiver.start()

    def set_enabled(self, enabled: bool) -> None:
        super().set_enabled(enabled)
        if enabled:
            self._worker_enabled.set()
        else:
            self._worker_enabled.clear()

    def set_playhead(self, time_s: float) -> None:
        super().set_playhead(time_s)
        self._shared_playhead.value = time_s

    def request_stop(self) -> None:
        """Ask the worker to finish: it ends open sightings and reports before exiting."""
        self._stop.set()
        self._worker_stop.set()
        self._worker_enabled.set()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and wait; a worker still busy at the deadline is terminated."""
        self.request_stop()
        deadline = time.monotonic() + timeout
        if self._process.pid is not None:
            self._process.join(max(0.0, deadline - time.monotonic() - 0.3))
            if self._process.is_alive():
                self._process.terminate()  # stuck in a decoder: it holds nothing we need
                self._process.join(0.2)
        if self._receiver.is_alive():
            self._receiver.join(max(0.05, deadline - time.monotonic()))
        if self.frame_writer is not None:
            self.frame_writer.close()  # frees the shared memory
        return not self.alive

    def stats(self) -> AnalysisStats:
        """As :meth:`FeedAnalysis.stats`; a live feed's dropped frames include those the
        app's player had no free slot for."""
        stats = super().stats()
        if self.frame_writer is None:
            return stats
        return replace(stats, dropped=stats.dropped + self.frame_writer.dropped)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def alive(self) -> bool:
        process_alive = self._process.pid is not None and self._process.is_alive()
        return process_alive or self._receiver.is_alive()

    def _receive(self) -> None:
        try:
            if self._load_from_store():
                return
            self._process.start()
            self._pump()
        except DroneWatchError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("analysis of %s failed", self.name)
            self._fail(f"{self.name}: analysis failed ({type(exc).__name__}: {exc})")

    def _pump(self) -> None:
        frames_since_progress = 0
        while True:
            try:
                message = self._out.get(timeout=0.2)
            except queue.Empty:
                # The worker reports "end" even when asked to stop; only a dead worker
                # (killed, crashed) leaves us waiting.
                if not self._process.is_alive():
                    if not self._stop.is_set():
                        self._fail(f"{self.name}: the analysis process ended unexpectedly")
                    return
                continue
            kind = message[0]
            if kind == "error":
                self._fail(message[1])
                return
            if kind == "info":
                self._info = message[1]
                self._begin_clip(self._info)
                self._state = AnalysisState.ANALYSING
            elif kind == "frames":
                _, frames, events, dropped = message
                self._dropped = dropped
                for index, boxes, earlier in frames:
                    self.index.add(
                        index,
                        [
                            TrackState(tid, xyxy, score, TargetClass(cls), True)
                            for tid, xyxy, score, cls in boxes
                        ],
                        [
                            (f, TrackState(tid, xyxy, score, TargetClass(cls), True))
                            for f, tid, xyxy, score, cls in earlier
                        ],
                    )
                    self._analysis_rate.tick()
                    self._decode_rate.tick()
                frames_since_progress += len(frames)
                if self._store is not None and self.clip_id is not None:
                    if events:
                        self._store.write_events(self.clip_id, events)
                    if frames_since_progress >= 25:
                        self._store.note_progress(self.clip_id, self.index.frames_done)
                        frames_since_progress = 0
            elif kind == "end":
                complete = bool(message[1])
                if self._store is not None and self.clip_id is not None:
                    self._store.finish_clip(self.clip_id, self.index.frames_done, complete)
                if complete:
                    self.index.complete = True
                    self._state = AnalysisState.DONE
                return
