"""Training mode: a trainee session over the open feeds, scored against ground truth.

The instructor opens the scenario's feeds, starts a session (trainee, aid level), and the
trainee clicks targets; every mark, pause, seek, step and enlarged tile is recorded
against the replay clock and saved as it happens, so a session survives a restart.
Ending it scores the marks (and the detector on the same footage) and shows a scorecard.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject

from dronewatch.errors import DroneWatchError
from dronewatch.store import SightingsReader
from dronewatch.training.reference import GroundTruth
from dronewatch.training.session import (
    AidLevel,
    TrainingSession,
    load_session,
    save_session,
)
from dronewatch.training.session_score import SessionScore, ground_truth_beside, score_session

if TYPE_CHECKING:
    from ui.main_window import Feed, MainWindow

MARK_FLASH_S = 1.5  # a trainee's click stays visible this long on the tile


def confirmed_points(reader: SightingsReader, clip_id: int) -> np.ndarray:
    """Boxes of the clip's confirmed sightings, as reference rows (track, frame, box)."""
    from dronewatch.store.reader import SightingQuery
    from dronewatch.store.records import ReviewStatus

    confirmed = reader.find_sightings(
        SightingQuery(clip_ids=(clip_id,), statuses=(ReviewStatus.CONFIRMED,))
    )
    rows = [
        np.column_stack([np.full(len(path), s.track_id), path[:, [0, 2, 3, 4, 5, 6]]])
        for s in confirmed
        if len(path := reader.sighting_path(s.id))
    ]
    return np.vstack(rows) if rows else np.zeros((0, 7))


class TrainingController(QObject):
    """At most one session at a time per window."""

    def __init__(self, window: MainWindow, folder: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.folder = folder  # None: the user data folder
        self.session: TrainingSession | None = None
        self.reviewing: TrainingSession | None = None  # a recorded session being replayed
        self.last_score: SessionScore | None = None
        self.saved_overlays = window.overlays

    @property
    def active(self) -> bool:
        return self.session is not None

    @property
    def showing_marks(self) -> bool:
        return self.session is not None or self.reviewing is not None

    def start(self, trainee: str, aid: AidLevel, delay_s: float = 2.0) -> TrainingSession:
        w = self.window
        if not w.feeds:
            raise DroneWatchError("open the scenario's feeds first, then start the session")
        self.session = TrainingSession(trainee.strip() or "trainee", [f.spec for f in w.feeds])
        self.session.aid, self.session.aid_delay_s = aid, delay_s
        self.saved_overlays = w.overlays
        show = aid is not AidLevel.HIDDEN
        for key in ("boxes", "ids", "trails"):
            w.set_overlay(key, show)
            w.overlay_actions[key].setEnabled(False)  # the aid level decides, not the trainee
        w.set_overlay("reference", False)
        w.overlay_actions["reference"].setEnabled(False)
        for feed in w.feeds:
            fps = feed.player.snapshot().info.fps if feed.player.snapshot().info else 25.0
            feed.tile.aid_delay_frames = round(delay_s * fps) if aid is AidLevel.DELAYED else None
            feed.tile.training_marks = ()
            feed.tile.refresh_overlays()
        w.pause()
        w.seek(0.0)
        self._save()
        w.statusBar().showMessage(
            f"Training session for {self.session.trainee}: click every target you see", 10_000
        )
        return self.session

    def note(self, kind: str, **values: object) -> None:
        """Record what the trainee did (pause, seek, enlarge...) at the replay clock."""
        if self.session is not None:
            self.session.record(kind, self.window.clock.position(), **values)

    def mark(self, feed: Feed, x: float, y: float) -> None:
        """A trainee's click on a target, time-stamped with the frame on the tile: the
        replay clock may already be part-way to the next frame, and the click is scored
        against the picture the trainee saw."""
        if self.session is None:
            return
        shown = feed.tile.shown_time
        at = self.window.clock.position() if shown is None else shown
        self.session.record("mark", at, feed=feed.spec, x=x, y=y)
        feed.tile.training_marks = (*feed.tile.training_marks[-5:], (x, y))
        feed.tile.update()
        self._save()

    def tick(self) -> None:
        """Show the trainee's clicks on the tiles for a moment (live, or in a review)."""
        session = self.session or self.reviewing
        if session is None:
            return
        now = self.window.clock.position()
        for feed in self.window.feeds:
            recent = tuple(
                (e.x or 0.0, e.y or 0.0)
                for e in session.marks(feed.spec)
                if 0 <= now - e.clock_s <= MARK_FLASH_S
            )
            if recent != feed.tile.training_marks:
                feed.tile.training_marks = recent
                feed.tile.update()

    def _save(self) -> None:
        if self.session is not None:
            try:
                save_session(self.session, self.folder)
            except DroneWatchError as exc:
                self.window.statusBar().showMessage(str(exc), 10_000)

    def end(self) -> SessionScore | None:
        """Stop the session, score it, keep the result with it."""
        session, w = self.session, self.window
        if session is None:
            return None
        self.session = None
        session.ended = time.time()
        result = score_session(
            session, self._fps(session), self._references(session), self._detector(session)
        )
        session.results = result.summary()
        self.last_score = result
        save_session(session, self.folder)
        for key in ("boxes", "ids", "trails", "reference"):
            w.overlay_actions[key].setEnabled(True)
            w.set_overlay(key, getattr(self.saved_overlays, key))
        for feed in w.feeds:
            feed.tile.aid_delay_frames = None
            feed.tile.training_marks = ()
            feed.tile.refresh_overlays()
        self.finished_session = session
        return result

    def _fps(self, session: TrainingSession) -> dict[str, float]:
        out = {}
        for feed in self.window.feeds:
            info = feed.player.snapshot().info
            if info is not None:
                out[feed.spec] = info.fps
        return out

    def _clip_id(self, spec: str) -> int | None:
        feed = next((f for f in self.window.feeds if f.spec == spec), None)
        return feed.analysis.clip_id if feed and feed.analysis else None

    def _references(self, session: TrainingSession) -> dict[str, GroundTruth | None]:
        """Ground truth beside the video, else the clip's imported reference layer, else
        the clip's reviewed log: its confirmed sightings (for real footage)."""
        refs: dict[str, GroundTruth | None] = {}
        store = self.window.store
        for spec in session.feeds:
            gt = ground_truth_beside(spec) if not spec.startswith("sim:") else None
            clip_id = self._clip_id(spec)
            if gt is None and store is not None and clip_id is not None:
                store.flush()
                with SightingsReader(store.path) as reader:
                    points, _classes = reader.reference_points(clip_id)
                    if not len(points):
                        points = confirmed_points(reader, clip_id)
                if len(points):
                    gt = GroundTruth.from_track_points(points)
            refs[spec] = gt
        return refs

    def _detector(self, session: TrainingSession) -> dict[str, np.ndarray]:
        store = self.window.store
        out: dict[str, np.ndarray] = {}
        if store is None:
            return out
        store.flush()
        with SightingsReader(store.path) as reader:
            for spec in session.feeds:
                clip_id = self._clip_id(spec)
                if clip_id is not None:
                    out[spec] = reader.clip_track_points(clip_id)
        return out

    def review(self, path: Path) -> TrainingSession:
        """After-action review: open a recorded session's feeds with its marks on the
        timeline (hits, false alarms, misses) to step through with N / P."""
        session = load_session(path)
        w = self.window
        for feed in list(w.feeds):
            w.close_feed(feed)
        w.open_feeds(session.feeds)
        w.show_training_review(session)
        self.reviewing = session
        return session
