"""Analysis of one open feed, off the GUI thread, feeding the track index and the store.

Two threads per feed, joined by a queue of two frames: a decoder reading the feed in
order from its first frame, and an analyser running detection and tracking, building
sightings and handing them to the store's writer. Files are analysed in full, every frame
(the log needs them all): the decoder blocks when the analyser is behind, and stays at
most ``lead_s`` seconds ahead of the playhead so analysis of many feeds does not starve
playback. Live feeds drop the oldest queued frame instead, and count it.

A clip whose complete analysis (same settings) is already in the store is not analysed
again: its tracks are loaded from the store, known by content hash, not by path.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from dronewatch.analysis.types import FrameAnalysis
from dronewatch.analysis_settings import DEFAULT_SETTINGS, AnalysisSettings
from dronewatch.clip_identity import content_hash
from dronewatch.errors import DroneWatchError
from dronewatch.frames import FramePacket, VideoInfo
from dronewatch.live.track_index import TrackIndex, earlier_states
from dronewatch.sightings.builder import SightingBuilder
from dronewatch.sources.base import FrameSource
from dronewatch.store import ClipInfo, SightingsReader, Store

log = logging.getLogger(__name__)

_QUEUE_SIZE = 2
_PROGRESS_EVERY = 25  # frames between progress notes to the store


class Analyzer(Protocol):
    def process(self, packet: FramePacket) -> FrameAnalysis: ...


class AnalysisState(StrEnum):
    STARTING = "starting"
    ANALYSING = "analysing"
    DONE = "done"
    FROM_STORE = "from store"
    PAUSED = "paused"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class AnalysisStats:
    state: AnalysisState
    decode_fps: float
    analysis_fps: float
    dropped: int
    frames_done: int
    frame_count: int | None
    error: str | None = None


class _Rate:
    """Frames per second over the last couple of seconds."""

    def __init__(self) -> None:
        self._times: deque[float] = deque(maxlen=64)

    def tick(self) -> None:
        self._times.append(time.monotonic())

    def value(self) -> float:
        t = self._times
        if len(t) < 2 or time.monotonic() - t[-1] > 1.0:
            return 0.0
        return (len(t) - 1) / (t[-1] - t[0]) if t[-1] > t[0] else 0.0


class FeedAnalysis:
    """Runs (or loads) the analysis of one feed. Thread-safe public methods."""

    def __init__(
        self,
        name: str,
        open_source: Callable[[], FrameSource],
        store: Store | None,
        path: Path | None = None,
        analyzer_factory: Callable[[VideoInfo], Analyzer] | None = None,
        lead_s: float = 20.0,
        settings: AnalysisSettings = DEFAULT_SETTINGS,
        clip_key: str | None = None,
    ) -> None:
        """``settings`` stamp the results in the store (and build the analyser unless
        ``analyzer_factory`` is given): an earlier analysis is reused only when it was
        made with the same settings. ``clip_key`` names the clip in the store when there
        is no file to hash (a live stream: one key per session, so watching the stream
        again does not replace what was logged before)."""
        self.name = name
        self.index = TrackIndex()
        self._open_source = open_source
        self._store = store
        self._path = path
        self._analyzer_factory = analyzer_factory or settings.make_analyzer
        self._settings = settings
        self._lead_s = lead_s
        self._playhead = 0.0
        self._enabled = threading.Event()
        self._enabled.set()
        self._stop = threading.Event()
        self._queue: queue.Queue[FramePacket | None] = queue.Queue(_QUEUE_SIZE)
        self._decode_rate = _Rate()
        self._analysis_rate = _Rate()
        self._dropped = 0
        self._state = AnalysisState.STARTING
        self._error: str | None = None
        self._info: VideoInfo | None = None
        self.clip_id: int | None = None
        self._content_hash: str | None = clip_key  # set by the store lookup, reused on begin
        self._decoder = threading.Thread(
            target=self._run_decoder, name=f"decode:{name}", daemon=True
        )
        self._analyser = threading.Thread(
            target=self._run_analyser, name=f"analyse:{name}", daemon=True
        )

    # -- control (any thread) -------------------------------------------------------------

    def start(self) -> None:
        self._decoder.start()

    def request_stop(self) -> None:
        self._stop.set()
        self._enabled.set()  # wake a paused decoder so it can see the stop

    def stop(self, timeout: float = 2.0) -> bool:
        self.request_stop()
        deadline = time.monotonic() + timeout
        for thread in (self._decoder, self._analyser):
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
        return not (self._decoder.is_alive() or self._analyser.is_alive())

    def set_enabled(self, enabled: bool) -> None:
        if enabled:
            self._enabled.set()
        else:
            self._enabled.clear()

    @property
    def enabled(self) -> bool:
        return self._enabled.is_set()

    def set_playhead(self, time_s: float) -> None:
        self._playhead = time_s

    @property
    def pid(self) -> int | None:
        """The worker process analysing this feed (None: analysed in this process)."""
        return None

    @property
    def alive(self) -> bool:
        return self._decoder.is_alive() or self._analyser.is_alive()

    def stats(self) -> AnalysisStats:
        state = self._state
        if state is AnalysisState.ANALYSING and not self.enabled:
            state = AnalysisState.PAUSED
        info = self._info
        return AnalysisStats(
            state,
            self._decode_rate.value(),
            self._analysis_rate.value(),
            self._dropped,
            self.index.frames_done,
            info.frame_count if info else None,
            self._error,
        )

    # -- the decoder thread -----------------------------------------------------------------

    def _fail(self, message: str) -> None:
        log.info("analysis of %s: %s", self.name, message)
        self._error = message
        self._state = AnalysisState.ERROR

    def _load_from_store(self) -> bool:
        """Fill the index from an earlier complete analysis of the same content.

        Needs nothing decoded: the clip is known by its content hash, and the store
        knows its size, rate and length.
        """
        if self._store is None or self._path is None or not self._path.is_file():
            return False
        digest = content_hash(self._path)
        self._content_hash = digest
        with SightingsReader(self._store.path) as reader:
            clip = reader.clip_by_hash(digest)
            if clip is None or not clip.complete:
                return False
            if clip.config_hash != self._settings.fingerprint():
                return False
            sightings = reader.sightings(clip_id=clip.id)
            classes = {s.track_id: s.target_class for s in sightings}
            rows = reader.clip_track_points(clip.id)
        self.clip_id = clip.id
        self._info = VideoInfo(clip.fps, clip.width, clip.height, clip.frame_count)
        self.index.load_points(rows, classes)
        self.index.frames_done = max(self.index.frames_done, clip.frames_analysed)
        self.index.complete = True
        self._state = AnalysisState.FROM_STORE
        return True

    def _begin_clip(self, info: VideoInfo) -> None:
        if self._store is None:
            return
        digest = self._content_hash
        if digest is None:
            digest = content_hash(self._path) if self._path is not None else f"feed:{self.name}"
        self.clip_id = self._store.begin_clip(
            ClipInfo(
                content_hash=digest,
                path=str(self._path or self.name),
                name=self.name,
                fps=info.fps,
                width=info.width,
                height=info.height,
                frame_count=info.frame_count,
                config_hash=self._settings.fingerprint(),
            )
        )

    def _run_decoder(self) -> None:
        try:
            source = self._open_source()
        except DroneWatchError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:
            self._fail(f"{self.name}: cannot open ({type(exc).__name__}: {exc})")
            return
        try:
            info = source.info
            self._info = info
            if self._load_from_store():
                return
            self._begin_clip(info)
            self._state = AnalysisState.ANALYSING
            self._analyser.start()
            self._decode_all(source, info)
        except DroneWatchError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("decoder for analysis of %s failed", self.name)
            self._fail(f"{self.name}: decoding for analysis failed ({exc})")
        finally:
            source.close()
            self._put(None, live=False)  # end of feed: the analyser finishes up

    def _decode_all(self, source: FrameSource, info: VideoInfo) -> None:
        live = info.frame_count is None
        while not self._stop.is_set():
            self._enabled.wait()
            if not live:
                while (
                    not self._stop.is_set()
                    and self.index.frames_done / info.fps > self._playhead + self._lead_s
                ):
                    time.sleep(0.02)  # far enough ahead of what the user watches
            packet = source.read()
            if packet is None:
                return
            self._decode_rate.tick()
            self._put(packet, live)

    def _put(self, packet: FramePacket | None, live: bool) -> None:
        """Queue a frame (None marks the end); never blocks past a stop or a dead analyser."""
        while True:
            if self._stop.is_set() and packet is not None:
                return
            if self._analyser.ident is not None and not self._analyser.is_alive():
                return
            try:
                self._queue.put(packet, timeout=0.1)
                return
            except queue.Full:
                if packet is None and self._stop.is_set():
                    return
                if live:
                    try:
                        self._queue.get_nowait()  # drop the oldest: show what is current
                        self._dropped += 1
                    except queue.Empty:
                        pass

    # -- the analyser thread ----------------------------------------------------------------

    def _run_analyser(self) -> None:
        info = self._info
        assert info is not None
        builder = SightingBuilder()
        # A track back after its sighting ended starts a new sighting, and a new label.
        self.index.label_memory_frames = max(1, round(builder.config.grace_s * info.fps))
        frames = 0
        try:
            analyzer = self._analyzer_factory(info)
            while not self._stop.is_set():
                try:
                    packet = self._queue.get(timeout=0.1)
                except queue.Empty:
                    continue
                if packet is None:
                    break
                analysis = analyzer.process(packet)
                self.index.add(packet.index, analysis.tracks, earlier_states(analysis))
                self._analysis_rate.tick()
                frames += 1
                events = builder.update(analysis, packet.image)
                if self._store is not None and self.clip_id is not None:
                    if events:
                        self._store.write_events(self.clip_id, events)
                    if frames % _PROGRESS_EVERY == 0:
                        self._store.note_progress(self.clip_id, self.index.frames_done)
            complete = not self._stop.is_set() and self._state is not AnalysisState.ERROR
            events = builder.finish()
            if self._store is not None and self.clip_id is not None:
                self._store.write_events(self.clip_id, events)
                self._store.finish_clip(self.clip_id, self.index.frames_done, complete)
            if complete:
                self.index.complete = True
                self._state = AnalysisState.DONE
        except DroneWatchError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("analysis of %s failed", self.name)
            self._fail(f"{self.name}: analysis failed ({type(exc).__name__}: {exc})")
