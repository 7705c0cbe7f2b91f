"""A trainee's session: what they marked and did, when, and how it scored.

Sessions are JSON files in the user data folder (``training/``), written atomically after
every event batch, so a session survives an app restart or a crash and an instructor can
review it later (after-action review) or follow a trainee's history.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from dronewatch.errors import DroneWatchError
from dronewatch.paths import user_data_dir

SESSION_VERSION = 1


class AidLevel(StrEnum):
    """How much the automatic detector helps the trainee."""

    HIDDEN = "hidden"  # no machine overlays at all
    DELAYED = "delayed"  # a track shows only after it has been tracked for ``aid_delay_s``
    SHOWN = "shown"  # overlays as in normal use


@dataclass(frozen=True)
class SessionEvent:
    """``kind`` is mark, play, pause, seek, step, enlarge, grid or focus."""

    kind: str
    clock_s: float  # replay clock when it happened
    wall: float  # unix time
    feed: str | None = None  # feed path
    x: float | None = None  # frame pixels, for marks
    y: float | None = None
    value: float | None = None  # seek target, speed, ...


@dataclass
class TrainingSession:
    trainee: str
    feeds: list[str]
    aid: AidLevel = AidLevel.SHOWN
    aid_delay_s: float = 2.0
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: float = field(default_factory=time.time)
    ended: float | None = None
    events: list[SessionEvent] = field(default_factory=list)
    results: dict[str, object] = field(default_factory=dict)  # filled at the end

    def record(self, kind: str, clock_s: float, **values: object) -> SessionEvent:
        event = SessionEvent(kind, round(clock_s, 4), time.time(), **values)  # type: ignore[arg-type]
        self.events.append(event)
        return event

    def marks(self, feed: str | None = None) -> list[SessionEvent]:
        return [e for e in self.events if e.kind == "mark" and (feed is None or e.feed == feed)]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["aid"] = self.aid.value
        data["version"] = SESSION_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object], path: Path | str = "?") -> TrainingSession:
        try:
            if data.get("version") != SESSION_VERSION:
                raise ValueError("unknown version")
            events = [SessionEvent(**e) for e in data["events"]]  # type: ignore[union-attr,arg-type]
            return cls(
                trainee=str(data["trainee"]),
                feeds=[str(f) for f in data["feeds"]],  # type: ignore[union-attr]
                aid=AidLevel(data["aid"]),
                aid_delay_s=float(data["aid_delay_s"]),  # type: ignore[arg-type]
                session_id=str(data["session_id"]),
                started=float(data["started"]),  # type: ignore[arg-type]
                ended=None if data.get("ended") is None else float(data["ended"]),  # type: ignore[arg-type]
                events=events,
                results=dict(data.get("results") or {}),  # type: ignore[call-overload]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DroneWatchError(f"{path}: not a training session ({exc})") from None


def sessions_dir() -> Path:
    return user_data_dir() / "training"


def save_session(session: TrainingSession, folder: Path | None = None) -> Path:
    """Write the session atomically; returns its file."""
    folder = folder or sessions_dir()
    path = folder / f"{session.session_id}.json"
    tmp = path.with_name(path.name + ".tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(session.to_dict(), indent=1))
        os.replace(tmp, path)
    except OSError as exc:
        raise DroneWatchError(f"{path}: cannot save the session ({exc.strerror or exc})") from exc
    return path


def load_session(path: Path) -> TrainingSession:
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DroneWatchError(f"{path}: not a training session ({exc})") from None
    if not isinstance(data, dict):
        raise DroneWatchError(f"{path}: not a training session")
    return TrainingSession.from_dict(data, path)


def list_sessions(folder: Path | None = None) -> list[TrainingSession]:
    """Every readable session, oldest first (unreadable files are skipped)."""
    folder = folder or sessions_dir()
    out = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out.append(load_session(path))
        except DroneWatchError:
            continue
    return sorted(out, key=lambda s: s.started)
